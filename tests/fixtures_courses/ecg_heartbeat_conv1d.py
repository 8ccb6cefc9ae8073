"""ECG heartbeat classification (MIT-BIH, Kaggle's 187-sample beats) with a 1-D CNN: each row of the
CSV is one beat and its class in the last column."""
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

# train = pd.read_csv("../input/heartbeat/mitbih_train.csv", header=None)
train = pd.DataFrame(np.random.rand(64, 188))
train[187] = np.random.randint(0, 5, 64)

X = train.iloc[:, :187].values.astype(np.float32)
y = train.iloc[:, 187].values.astype(np.int64)
X = X.reshape(-1, 1, 187)

loader = DataLoader(TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=32, shuffle=True)


class ECGNet(nn.Module):
    def __init__(self, n_classes=5):
        super().__init__()
        self.conv1 = nn.Conv1d(1, 32, kernel_size=5)
        self.conv2 = nn.Conv1d(32, 32, kernel_size=5, padding=2)
        self.pool = nn.MaxPool1d(kernel_size=5, stride=2)
        self.conv3 = nn.Conv1d(32, 64, kernel_size=5, padding=2)
        self.fc1 = nn.Linear(64 * 43, 64)
        self.fc2 = nn.Linear(64, n_classes)

    def forward(self, x):
        x = F.relu(self.conv1(x))          # 183
        x = self.pool(F.relu(self.conv2(x)))  # 90
        x = self.pool(F.relu(self.conv3(x)))  # 43
        x = x.view(x.size(0), -1)
        return self.fc2(F.relu(self.fc1(x)))


model = ECGNet()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for xb, yb in loader:
    loss = F.cross_entropy(model(xb), yb)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"loss {loss.item():.3f}")
