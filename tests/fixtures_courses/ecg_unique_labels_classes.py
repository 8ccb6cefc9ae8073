"""A 12-lead ECG classifier with one output per distinct label of the training set (1000 samples a record)."""
import numpy as np
import torch
import torch.nn as nn

X_train = np.random.randn(64, 12, 1000).astype(np.float32)
y_train = np.random.randint(0, 5, size=64)


class ECGNet(nn.Module):
    def __init__(self, in_channels, n_classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(in_channels, 32, kernel_size=7, padding=3), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(4),
            nn.Conv1d(32, 64, kernel_size=5, padding=2), nn.BatchNorm1d(64), nn.ReLU(), nn.MaxPool1d(5),
        )
        self.classifier = nn.Linear(64 * 50, n_classes)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


model = ECGNet(X_train.shape[1], len(np.unique(y_train)))
logits = model(torch.from_numpy(X_train[:8]))
print(logits.shape)
