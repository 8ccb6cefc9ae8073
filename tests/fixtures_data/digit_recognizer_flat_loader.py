# Digit Recognizer - first attempt at a CNN (train.csv -> DataLoader -> training loop)
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
device = 'cuda' if torch.cuda.is_available() else 'cpu'

# df = pd.read_csv('../input/digit-recognizer/train.csv')
df = pd.DataFrame(np.random.randint(0, 256, size=(300, 785)),
                  columns=['label'] + ['pixel%d' % i for i in range(784)])  # offline stand-in
df['label'] = np.random.randint(0, 10, size=len(df))

labels = df['label'].values
pixels = df.drop(columns='label').values / 255.0

X_t = torch.tensor(pixels, dtype=torch.float32)
y_t = torch.tensor(labels)
loader = DataLoader(TensorDataset(X_t, y_t), batch_size=64, shuffle=True)


class CNN(nn.Module):
    def __init__(self, num_classes=10):
        super(CNN, self).__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, kernel_size=3, padding=1),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(0.25),
            nn.Linear(64 * 7 * 7, num_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


model = CNN().to(device)
loss_fn = nn.CrossEntropyLoss()
opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

for epoch in range(1):
    model.train()
    for i, (xb, yb) in enumerate(loader):
        xb, yb = xb.to(device), yb.to(device)
        opt.zero_grad()
        out = model(xb)  # expect: SHP202 784 28
        loss = loss_fn(out, yb)
        loss.backward()
        opt.step()
        if i >= 1:
            break
    print('epoch', epoch, 'loss', loss.item())
