import torch
import torch.nn as nn

# feature extractor for the patch classifier; input size depends on the crop
# setting in config.yaml, so nothing here assumes a resolution
encoder = nn.Sequential(
    nn.Conv2d(3, 32, 3),
    nn.ReLU(),
    nn.Conv2d(32, 64, 3),  # expect: SHP102 64 32
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(64, 128, 3),
    nn.ReLU(),
    nn.AdaptiveMaxPool2d(1),
    nn.Flatten(),
)

if __name__ == "__main__":
    import os

    crop = int(os.environ.get("CROP", "40"))
    feats = encoder(torch.randn(2, 3, crop, crop))
    print(feats.shape)
