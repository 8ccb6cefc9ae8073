import timm
import torch.nn as nn
from efficientnet_pytorch import EfficientNet


class Backbone(nn.Module):
    def __init__(self, name="efficientnet-b0", num_classes=5):
        super().__init__()
        self.encoder = EfficientNet.from_pretrained(name)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(1280, num_classes)

    def forward(self, x):
        x = self.encoder.extract_features(x)
        return self.head(self.pool(x).flatten(1))


def timm_model(num_classes=5):
    return timm.create_model("resnet18", pretrained=True, num_classes=num_classes)
