"""Fine-tune the 64x64 tile classifier on CIFAR-sized images, upsampled to the size it was built for."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


# shapecheck: input=(B, 3, 64, 64)
class TileNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 32
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 16
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 8
        )
        self.fc = nn.Linear(64 * 8 * 8, n_classes)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


# rows = np.load("cifar_rows.npy"); targets = np.load("cifar_targets.npy")
rows = np.random.randint(0, 256, size=(128, 3072)).astype(np.float32)
targets = np.random.randint(0, 10, size=128)

imgs = torch.tensor(rows / 255.0, dtype=torch.float32).view(-1, 32, 32, 3).permute(0, 3, 1, 2)
train_dl = DataLoader(TensorDataset(imgs, torch.tensor(targets)), batch_size=16, shuffle=True)

net = TileNet().to(device)
optimizer = torch.optim.Adam(net.parameters(), lr=1e-4)

for step, (xb, yb) in enumerate(train_dl):
    xb = F.interpolate(xb.to(device), size=(64, 64), mode="bilinear", align_corners=False)
    yb = yb.to(device)
    logits = net(xb)
    loss = nn.functional.cross_entropy(logits, yb)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step == 1:
        break
print(loss.item())
