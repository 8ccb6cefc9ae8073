# Gradients zeroed in every form the loop rule accepts: zero_grad after step, model.zero_grad(),
# set_to_none, under an if for gradient accumulation, p.grad = None, in a helper called each
# iteration, or inside an LBFGS closure.
import torch
import torch.nn as nn

X, y = torch.randn(256, 8), torch.randn(256, 1)
model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1))
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
accumulation_steps = 4

for step in range(100):
    loss_fn(model(X), y).backward()
    optimizer.step()
    optimizer.zero_grad()

for step in range(100):
    model.zero_grad()
    loss_fn(model(X), y).backward()
    optimizer.step()

for i in range(100):
    loss = loss_fn(model(X[i % 8::8]), y[i % 8::8]) / accumulation_steps
    loss.backward()
    if (i + 1) % accumulation_steps == 0:
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

for step in range(100):
    loss_fn(model(X), y).backward()
    optimizer.step()
    for p in model.parameters():
        p.grad = None


def reset_gradients():
    optimizer.zero_grad()


for step in range(100):
    reset_gradients()
    loss_fn(model(X), y).backward()
    optimizer.step()

lbfgs = torch.optim.LBFGS(model.parameters(), lr=0.1)
for step in range(20):
    def closure():
        lbfgs.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        return loss
    lbfgs.step(closure)
