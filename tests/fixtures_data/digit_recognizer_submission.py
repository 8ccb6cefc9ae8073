#!/usr/bin/env python
# coding: utf-8

# Digit Recognizer: train, validate, and write submission.csv

# In[1]:


import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader


# In[2]:


DEVICE = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")

# train_df = pd.read_csv("/kaggle/input/digit-recognizer/train.csv")
# test_df = pd.read_csv("/kaggle/input/digit-recognizer/test.csv")
pixel_cols = ["pixel" + str(i) for i in range(784)]
train_df = pd.DataFrame(np.random.randint(0, 256, (300, 784)), columns=pixel_cols)
train_df.insert(0, "label", np.random.randint(0, 10, 300))
test_df = pd.DataFrame(np.random.randint(0, 256, (120, 784)), columns=pixel_cols)


# In[3]:


def to_images(frame):
    return frame.to_numpy().astype(np.float32).reshape(-1, 1, 28, 28) / 255.0


X_all = to_images(train_df.drop(columns="label"))
y_all = train_df["label"].to_numpy()
n_val = 60
X_tr, y_tr = torch.from_numpy(X_all[n_val:]), torch.from_numpy(y_all[n_val:])
X_val, y_val = torch.from_numpy(X_all[:n_val]), torch.from_numpy(y_all[:n_val])

train_dl = DataLoader(TensorDataset(X_tr, y_tr), batch_size=64, shuffle=True)
val_dl = DataLoader(TensorDataset(X_val, y_val), batch_size=64)


# In[4]:


model = nn.Sequential(
    nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 7 * 7, 100), nn.ReLU(),
    nn.Linear(100, 10),
).to(DEVICE)
optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
criterion = nn.CrossEntropyLoss()


# In[5]:


for epoch in range(1):
    model.train()
    for n, (images, targets) in enumerate(train_dl):
        images, targets = images.to(DEVICE), targets.to(DEVICE)
        loss = criterion(model(images), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if n == 1:
            break

    model.eval()
    hits = 0
    with torch.no_grad():
        for images, targets in val_dl:
            images, targets = images.to(DEVICE), targets.to(DEVICE)
            hits += (model(images).argmax(1) == targets).sum().item()
    print(f"epoch {epoch}: val acc {hits / n_val:.3f}")


# In[6]:


test_X = torch.from_numpy(to_images(test_df))
with torch.no_grad():
    preds = model(test_X.to(DEVICE)).argmax(dim=1)

submission = pd.DataFrame({"ImageId": np.arange(1, len(preds) + 1), "Label": preds.cpu().numpy()})
submission.to_csv("submission.csv", index=False)
print(submission.shape)
