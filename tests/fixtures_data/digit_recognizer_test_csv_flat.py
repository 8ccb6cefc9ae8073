#!/usr/bin/env python
# coding: utf-8

# Digit Recognizer: train the CNN, then predict test.csv for the submission.

# In[1]:


import numpy as np
import pandas as pd
import torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader


# In[2]:


DEVICE = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
BATCH_SIZE = 64

# train_df = pd.read_csv("/kaggle/input/digit-recognizer/train.csv")
# test_df = pd.read_csv("/kaggle/input/digit-recognizer/test.csv")
cols = [f"pixel{i}" for i in range(784)]
train_df = pd.DataFrame(np.random.randint(0, 256, (256, 784)), columns=cols)
train_df.insert(0, "label", np.random.randint(0, 10, 256))
test_df = pd.DataFrame(np.random.randint(0, 256, (100, 784)), columns=cols)  # test.csv has no label


# In[3]:


X = train_df.drop(columns="label").to_numpy().astype("float32") / 255.0
X = X.reshape(-1, 1, 28, 28)
y = train_df["label"].to_numpy()

train_dl = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)),
                      batch_size=BATCH_SIZE, shuffle=True)


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
    for n, (images, targets) in enumerate(train_dl):
        images = images.to(DEVICE)
        targets = targets.to(DEVICE)
        loss = criterion(model(images), targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if n == 1:
            break


# In[6]:


# predictions for the submission
test_X = torch.tensor(test_df.values / 255.0, dtype=torch.float32)
model.eval()
with torch.no_grad():
    preds = model(test_X.to(DEVICE)).argmax(dim=1)  # expect: SHP202 784 28

submission = pd.DataFrame({"ImageId": np.arange(1, len(preds) + 1), "Label": preds.cpu().numpy()})
submission.head()
