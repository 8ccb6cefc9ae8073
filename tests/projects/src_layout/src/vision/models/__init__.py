from .resnet import ResNet, resnet18
