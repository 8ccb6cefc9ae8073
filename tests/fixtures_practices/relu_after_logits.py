# An MLP that ends in ReLU, trained with CrossEntropyLoss: every negative score is clipped to zero.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

X = torch.randn(500, 16)
y = torch.randint(0, 3, (500,))
loader = DataLoader(TensorDataset(X, y), batch_size=50)

model = nn.Sequential(
    nn.Linear(16, 64),
    nn.ReLU(),
    nn.Linear(64, 3),
    nn.ReLU(),  # expect: SHP404
)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

for epoch in range(30):
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
