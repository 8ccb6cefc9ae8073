"""Digit Recognizer with a custom Dataset: rows of the CSV become 1x28x28 tensors on access."""
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


class DigitDataset(Dataset):
    def __init__(self, frame, augment=False):
        self.labels = frame["label"].to_numpy()
        self.pixels = frame.drop(columns="label").to_numpy(dtype=np.uint8)
        self.augment = augment

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        img = self.pixels[idx].reshape(28, 28).astype(np.float32) / 255.0
        if self.augment and np.random.rand() < 0.5:
            img = np.roll(img, np.random.randint(-2, 3), axis=1)   # small horizontal shift
        return torch.from_numpy(img).unsqueeze(0), int(self.labels[idx])


# train = pd.read_csv("../input/digit-recognizer/train.csv")
train = pd.DataFrame(np.random.randint(0, 256, size=(200, 785)), columns=["label"] + [f"pixel{i}" for i in range(784)])
train["label"] = train["label"] % 10

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
train_loader = DataLoader(DigitDataset(train, augment=True), batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(1, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Dropout(0.3),
    nn.Linear(64 * 7 * 7, 10),
).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

model.train()
for i, (x, y) in enumerate(train_loader):
    x, y = x.to(device), y.to(device)
    out = model(x)
    loss = criterion(out, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if i == 1:
        break
print(f"loss after 2 steps: {loss.item():.3f}")
