# Train the small CIFAR net on the preprocessed pickle made by the augmentation notebook.
import pickle

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

# --- stand-in for the notebook's output: {"x": float32 N x 3 x 32 x 32, "y": int labels} ---
with open("cifar_preprocessed.pkl", "wb") as fh:
    pickle.dump({"x": np.random.randn(96, 3, 32, 32).astype("float32"),
                 "y": np.random.randint(0, 10, 96)}, fh)
# -------------------------------------------------------------------------------------------

with open("cifar_preprocessed.pkl", "rb") as fh:
    blob = pickle.load(fh)

train_x = torch.tensor(blob["x"])
train_y = torch.tensor(blob["y"], dtype=torch.long)
train_loader = DataLoader(TensorDataset(train_x, train_y), batch_size=32, shuffle=True)


class SmallNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 8 * 8, 256)
        self.fc2 = nn.Linear(256, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.reshape(x.shape[0], -1)
        return self.fc2(F.relu(self.fc1(x)))


device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
net = SmallNet().to(device)
optim = torch.optim.SGD(net.parameters(), lr=0.01)

for i, (xb, yb) in enumerate(train_loader):
    xb = xb.to(device)
    yb = yb.to(device)
    out = net(xb)
    loss = F.cross_entropy(out, yb)
    optim.zero_grad()
    loss.backward()
    optim.step()
    if i == 1:
        break
print(loss.item())
