"""ConvNeXt-Tiny for ten classes; the head line came from a ConvNeXt-Base notebook, whose last
stage has 1024 channels where Tiny's has 768."""
import torch
import torch.nn as nn
from torchvision import models

model = models.convnext_tiny(weights="DEFAULT")
model.classifier[2] = nn.Linear(1024, 10)  # expect: SHP101 1024 768

if __name__ == "__main__":
    print(model(torch.randn(2, 3, 224, 224)).shape)
