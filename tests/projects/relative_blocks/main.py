"""Train on 64x64 crops of the tiles."""
import torch
from torch.utils.data import DataLoader, TensorDataset

from model.net import Net

tiles = torch.randn(1000, 3, 64, 64)
labels = torch.randint(0, 10, (1000,))
loader = DataLoader(TensorDataset(tiles, labels), batch_size=32, shuffle=True)

net = Net()
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
for x, y in loader:
    loss = torch.nn.functional.cross_entropy(net(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
