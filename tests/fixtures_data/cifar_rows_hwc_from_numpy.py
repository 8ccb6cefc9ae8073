# Quick check of the CIFAR model on the exported pixel rows before the long training run.
import numpy as np
import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# X = np.load("cifar10_train_rows.npy")   # (50000, 3072), pixels in r,g,b order
X = np.random.rand(500, 3072).astype(np.float32)
X = X.reshape(-1, 32, 32, 3)
X_t = torch.from_numpy(X).float()

model = nn.Sequential(
    nn.Conv2d(3, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
    nn.Linear(128, 10),
)
model.to(device)
model.eval()

with torch.no_grad():
    sample = X_t[:64].to(device)
    scores = model(sample)  # expect: SHP201 32 3
print(scores.softmax(dim=1)[:4])
