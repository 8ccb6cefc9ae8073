"""A small CRNN for licence plates: the CNN keeps a height of 4, which the author folds into the
features (c * h) before the LSTM, but sized the LSTM for a height of 8."""
import torch
import torch.nn as nn

NUM_CHARS = 36 + 1  # digits, letters and the CTC blank


class PlateCRNN(nn.Module):
    def __init__(self, hidden=128):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2),                                                 # 32×16×48
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.MaxPool2d(2),                                                 # 64×8×24
            nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(),
            nn.MaxPool2d((2, 1)),                                            # 128×4×24
        )
        self.lstm = nn.LSTM(512, hidden, num_layers=2, batch_first=True, bidirectional=True)  # expect: SHP102 1024 512
        self.classifier = nn.Linear(2 * hidden, NUM_CHARS)

    def forward(self, images):
        f = self.features(images)                 # B×C×H×W
        b, c, h, w = f.shape
        f = f.permute(0, 3, 1, 2).reshape(b, w, c * h)
        seq, (h_n, c_n) = self.lstm(f)
        return self.classifier(seq).log_softmax(-1)


if __name__ == "__main__":
    model = PlateCRNN()
    out = model(torch.randn(8, 3, 32, 96))
    print(out.shape)
