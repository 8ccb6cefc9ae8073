# Quick sanity check of the trained model on raw images.
import numpy as np
import torch
import torch.nn as nn

model = nn.Sequential(
    nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(64 * 8 * 8, 10),
)

# with open("data_batch_1", "rb") as f: images = pickle.load(f, encoding="bytes")[b"data"]
images = np.random.randint(0, 256, size=(16, 32 * 32 * 3)).astype(np.float32)
images = images.reshape(-1, 32, 32, 3) / 255.0

with torch.no_grad():
    logits = model(torch.tensor(images, dtype=torch.float32).permute(0, 3, 1, 2))  # expect: SHP201 3 32
print(logits.argmax(1))
