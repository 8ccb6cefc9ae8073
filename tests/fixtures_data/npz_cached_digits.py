"""Train on the digits cached by prepare_data.py (images already N x 1 x 28 x 28, floats in [0, 1])."""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

CACHE = "digits_cache.npz"


def write_stand_in_cache():
    # prepare_data.py writes this file from the raw CSVs; here a small random one stands in
    imgs = np.random.rand(150, 1, 28, 28).astype(np.float32)
    np.savez_compressed(CACHE, images=imgs, labels=np.random.randint(0, 10, 150))


def main():
    write_stand_in_cache()
    cache = np.load(CACHE)
    images, labels = cache["images"], cache["labels"]
    print("loaded", images.shape)

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    ds = TensorDataset(torch.from_numpy(images), torch.from_numpy(labels).long())
    loader = DataLoader(ds, batch_size=64, shuffle=True)

    model = nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),    # 26 -> 13
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),   # 11 -> 5
        nn.Flatten(),
        nn.Linear(32 * 5 * 5, 10),
    ).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)

    for epoch in range(1):
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            logits = model(xb)
            loss = nn.functional.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"epoch {epoch}: {loss.item():.3f}")


if __name__ == "__main__":
    main()
