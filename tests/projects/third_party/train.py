import torch
from transformers import AutoModel

from models import Backbone, timm_model

model = Backbone()
print(model(torch.randn(8, 3, 224, 224)).shape)
print(timm_model()(torch.randn(8, 3, 224, 224)).shape)
text_encoder = AutoModel.from_pretrained("bert-base-uncased")
