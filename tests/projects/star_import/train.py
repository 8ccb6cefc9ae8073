import torch

import models as M

net = M.SmallNet(num_classes=10)
print(net(torch.randn(32, 3, 32, 32)).shape)
