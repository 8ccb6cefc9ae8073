# Fashion-MNIST classifier: smoke test with a random batch before wiring up the real data.
import torch
import torch.nn as nn

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

model = nn.Sequential(
    nn.Conv2d(1, 32, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(64 * 7 * 7, 128),
    nn.ReLU(),
    nn.Linear(128, 10),
).to(device)

x = torch.randn(64, 784)           # a batch of flattened 28x28 images, like the CSV rows
x = x.view(-1, 1, 28, 28).to(device)
labels = torch.randint(0, 10, (64,), device=device)

logits = model(x)
loss = nn.functional.cross_entropy(logits, labels)
loss.backward()
print(logits.shape, loss.item())
