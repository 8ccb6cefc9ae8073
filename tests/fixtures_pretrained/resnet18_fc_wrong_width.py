"""Fine-tuning a pretrained ResNet-18 on two classes (ants and bees), after the PyTorch transfer
learning tutorial; the new head was sized for a ResNet the author used before: 1024 features,
where resnet18's pooled trunk gives 512 (model.fc.in_features)."""
import torch
import torch.nn as nn
import torch.optim as optim
from torchvision import models

model_ft = models.resnet18(weights="IMAGENET1K_V1")
model_ft.fc = nn.Linear(1024, 2)  # expect: SHP101 1024 512

criterion = nn.CrossEntropyLoss()
optimizer_ft = optim.SGD(model_ft.parameters(), lr=0.001, momentum=0.9)


def train_step(inputs, labels):
    model_ft.train()
    optimizer_ft.zero_grad()
    outputs = model_ft(inputs)
    loss = criterion(outputs, labels)
    loss.backward()
    optimizer_ft.step()
    return loss.item()


if __name__ == "__main__":
    print(train_step(torch.randn(4, 3, 224, 224), torch.tensor([0, 1, 1, 0])))
