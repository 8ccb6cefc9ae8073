# fc1 feeds fc2 directly in forward: the two layers are one linear map.
import torch
import torch.nn as nn
import torch.nn.functional as F


class TabularNet(nn.Module):
    def __init__(self, n_features, n_classes):
        super().__init__()
        self.fc1 = nn.Linear(n_features, 128)
        self.drop = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, 64)
        self.fc3 = nn.Linear(64, n_classes)

    def forward(self, x):
        x = self.fc1(x)
        x = self.drop(x)
        x = self.fc2(x)  # expect: SHP405
        x = F.relu(x)
        return self.fc3(x)


model = TabularNet(12, 2)
print(model(torch.randn(4, 12)).shape)
