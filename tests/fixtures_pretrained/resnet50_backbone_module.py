"""A ResNet-50 backbone inside a module of one's own: everything but torchvision's fc, then a
small head for a five-class problem."""
import torch
import torch.nn as nn
from torchvision import models


class Classifier(nn.Module):
    def __init__(self, num_classes=5):
        super().__init__()
        backbone = models.resnet50(pretrained=True)
        self.features = nn.Sequential(*list(backbone.children())[:-1])   # up to the average pool
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(2048, num_classes))

    def forward(self, x):
        return self.head(self.features(x))


if __name__ == "__main__":
    net = Classifier()
    print(net(torch.randn(4, 3, 224, 224)).shape)
