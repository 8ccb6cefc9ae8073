"""A transformer over sensor windows: each time step's 9 readings are projected to d_model, but the
encoder layer was written with the width of an earlier version (64) while the projection gives 128."""
import torch
import torch.nn as nn

N_SENSORS = 9
WINDOW = 50


class SensorTransformer(nn.Module):
    def __init__(self, d_model=128, num_layers=3, num_activities=6):
        super().__init__()
        self.input_proj = nn.Linear(N_SENSORS, d_model)
        layer = nn.TransformerEncoderLayer(d_model=128, nhead=8, dim_feedforward=256, dropout=0.1)  # expect: SHP102 64 128
        self.encoder = nn.TransformerEncoder(layer, num_layers)
        self.classifier = nn.Linear(d_model, num_activities)

    def forward(self, x):                 # B×WINDOW×N_SENSORS
        x = self.input_proj(x)            # B×WINDOW×d_model
        x = x.transpose(0, 1)             # WINDOW×B×d_model: the encoder is sequence-first
        x = self.encoder(x)
        return self.classifier(x.mean(dim=0))


if __name__ == "__main__":
    model = SensorTransformer()
    out = model(torch.randn(32, WINDOW, N_SENSORS))
    print(out.shape)
