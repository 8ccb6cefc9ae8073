import torch
from torchvision import datasets, transforms

from mlp import MLP

loader = torch.utils.data.DataLoader(datasets.MNIST("data", download=True, transform=transforms.ToTensor()),
                                     batch_size=64)
model = MLP(28 * 28)
for x, y in loader:
    loss = torch.nn.functional.cross_entropy(model(x), y)
