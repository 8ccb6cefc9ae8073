# Evaluation with autograd off in each accepted form: a decorator, inference_mode, a with block in
# the caller, and set_grad_enabled(False).
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

val_loader = DataLoader(TensorDataset(torch.randn(200, 10), torch.randint(0, 2, (200,))), batch_size=50)
model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 2))


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    return sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in loader)


def validate(model, loader):
    model.eval()
    with torch.inference_mode():
        return [model(xb) for xb, _ in loader]


def test(model, loader):
    model.eval()
    losses = []
    for xb, yb in loader:
        losses.append(nn.functional.cross_entropy(model(xb), yb).item())
    return losses


def val_loop(model, loader):
    torch.set_grad_enabled(False)
    model.eval()
    for xb, yb in loader:
        print(model(xb).argmax(1))
    torch.set_grad_enabled(True)


print(evaluate(model, val_loader), len(validate(model, val_loader)))
with torch.no_grad():
    print(test(model, val_loader))
val_loop(model, val_loader)
