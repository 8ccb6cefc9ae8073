import torch.nn as nn

from config import CHANNELS, IMAGE_SIZE, NUM_CLASSES


class ConvNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(CHANNELS, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.fc = nn.Linear(64 * (IMAGE_SIZE // 4) ** 2, NUM_CLASSES)

    def forward(self, x):
        return self.fc(self.body(x).flatten(1))
