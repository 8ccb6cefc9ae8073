import torch
import torchvision
from torchvision import transforms

from models.builder import make_model

data = torchvision.datasets.CIFAR10("data", download=True, transform=transforms.ToTensor())
loader = torch.utils.data.DataLoader(data, batch_size=100)

model = make_model(num_blocks=4)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for images, labels in loader:
    opt.zero_grad()
    torch.nn.functional.cross_entropy(model(images), labels).backward()
    opt.step()
