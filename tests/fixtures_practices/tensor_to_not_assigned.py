# Tensor.to() returns a moved copy; calling it as a statement leaves the batch where it was.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

device = "cuda" if torch.cuda.is_available() else "cpu"

features = torch.randn(1000, 8)
targets = features @ torch.randn(8, 1) + 0.1 * torch.randn(1000, 1)
loader = DataLoader(TensorDataset(features, targets), batch_size=50, shuffle=True)

model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
model = model.to(device)
loss_fn = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

for epoch in range(10):
    for xb, yb in loader:
        xb.to(device)
        yb = yb.to(device)
        loss = loss_fn(model(xb), yb)  # expect: SHP301
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
