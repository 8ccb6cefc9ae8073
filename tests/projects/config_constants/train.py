import torch

import config as cfg
from model import ConvNet

model = ConvNet()
batch = torch.randn(cfg.BATCH_SIZE, cfg.CHANNELS, cfg.IMAGE_SIZE, cfg.IMAGE_SIZE)
print(model(batch).shape)
