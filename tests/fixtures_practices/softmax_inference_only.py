# Logits for training, probabilities only for prediction: nothing is normalised twice.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(20, 64)
        self.fc2 = nn.Linear(64, 3)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


class Predictor(nn.Module):
    """Wraps a trained classifier for serving: it returns probabilities."""

    def __init__(self, classifier):
        super().__init__()
        self.classifier = classifier
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        return self.softmax(self.classifier(x))


X = torch.randn(300, 20)
y = torch.randint(0, 3, (300,))
model = Classifier()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
loss_fn = nn.CrossEntropyLoss()
for step in range(100):
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

predictor = Predictor(model)
predictor.eval()
with torch.no_grad():
    probabilities = predictor(X[:5])
    print(probabilities.argmax(dim=1), F.softmax(model(X[:5]), dim=1))
