"""LeNet-5 as in LeCun et al. 1998: 32x32 inputs, so the 28x28 MNIST digits get a 2-pixel border."""
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


# shapecheck: input=(B, 1, 32, 32)
class LeNet5(nn.Module):
    def __init__(self, n_classes=10):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)      # 32 -> 28
        self.s2 = nn.AvgPool2d(2)         # -> 14
        self.c3 = nn.Conv2d(6, 16, 5)     # -> 10
        self.s4 = nn.AvgPool2d(2)         # -> 5
        self.c5 = nn.Linear(16 * 5 * 5, 120)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, n_classes)

    def forward(self, x):
        x = self.s2(torch.tanh(self.c1(x)))
        x = self.s4(torch.tanh(self.c3(x)))
        x = torch.flatten(x, 1)
        x = torch.tanh(self.c5(x))
        x = torch.tanh(self.f6(x))
        return self.out(x)


device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# mnist = pd.read_csv("mnist_train.csv", header=None)
mnist = pd.DataFrame(np.random.randint(0, 256, (192, 785)))    # col 0 = label, then 784 pixels
digits = mnist.iloc[:, 1:].values.reshape(-1, 1, 28, 28) / 255.0
digit_labels = mnist.iloc[:, 0].values % 10

ds = TensorDataset(torch.tensor(digits, dtype=torch.float32), torch.tensor(digit_labels))
loader = DataLoader(ds, batch_size=64, shuffle=True)

net = LeNet5().to(device)
opt = torch.optim.SGD(net.parameters(), lr=0.1)

for step, (img, lbl) in enumerate(loader):
    img = F.pad(img, (2, 2, 2, 2)).to(device)    # 28x28 -> 32x32
    lbl = lbl.to(device)
    logits = net(img)
    loss = F.cross_entropy(logits, lbl)
    opt.zero_grad()
    loss.backward()
    opt.step()
    if step == 1:
        break
print(loss.item())
