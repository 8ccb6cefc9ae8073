import torch
from torchvision import datasets, transforms

from model import CifarCNN

# upscaled to 64x64 for the pretrained-style augmentations; the model was not changed
transform = transforms.Compose([transforms.Resize((64, 64)), transforms.RandomHorizontalFlip(), transforms.ToTensor()])
train_data = datasets.CIFAR10("data", train=True, download=True, transform=transform)
loader = torch.utils.data.DataLoader(train_data, batch_size=128, shuffle=True)

model = CifarCNN()
optimizer = torch.optim.Adam(model.parameters())
for epoch in range(10):
    for x, y in loader:
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
