# Digit recognizer from a CSV: pandas -> numpy -> tensors -> DataLoader, trained on the GPU if there is one.
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

train = pd.read_csv("train.csv")
X = train.drop(columns="label").to_numpy(dtype=np.float32) / 255.0
y = train["label"].to_numpy()

X_train = torch.tensor(X)
y_train = torch.tensor(y, dtype=torch.long)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

model = nn.Sequential(
    nn.Linear(784, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
)
model.to(device)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(5):
    running_loss = 0.0
    for Xb, yb in train_loader:
        optimizer.zero_grad()
        logits = model(Xb)  # expect: SHP301
        loss = criterion(logits, yb)  # expect: SHP302
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    print(f"epoch {epoch}: loss {running_loss / len(train_loader):.4f}")
