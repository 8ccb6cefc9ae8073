"""VGG-16 with a new classifier for ten classes.  The author replaced the whole classifier, as if it
received the 4096 features of VGG's second fully connected layer; it receives the flattened 7×7
average pool of 512 channels (25088)."""
import torch
import torch.nn as nn
from torchvision import models

model = models.vgg16(weights=models.VGG16_Weights.DEFAULT)
model.classifier = nn.Sequential(
    nn.Linear(4096, 256),  # expect: SHP101 4096 25088
    nn.ReLU(),
    nn.Dropout(0.4),
    nn.Linear(256, 10),
)

if __name__ == "__main__":
    print(model(torch.randn(2, 3, 224, 224)).shape)
