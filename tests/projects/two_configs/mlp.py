import torch.nn as nn


class MLP(nn.Module):
    def __init__(self, in_features, hidden=256, num_classes=10):
        super().__init__()
        self.fc1 = nn.Linear(in_features, hidden)
        self.fc2 = nn.Linear(hidden, num_classes)

    def forward(self, x):
        return self.fc2(self.fc1(x.flatten(1)).relu())
