"""STL-10 from its binary files, read as the dataset's reference loader does: np.fromfile, reshaped
to N x 3 x 96 x 96 (the file is column-major, so H and W are swapped back), served by a Dataset
whose __getitem__ returns one channels-first image and its label."""
import os

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Dataset


def read_all_images(path_to_data):
    with open(path_to_data, "rb") as f:
        everything = np.fromfile(f, dtype=np.uint8)
        images = np.reshape(everything, (-1, 3, 96, 96))
        return np.transpose(images, (0, 1, 3, 2))


def read_labels(path_to_labels):
    with open(path_to_labels, "rb") as f:
        return np.fromfile(f, dtype=np.uint8) - 1


# --- stand-ins for stl10_binary/train_X.bin and train_y.bin ----------------------------------------
if not os.path.exists("train_X.bin"):
    np.random.randint(0, 256, 8 * 3 * 96 * 96, dtype=np.uint8).tofile("train_X.bin")
    np.random.randint(1, 11, 8, dtype=np.uint8).tofile("train_y.bin")
# ----------------------------------------------------------------------------------------------------


class STL10Binary(Dataset):
    def __init__(self, images, labels):
        self.images = images
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        image = torch.from_numpy(self.images[idx]).float() / 255.0
        return image, int(self.labels[idx])


loader = DataLoader(STL10Binary(read_all_images("train_X.bin"), read_labels("train_y.bin")), batch_size=4)

model = nn.Sequential(
    nn.Conv2d(3, 32, 5, stride=2, padding=2), nn.ReLU(), nn.MaxPool2d(2),   # 96 -> 48 -> 24
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),            # 24 -> 12
    nn.Flatten(), nn.Linear(64 * 12 * 12, 10),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for images, labels in loader:
    optimizer.zero_grad()
    loss = criterion(model(images), labels)
    loss.backward()
    optimizer.step()
print(loss.item())
