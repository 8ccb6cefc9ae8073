"""ViT-B/16 fine-tuned on Oxford-IIIT Pets (37 breeds): only the new head trains."""
import torch
import torch.nn as nn
from torchvision.models import vit_b_16, ViT_B_16_Weights

model = vit_b_16(weights=ViT_B_16_Weights.DEFAULT)
for p in model.parameters():
    p.requires_grad = False
model.heads.head = nn.Linear(model.heads.head.in_features, 37)

optimizer = torch.optim.AdamW(model.heads.parameters(), lr=3e-4)

if __name__ == "__main__":
    images, labels = torch.randn(2, 3, 224, 224), torch.tensor([3, 30])
    loss = nn.functional.cross_entropy(model(images), labels)
    loss.backward()
    optimizer.step()
    print(loss.item())
