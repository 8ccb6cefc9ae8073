# Devanagari handwritten characters (46 classes), reusing the network from my MNIST notebook.
# The Kaggle CSV has 1024 pixel columns (32x32 images) and a "character" column.
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
N_CLASSES = 46


# shapecheck: input=(B, 1, 28, 28)
class MnistNet(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(64 * 7 * 7, 256), nn.ReLU(), nn.Linear(256, n_classes))

    def forward(self, x):
        return self.head(self.body(x))


# data = pd.read_csv("../input/devanagari-character-set/data.csv")
data = pd.DataFrame(np.random.randint(0, 256, size=(300, 1024)), columns=[f"pixel_{i:04d}" for i in range(1024)])
data["character"] = np.random.choice([f"character_{i}" for i in range(1, 47)], size=len(data))

codes, uniques = pd.factorize(data["character"])
pixels = data.drop(columns="character").values.astype(np.float32) / 255.0
pixels = pixels.reshape(-1, 1, 32, 32)

train_ds = TensorDataset(torch.from_numpy(pixels), torch.from_numpy(codes).long())
train_dl = DataLoader(train_ds, batch_size=64, shuffle=True)

model = MnistNet(n_classes=N_CLASSES).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()

for epoch in range(1):
    for k, (xb, yb) in enumerate(train_dl):
        xb, yb = xb.to(device), yb.to(device)
        preds = model(xb)  # expect: SHP203 28 32
        loss = loss_fn(preds, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if k == 1:
            break
