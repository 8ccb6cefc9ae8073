import torch

from nets import SmallNet

model = SmallNet(num_classes=10).eval()
with torch.no_grad():
    print(model(torch.randn(1, 3, 32, 32)).argmax(1))
