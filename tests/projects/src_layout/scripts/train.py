import torch

from vision.models import resnet18

model = resnet18(num_classes=100)
images = torch.randn(16, 3, 32, 32)
logits = model(images)
print(logits.shape)
