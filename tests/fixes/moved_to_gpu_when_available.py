"""A training script that moves and wraps the model only where a GPU is there (the usual
`if torch.cuda.is_available()` block): the model is the same either way."""
import torch
import torch.nn as nn

device = "cuda" if torch.cuda.is_available() else "cpu"


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                                      nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear(64 * 8 * 8, 10)  # expect: SHP101 1024 4096 8

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))


net = Net()
if device == "cuda":
    net.cuda()
    net = torch.nn.DataParallel(net)
    torch.backends.cudnn.benchmark = True

images = torch.randn(16, 3, 32, 32, device=device)
print(net(images).shape)
