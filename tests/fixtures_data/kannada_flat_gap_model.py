# Kannada MNIST: the CSV looks just like the MNIST one (label + 784 pixels).
# Fully convolutional net with global average pooling, so any image size works.
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

# train = pd.read_csv('/kaggle/input/Kannada-MNIST/train.csv')
train = pd.DataFrame(np.random.randint(0, 256, (256, 785)), columns=['label'] + ['pixel' + str(i) for i in range(784)])
train['label'] = train['label'] % 10

features = train.iloc[:, 1:].values.astype(np.float32) / 255.
labels = train.iloc[:, 0].values

features_t = torch.from_numpy(features).float()
labels_t = torch.from_numpy(labels).long()
loader = DataLoader(TensorDataset(features_t, labels_t), batch_size=64, shuffle=True)

device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
    nn.Conv2d(32, 64, 3, padding=1, stride=2), nn.BatchNorm2d(64), nn.ReLU(),
    nn.Conv2d(64, 10, 1),
    nn.AdaptiveAvgPool2d(1),
    nn.Flatten(),
).to(device)

optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
for i, (xb, yb) in enumerate(loader):
    xb, yb = xb.to(device), yb.to(device)
    out = model(xb)  # expect: SHP202 784
    loss = nn.functional.cross_entropy(out, yb)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if i == 1:
        break
