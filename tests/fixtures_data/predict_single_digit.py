# Train the digit CNN for a moment, then classify one image from the validation split.
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# df = pd.read_csv("train.csv")
df = pd.DataFrame(np.random.randint(0, 256, size=(200, 785)), columns=["label"] + [f"pixel{i}" for i in range(784)])
df["label"] = df["label"] % 10

X = torch.tensor(df.drop(columns="label").values / 255.0, dtype=torch.float32).reshape(-1, 1, 28, 28)
Y = torch.tensor(df["label"].values)
X_tr, X_va = X[:160], X[160:]
Y_tr, Y_va = Y[:160], Y[160:]

model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(64 * 7 * 7, 10),
).to(device)

opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in DataLoader(TensorDataset(X_tr, Y_tr), batch_size=64, shuffle=True):
    xb, yb = xb.to(device), yb.to(device)
    loss = nn.functional.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()

# one image: 1x28x28 -> add the batch dimension
img, label = X_va[0], Y_va[0]
model.eval()
with torch.no_grad():
    pred = model(img.unsqueeze(0).to(device)).argmax(dim=1).item()
print(f"predicted {pred}, true {label.item()}")
