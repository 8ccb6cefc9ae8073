# cifar10 - simple CNN, data comes as rows of pixels (r,g,b interleaved per pixel)
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import TensorDataset, DataLoader

device = "cuda" if torch.cuda.is_available() else "cpu"

# raw = np.genfromtxt("cifar_small.csv", delimiter=",")
raw = np.random.randint(0, 256, (160, 3073)).astype(np.float64)   # label + 3072 pixels, offline stand-in
y = raw[:, 0].astype(np.int64) % 10
x = raw[:, 1:] / 255.0

x = x.reshape(len(x), 32, 32, 3)
x = np.transpose(x, (0, 3, 1, 2))   # channels first for pytorch

x_tensor = torch.tensor(x, dtype=torch.float32)
y_tensor = torch.tensor(y)
train_loader = DataLoader(TensorDataset(x_tensor, y_tensor), batch_size=64, shuffle=True)


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


net = Net().to(device)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

for epoch in range(1):
    running_loss = 0.0
    for i, data in enumerate(train_loader, 0):
        inputs, labels = data
        inputs, labels = inputs.to(device), labels.to(device)
        optimizer.zero_grad()
        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
        if i == 1:
            break
print('Finished Training', running_loss)
