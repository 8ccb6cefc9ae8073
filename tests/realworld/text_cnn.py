"""CNN for sentence classification (Kim 2014), the way most PyTorch ports write it."""
import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB_SIZE = 20000
EMBED_DIM = 128
NUM_CLASSES = 5
MAX_LEN = 64


class TextCNN(nn.Module):
    def __init__(self, vocab_size, embed_dim, num_classes, kernel_sizes=(3, 4, 5), num_filters=100, dropout=0.5):
        super(TextCNN, self).__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.convs = nn.ModuleList([
            nn.Conv1d(in_channels=embed_dim, out_channels=num_filters, kernel_size=k)
            for k in kernel_sizes
        ])
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(len(kernel_sizes) * num_filters, num_classes)

    def forward(self, x):
        # x: (batch, seq_len) token ids
        x = self.embedding(x)            # (batch, seq_len, embed_dim)
        x = x.permute(0, 2, 1)           # (batch, embed_dim, seq_len)
        x = [F.relu(conv(x)) for conv in self.convs]
        x = [F.max_pool1d(c, c.size(2)).squeeze(2) for c in x]
        x = torch.cat(x, 1)
        x = self.dropout(x)
        logits = self.fc(x)
        return logits


if __name__ == "__main__":
    model = TextCNN(VOCAB_SIZE, EMBED_DIM, NUM_CLASSES)
    tokens = torch.randint(1, VOCAB_SIZE, (32, MAX_LEN))
    print(model(tokens).shape)
