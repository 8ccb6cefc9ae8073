"""EfficientNet-B3 fine-tuned on Oxford Flowers (102 classes), at its 300×300 crop.  The head
replacement was copied from a B0 script: B0's classifier takes 1280 features, B3's takes 1536."""
import torch
import torch.nn as nn
from torchvision.models import efficientnet_b3, EfficientNet_B3_Weights

NUM_CLASSES = 102

model = efficientnet_b3(weights=EfficientNet_B3_Weights.IMAGENET1K_V1)
model.classifier[1] = nn.Linear(1280, NUM_CLASSES)  # expect: SHP101 1280 1536

if __name__ == "__main__":
    model.eval()
    with torch.no_grad():
        print(model(torch.randn(2, 3, 300, 300)).shape)
