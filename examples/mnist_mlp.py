"""MNIST digits with a multilayer perceptron: flatten the 28×28 image, two linear layers.

    shapecheck examples/mnist_mlp.py
"""
import torch
import torch.nn as nn

model = nn.Sequential(
    nn.Flatten(),           # B×1×28×28 -> B×784
    nn.Linear(784, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
)

if __name__ == "__main__":
    images = torch.randn(64, 1, 28, 28)  # one batch of MNIST images
    print(model(images).shape)           # torch.Size([64, 10])
