"""CIFAR-10 baseline. The images come as flat HWC rows (N, 3072), the way the
preprocessing notebook dumped them; they are permuted to NCHW on the torch side."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

# X_train = np.load("cifar_train_rows.npy"); y_train = np.load("cifar_train_labels.npy")
X_train = np.random.randint(0, 256, size=(200, 3072)).astype(np.uint8)  # stand-in for the dump
y_train = np.random.randint(0, 10, size=200)

images = torch.from_numpy(X_train.reshape(-1, 32, 32, 3)).float() / 255.
images = images.permute(0, 3, 1, 2)          # NHWC -> NCHW
mean = images.mean(dim=(0, 2, 3), keepdim=True)
std = images.std(dim=(0, 2, 3), keepdim=True)
images = (images - mean) / std
targets = torch.from_numpy(y_train).long()

loader = DataLoader(TensorDataset(images, targets), batch_size=50, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(3, 32, kernel_size=3, padding=1), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
    nn.MaxPool2d(2),
    nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.BatchNorm2d(64), nn.ReLU(inplace=True),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(64 * 8 * 8, 10),
).to(device)

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)

model.train()
for it, (inputs, target) in enumerate(loader):
    inputs = inputs.to(device)
    target = target.to(device)
    outputs = model(inputs)
    loss = criterion(outputs, target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if it == 1:
        break
print("loss", loss.item())
