import torch

from dcgan import Discriminator, Generator

nz, ngf, ndf, nc = 100, 64, 64, 3
netG = Generator(ngpu=1, nz=nz, ngf=ngf, nc=nc)
netD = Discriminator(1, ndf, nc)
noise = torch.randn(128, nz, 1, 1)
fake = netG(noise)
output = netD(fake.detach()).view(-1)
