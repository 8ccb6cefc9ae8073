# NLLLoss on a model that ends in a Linear layer: the raw scores are taken as log-probabilities.
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

X = torch.randn(1000, 30)
y = torch.randint(0, 4, (1000,))
loader = DataLoader(TensorDataset(X, y), batch_size=100, shuffle=True)

model = nn.Sequential(
    nn.Linear(30, 64),
    nn.ReLU(),
    nn.Dropout(0.3),
    nn.Linear(64, 4),
)
criterion = nn.NLLLoss()  # expect: SHP403
optimizer = torch.optim.Adam(model.parameters())

for epoch in range(20):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
