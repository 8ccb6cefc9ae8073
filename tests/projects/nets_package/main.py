import argparse

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from nets import MLP, LeNet


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    data = datasets.MNIST("data", train=True, download=True, transform=transforms.ToTensor())
    loader = DataLoader(data, batch_size=128, shuffle=True)
    for model in (LeNet(num_classes=10), MLP(28 * 28, 256, 10)):
        optimizer = torch.optim.Adam(model.parameters())
        for epoch in range(args.epochs):
            for images, targets in loader:
                optimizer.zero_grad()
                loss = torch.nn.functional.cross_entropy(model(images), targets)
                loss.backward()
                optimizer.step()


if __name__ == "__main__":
    main()
