"""The LightningModule autoencoder of lightning_autoencoder_example_input.py with a third stride-2
convolution added to the encoder (7 -> 4) and the bottleneck Linear left at 32 * 7 * 7: the
summary Lightning prints from self.example_input_array crashes."""
import pytorch_lightning as pl
import torch
import torch.nn as nn
import torch.nn.functional as F
from pytorch_lightning.utilities.model_summary import ModelSummary


class LitAutoEncoder(pl.LightningModule):
    def __init__(self, latent_dim=32):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),   # 28 -> 14
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),  # 14 -> 7
            nn.Conv2d(32, 32, 3, stride=2, padding=1), nn.ReLU(),  # 7 -> 4
            nn.Flatten(),
            nn.Linear(32 * 4 * 4, latent_dim),  # expect: SHP101 1568 512
        )
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, 32 * 7 * 7), nn.ReLU(),
            nn.Unflatten(1, (32, 7, 7)),
            nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid(),
        )
        self.example_input_array = torch.zeros(8, 1, 28, 28)

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def training_step(self, batch, batch_idx):
        x, _ = batch
        loss = F.mse_loss(self(x), x)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)


autoencoder = LitAutoEncoder()
print(ModelSummary(autoencoder, max_depth=-1))
