# A binary classifier that applies the sigmoid in forward, trained with BCEWithLogitsLoss.
import torch
import torch.nn as nn


class SpamFilter(nn.Module):
    def __init__(self, vocab_size):
        super().__init__()
        self.hidden = nn.Linear(vocab_size, 64)
        self.out = nn.Linear(64, 1)

    def forward(self, x):
        x = torch.relu(self.hidden(x))
        return torch.sigmoid(self.out(x))  # expect: SHP401


model = SpamFilter(5000)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
bags = torch.rand(128, 5000)
is_spam = torch.randint(0, 2, (128, 1)).float()
for epoch in range(10):
    optimizer.zero_grad()
    loss = criterion(model(bags), is_spam)
    loss.backward()
    optimizer.step()
