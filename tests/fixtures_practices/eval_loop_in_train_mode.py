# Train, then measure test accuracy under no_grad, but still in training mode: dropout and batch
# norm behave as in training while the accuracy is measured.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

X_train, y_train = torch.randn(800, 20), torch.randint(0, 3, (800,))
X_test, y_test = torch.randn(200, 20), torch.randint(0, 3, (200,))
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)
test_loader = DataLoader(TensorDataset(X_test, y_test), batch_size=100)

model = nn.Sequential(
    nn.Linear(20, 64),
    nn.BatchNorm1d(64),
    nn.ReLU(),
    nn.Dropout(0.5),
    nn.Linear(64, 3),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(10):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()

correct = 0
with torch.no_grad():
    for xb, yb in test_loader:
        preds = model(xb).argmax(dim=1)  # expect: SHP408
        correct += (preds == yb).sum().item()
print(f"test accuracy: {correct / len(X_test):.3f}")
