# zero_grad() once before the loop: every step follows the sum of all gradients so far.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

X = torch.randn(640, 5)
y = X @ torch.tensor([[1.0], [-2.0], [0.5], [3.0], [0.0]])
loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)

model = nn.Linear(5, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.MSELoss()

optimizer.zero_grad()
for epoch in range(100):
    for xb, yb in loader:
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()  # expect: SHP406
