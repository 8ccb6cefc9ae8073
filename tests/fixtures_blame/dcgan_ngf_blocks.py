"""A DCGAN generator whose sizes are multiples of ngf, built from an upsampling block helper as in
many DCGAN ports: the third block doubles its input's width, which ngf * 4 feature maps were."""
import torch
import torch.nn as nn

nz = 100
ngf = 64
nc = 3


def up_block(in_ch, out_ch):
    return [nn.ConvTranspose2d(in_ch, out_ch, 4, 2, 1, bias=False), nn.BatchNorm2d(out_ch), nn.ReLU(True)]


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 8, 4, 1, 0, bias=False),
            nn.BatchNorm2d(ngf * 8),
            nn.ReLU(True),
            *up_block(ngf * 8, ngf * 4),
            *up_block(ngf * 2, ngf * 2),  # expect: SHP102 128 256 @23 pass ngf * 4 as in_ch: up_block(ngf * 4, ngf * 2)
            *up_block(ngf * 2, ngf),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


netG = Generator()

if __name__ == "__main__":
    print(netG(torch.randn(2, nz, 1, 1)).shape)
