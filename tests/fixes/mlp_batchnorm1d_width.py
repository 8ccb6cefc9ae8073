import torch
import torch.nn as nn

INPUT_DIM = 28 * 28

# Fashion-MNIST MLP with batch norm; runs fine without the BN layers.
model = nn.Sequential(
    nn.Flatten(),
    nn.Linear(INPUT_DIM, 512),
    nn.BatchNorm1d(512),
    nn.ReLU(),
    nn.Linear(512, 256),
    nn.BatchNorm1d(256),  # expect: SHP102 512 256
    nn.ReLU(),
    nn.Linear(256, 10),
)

if __name__ == "__main__":
    logits = model(torch.randn(16, 1, 28, 28))
    print(logits.shape)
