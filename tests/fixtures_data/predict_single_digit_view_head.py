"""Digit CNN in the style of the old PyTorch MNIST example: the head flattens with view(-1, N).

At the end one validation image (1x28x28) is classified as it is: Conv2d and MaxPool2d take an
unbatched C x H x W tensor, and view(-1, 64 * 7 * 7) makes it a batch of one again.
"""
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc = nn.Linear(64 * 7 * 7, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, 64 * 7 * 7)
        return self.fc(x)


# df = pd.read_csv("train.csv")
df = pd.DataFrame(np.random.randint(0, 256, size=(200, 785)), columns=["label"] + [f"pixel{i}" for i in range(784)])
df["label"] = df["label"] % 10

X = torch.tensor(df.drop(columns="label").values / 255.0, dtype=torch.float32).reshape(-1, 1, 28, 28)
Y = torch.tensor(df["label"].values)
X_tr, X_va, Y_tr, Y_va = X[:160], X[160:], Y[:160], Y[160:]

model = DigitNet().to(device)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in DataLoader(TensorDataset(X_tr, Y_tr), batch_size=64, shuffle=True):
    xb, yb = xb.to(device), yb.to(device)
    loss = F.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()

img, label = X_va[0], Y_va[0]
model.eval()
with torch.no_grad():
    pred = model(img.to(device)).argmax(dim=1).item()
print(f"predicted {pred}, true {label.item()}")
