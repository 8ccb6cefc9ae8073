# The loop hands the optimizer to a function from another module: whether it zeroes the gradients
# cannot be seen here, so nothing is reported.
import torch
import torch.nn as nn
from trainer_utils import backward_and_clip

X, y = torch.randn(256, 8), torch.randn(256, 1)
model = nn.Linear(8, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for step in range(100):
    loss = nn.functional.mse_loss(model(X), y)
    backward_and_clip(loss, model, optimizer)
    loss.backward()
    optimizer.step()
