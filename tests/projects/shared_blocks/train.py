import torch
from torchvision import datasets, transforms

from nets import WideNet

loader = torch.utils.data.DataLoader(datasets.CIFAR10("data", train=True, transform=transforms.ToTensor()),
                                     batch_size=64, shuffle=True)
model = WideNet(num_classes=10)
optimizer = torch.optim.Adam(model.parameters())
for images, labels in loader:
    optimizer.zero_grad()
    loss = torch.nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
