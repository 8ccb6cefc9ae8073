# The same predictions, copied to host memory before numpy sees them.
import numpy as np
import pandas as pd
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

test = pd.read_csv("test.csv").to_numpy(dtype=np.float32) / 255.0
test_loader = DataLoader(TensorDataset(torch.from_numpy(test)), batch_size=256)

model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)).to(device)
model.eval()

predictions, confidences = [], []
with torch.no_grad():
    for (images,) in test_loader:
        logits = model(images.to(device))
        predictions.append(logits.argmax(dim=1).cpu().numpy())
        confidences.extend(logits.softmax(dim=1).max(dim=1).values.tolist())
        top = logits.max().item()

cpu_logits = model(torch.from_numpy(test[:4]).to(device)).detach().to("cpu")
print(cpu_logits.numpy(), np.asarray(cpu_logits), top)
inputs = torch.from_numpy(test[:4])
print(inputs.numpy().shape)
pd.DataFrame({"Label": np.concatenate(predictions), "p": confidences}).to_csv("submission.csv", index=False)
