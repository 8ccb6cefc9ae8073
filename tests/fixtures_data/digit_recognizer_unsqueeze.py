"""MNIST from the Kaggle CSV: 28x28 images, channel added with unsqueeze."""
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader

device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')

# data = pd.read_csv('train.csv')
data = pd.DataFrame(np.random.randint(0, 256, size=(400, 785)))
data.columns = ['label'] + [f'pixel{i}' for i in range(784)]

features = data.drop(columns='label').values.reshape(-1, 28, 28)
targets = data['label'].values % 10

# train / validation split
split = int(0.8 * len(features))
X_train, X_val = features[:split], features[split:]
y_train, y_val = targets[:split], targets[split:]

X_train_t = torch.from_numpy(X_train).float().unsqueeze(1) / 255.
X_val_t = torch.from_numpy(X_val).float().unsqueeze(1) / 255.
y_train_t = torch.from_numpy(y_train).long()
y_val_t = torch.from_numpy(y_val).long()
print(X_train_t.shape)   # torch.Size([320, 1, 28, 28])


class MnistCNN(nn.Module):

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)     # 28 -> 24
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)    # 12 -> 8
        self.drop = nn.Dropout2d()
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.drop(self.conv2(x)), 2))
        x = x.view(-1, 320)
        x = F.relu(self.fc1(x))
        x = F.dropout(x, training=self.training)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


model = MnistCNN().to(device)

# quick check on a few images before training
print(model(X_train_t[:64].to(device)).shape)

train_loader = DataLoader(TensorDataset(X_train_t, y_train_t), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X_val_t, y_val_t), batch_size=64)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.5)

model.train()
for batch_idx, (data_b, target_b) in enumerate(train_loader):
    data_b, target_b = data_b.to(device), target_b.to(device)
    optimizer.zero_grad()
    output = model(data_b)
    loss = F.nll_loss(output, target_b)
    loss.backward()
    optimizer.step()
    if batch_idx == 1:
        break

model.eval()
val_loss, correct = 0, 0
with torch.no_grad():
    for data_b, target_b in val_loader:
        data_b, target_b = data_b.to(device), target_b.to(device)
        output = model(data_b)
        val_loss += F.nll_loss(output, target_b, reduction='sum').item()
        correct += output.argmax(dim=1).eq(target_b).sum().item()
print(f'val loss {val_loss / len(X_val_t):.3f}, acc {correct / len(X_val_t):.3f}')
