"""DenseNet-121 for chest X-rays (normal / pneumonia), the images repeated to three channels."""
import torch
import torch.nn as nn
import torchvision.models as models

model = models.densenet121(weights="DEFAULT")
model.classifier = nn.Linear(model.classifier.in_features, 2)

if __name__ == "__main__":
    xray = torch.rand(4, 1, 224, 224)
    print(model(xray.repeat(1, 3, 1, 1)).shape)
