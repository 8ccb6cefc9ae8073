# The same digit recognizer, with every batch moved to the model's device.
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

train = pd.read_csv("train.csv")
X = train.drop(columns="label").to_numpy(dtype=np.float32) / 255.0
y = train["label"].to_numpy()

dataset = TensorDataset(torch.from_numpy(X), torch.from_numpy(y).long())
train_loader = DataLoader(dataset, batch_size=64, shuffle=True, pin_memory=True)

device = "cuda" if torch.cuda.is_available() else "cpu"

model = nn.Sequential(
    nn.Linear(784, 128),
    nn.ReLU(),
    nn.Dropout(0.2),
    nn.Linear(128, 10),
).to(device)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

for epoch in range(5):
    model.train()
    for i, (Xb, yb) in enumerate(train_loader):
        Xb = Xb.to(device, non_blocking=True)
        yb = yb.to(device, non_blocking=True)
        logits = model(Xb)
        loss = criterion(logits, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if i % 100 == 0:
            print(epoch, i, loss.item())

model.eval()
with torch.no_grad():
    logits = model(torch.from_numpy(X[:8]).to(device))
    print(logits.argmax(dim=1).tolist())
    print(logits.softmax(dim=1).max(dim=1).values.cpu().numpy())
