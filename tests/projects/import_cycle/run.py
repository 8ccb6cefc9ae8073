import torch

from models import Classifier
from utils import default_model

model = default_model()
print(model(torch.randn(4, 3, 48, 48)).shape, Classifier(num_classes=3))
