import torch
from torchvision import datasets, transforms

from mlp import MLP

loader = torch.utils.data.DataLoader(datasets.CIFAR10("data", download=True, transform=transforms.ToTensor()),
                                     batch_size=64)
model = MLP(28 * 28)  # copied from train_mnist.py: CIFAR images are 3x32x32  # expect: SHP101 784 3072
for x, y in loader:
    loss = torch.nn.functional.cross_entropy(model(x), y)
