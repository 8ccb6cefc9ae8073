"""The PyTorch DCGAN tutorial's generator with a BatchNorm2d that kept the width of the layer
before: its ConvTranspose2d was changed to ngf * 2 feature maps."""
import torch
import torch.nn as nn

nz = 100
ngf = 64
nc = 3


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 8, ngf * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf * 4),  # expect: SHP102 256 128 @13 use nn.BatchNorm2d(ngf * 2)
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


netG = Generator()

if __name__ == "__main__":
    print(netG(torch.randn(2, nz, 1, 1)).shape)
