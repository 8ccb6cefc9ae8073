"""A pretrained MobileNetV2 as a five-class flower classifier: the trunk is frozen and the last
Linear of the classifier replaced, sized from model.last_channel."""
import torch
import torch.nn as nn
import torchvision

NUM_CLASSES = 5

model = torchvision.models.mobilenet_v2(pretrained=True)
for param in model.features.parameters():
    param.requires_grad = False
model.classifier[1] = nn.Linear(model.last_channel, NUM_CLASSES)

if __name__ == "__main__":
    model.eval()
    with torch.no_grad():
        logits = model(torch.randn(8, 3, 224, 224))
    print(logits.shape)
