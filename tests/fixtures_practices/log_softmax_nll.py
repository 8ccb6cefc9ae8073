# Both correct pairings: log_softmax with NLLLoss, logits with CrossEntropyLoss, sigmoid with BCELoss.
import torch
import torch.nn as nn
import torch.nn.functional as F

X = torch.randn(200, 10)
y = torch.randint(0, 5, (200,))
y_binary = (X[:, 0] > 0).float().unsqueeze(1)

log_prob_model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 5), nn.LogSoftmax(dim=1))
logit_model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 5))
binary_model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())
opt = torch.optim.Adam([*log_prob_model.parameters(), *logit_model.parameters(), *binary_model.parameters()])

for step in range(50):
    nll = nn.NLLLoss()(log_prob_model(X), y)
    ce = F.cross_entropy(logit_model(X), y)
    logits = logit_model(X)
    nll_from_logits = F.nll_loss(F.log_softmax(logits, dim=1), y)
    bce = nn.BCELoss()(binary_model(X), y_binary)
    opt.zero_grad()
    (nll + ce + nll_from_logits + bce).backward()
    opt.step()
