"""CIFAR-10 rows (HWC) -> permute -> a LeNet-style net with 'same' padding on the first conv."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# x_rows = np.load("cifar10_x.npy"); y_rows = np.load("cifar10_y.npy")
x_rows = np.random.randint(0, 256, (128, 3072)).astype(np.float32)
y_rows = np.random.randint(0, 10, 128)

x = torch.tensor(x_rows / 255.0, dtype=torch.float32).reshape(-1, 32, 32, 3).permute(0, 3, 1, 2)
y = torch.tensor(y_rows, dtype=torch.long)
loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)


class LeNetish(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5, padding=2)   # keeps 32x32
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)  # expect: SHP101 400 576
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


net = LeNetish().to(device)
optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)

for i, (inputs, labels) in enumerate(loader):
    inputs, labels = inputs.to(device), labels.to(device)
    optimizer.zero_grad()
    loss = F.cross_entropy(net(inputs), labels)
    loss.backward()
    optimizer.step()
    if i == 1:
        break
print("done", loss.item())
