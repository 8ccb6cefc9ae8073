# Predictions for a submission file, from a model on the GPU.
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

test = pd.read_csv("test.csv").to_numpy(dtype=np.float32) / 255.0
test_loader = DataLoader(TensorDataset(torch.from_numpy(test)), batch_size=256)

model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
model.load_state_dict(torch.load("model.pt", map_location=device))
model = model.to(device)
model.eval()

predictions = []
with torch.no_grad():
    for (images,) in test_loader:
        images = images.to(device)
        logits = model(images)
        predictions.append(logits.argmax(dim=1).detach().numpy())  # expect: SHP303

probabilities = torch.softmax(model(torch.from_numpy(test[:4]).to(device)), dim=1)
print(np.round(np.asarray(probabilities), 3))  # expect: SHP303

pd.DataFrame({"ImageId": np.arange(1, len(test) + 1), "Label": np.concatenate(predictions)}).to_csv(
    "submission.csv", index=False)
