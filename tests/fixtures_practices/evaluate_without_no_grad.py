# evaluate() switches to eval mode but records the autograd graph for every batch.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset


def evaluate(model, loader, device):
    model.eval()
    correct = total = 0
    for xb, yb in loader:
        xb, yb = xb.to(device), yb.to(device)
        logits = model(xb)  # expect: SHP407
        correct += (logits.argmax(dim=1) == yb).sum().item()
        total += yb.numel()
    return correct / total


device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
val_loader = DataLoader(TensorDataset(torch.randn(200, 10), torch.randint(0, 2, (200,))), batch_size=50)
model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2)).to(device)
print(evaluate(model, val_loader, device))
