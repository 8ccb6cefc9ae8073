"""The LightningModule of lightning_mnist_datamodule.py, ported to the DataModule of 32x32 padded
digits (LeNet-5 style), with the head still sized for 28x28: 64x8x8 features reach fc1."""
import lightning as L
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset


class MNISTDataModule(L.LightningDataModule):
    def __init__(self, batch_size=32):
        super().__init__()
        self.batch_size = batch_size

    def setup(self, stage=None):
        # MNIST padded to 32x32 as LeNet-5 wants it
        images = F.pad(torch.rand(64, 1, 28, 28), (2, 2, 2, 2))
        labels = torch.randint(0, 10, (64,))
        self.mnist_train = TensorDataset(images, labels)

    def train_dataloader(self):
        return DataLoader(self.mnist_train, batch_size=self.batch_size)


class LitConvNet(L.LightningModule):
    def __init__(self, lr=1e-3):
        super().__init__()
        self.lr = lr
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.fc1 = nn.Linear(64 * 8 * 8, 128)  # expect: SHP101 3136 4096
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))

    def training_step(self, batch, batch_idx):
        x, y = batch
        logits = self(x)
        loss = F.cross_entropy(logits, y)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.lr)


model = LitConvNet()
trainer = L.Trainer(max_steps=2, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, datamodule=MNISTDataModule())
