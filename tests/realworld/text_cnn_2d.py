"""Kim's CNN for sentence classification with 2-D convolutions over the embedded sentence, the way
Shawn1993/cnn-text-classification-pytorch writes it: unsqueeze(1) to one input channel, then
squeeze(3) and squeeze(2) back."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class CNN_Text(nn.Module):

    def __init__(self, embed_num, embed_dim, class_num, kernel_num=100, kernel_sizes=(3, 4, 5), dropout=0.5,
                 static=False):
        super(CNN_Text, self).__init__()
        V = embed_num
        D = embed_dim
        C = class_num
        Ci = 1
        Co = kernel_num
        Ks = kernel_sizes
        self.static = static

        self.embed = nn.Embedding(V, D)
        self.convs1 = nn.ModuleList([nn.Conv2d(Ci, Co, (K, D)) for K in Ks])
        self.dropout = nn.Dropout(dropout)
        self.fc1 = nn.Linear(len(Ks) * Co, C)

    def forward(self, x):
        x = self.embed(x)  # (N, W, D)

        if self.static:
            x = x.detach()

        x = x.unsqueeze(1)  # (N, Ci, W, D)

        x = [F.relu(conv(x)).squeeze(3) for conv in self.convs1]  # [(N, Co, W), ...]*len(Ks)

        x = [F.max_pool1d(i, i.size(2)).squeeze(2) for i in x]  # [(N, Co), ...]*len(Ks)

        x = torch.cat(x, 1)

        x = self.dropout(x)  # (N, len(Ks)*Co)
        logit = self.fc1(x)  # (N, C)
        return logit


if __name__ == "__main__":
    cnn = CNN_Text(embed_num=21108, embed_dim=128, class_num=2)
    feature = torch.randint(0, 21108, (64, 50))
    logit = cnn(feature)
    print(logit.size())
