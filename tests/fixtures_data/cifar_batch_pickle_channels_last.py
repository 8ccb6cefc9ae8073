"""Predicting on the raw CIFAR-10 python batches, as many notebooks unpickle them: the rows are
reshaped to N x 3 x 32 x 32 and transposed to N x 32 x 32 x 3 to show them with matplotlib, and
that channels-last array is what reaches the model."""
import os
import pickle

import numpy as np
import torch
import torch.nn as nn


def unpickle(file):
    with open(file, "rb") as fo:
        batch = pickle.load(fo, encoding="bytes")
    return batch


# --- stand-in for the downloaded cifar-10-batches-py/data_batch_1 ------------------------------
if not os.path.exists("data_batch_1"):
    with open("data_batch_1", "wb") as fo:
        pickle.dump({b"data": np.random.randint(0, 256, (100, 3072), dtype=np.uint8),
                     b"labels": list(np.random.randint(0, 10, 100))}, fo)
# ------------------------------------------------------------------------------------------------

batch = unpickle("data_batch_1")
images = batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # N x 32 x 32 x 3, for plt.imshow
labels = np.array(batch[b"labels"])

model = nn.Sequential(
    nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(64 * 8 * 8, 10),
)
model.eval()
with torch.no_grad():
    x = torch.tensor(images[:16], dtype=torch.float32) / 255.0
    predictions = model(x).argmax(1)  # expect: SHP201 3 32
print((predictions.numpy() == labels[:16]).mean())
