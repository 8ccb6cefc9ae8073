"""Stand-ins for the libraries course material imports and the suite does not install: PIL's
Image, torchvision's transforms, ImageFolder and save_image, d2l's loaders and training loop.
Each does what the material relies on, on tensors, so the material runs under torch: an opened
file is a 375×500 RGB picture, whatever the file holds."""

from __future__ import annotations

import os
import types

import torch
import torch.nn.functional as F

_BANDS = {"L": 1, "RGB": 3, "RGBA": 4}


class StandInImage:
    def __init__(self, pixels: torch.Tensor):
        self.pixels = pixels  # C×H×W in [0, 1]

    @property
    def size(self):
        return self.pixels.shape[2], self.pixels.shape[1]

    def convert(self, mode):
        bands = _BANDS[mode]
        return StandInImage(self.pixels.mean(0, keepdim=True).expand(bands, -1, -1).clone())

    def resize(self, size):
        width, height = size
        return StandInImage(F.interpolate(self.pixels[None], size=(height, width))[0])

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _open(fp, mode="r"):
    return StandInImage(torch.rand(3, 375, 500))


def _pixels(image):
    return image.pixels if isinstance(image, StandInImage) else image


def _like(image, pixels):
    return StandInImage(pixels) if isinstance(image, StandInImage) else pixels


class Compose:
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, image):
        for t in self.transforms:
            image = t(image)
        return image


class Resize:
    def __init__(self, size):
        self.size = size

    def __call__(self, image):
        x = _pixels(image)
        h, w = x.shape[-2:]
        if isinstance(self.size, int):  # the smaller edge becomes size
            size = (self.size, int(self.size * w / h)) if h <= w else (int(self.size * h / w), self.size)
        else:
            size = tuple(self.size)
        return _like(image, F.interpolate(x[None], size=size)[0])


class CenterCrop:
    def __init__(self, size):
        self.size = (size, size) if isinstance(size, int) else tuple(size)

    def __call__(self, image):
        x = _pixels(image)
        h, w = x.shape[-2:]
        top, left = (h - self.size[0]) // 2, (w - self.size[1]) // 2
        return _like(image, x[..., top:top + self.size[0], left:left + self.size[1]])


class RandomHorizontalFlip:
    def __call__(self, image):
        return _like(image, _pixels(image).flip(-1))


class ToTensor:
    def __call__(self, image):
        return _pixels(image).clone()


class Normalize:
    def __init__(self, mean, std):
        self.mean, self.std = torch.tensor(mean), torch.tensor(std)

    def __call__(self, x):
        if self.mean.numel() not in (1, x.shape[0]):
            raise ValueError("mean and std must have as many values as the tensor has channels")
        return (x - self.mean.view(-1, 1, 1)) / self.std.view(-1, 1, 1)


class ImageFolder(torch.utils.data.Dataset):
    def __init__(self, root, transform=None):
        self.classes = sorted(c for c in os.listdir(root) if os.path.isdir(os.path.join(root, c)))
        self.samples = sorted((os.path.join(root, c, f), i)
                              for i, c in enumerate(self.classes) for f in os.listdir(os.path.join(root, c)))
        self.transform = transform

    def __len__(self):
        return len(self.samples)

    def __getitem__(self, index):
        path, label = self.samples[index]
        image = _open(path).convert("RGB")
        return (self.transform(image) if self.transform else image), label


class MNIST(torch.utils.data.Dataset):
    """Eight grey 28×28 digits through the transform."""

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        self.transform = transform

    def __len__(self):
        return 8

    def __getitem__(self, index):
        image = StandInImage(torch.rand(1, 28, 28))
        return (self.transform(image) if self.transform else image), index % 10


def modules() -> dict:
    """The stand-in modules by the names the material imports."""
    image = types.ModuleType("PIL.Image")
    image.open = _open
    pil = types.ModuleType("PIL")
    pil.Image = image
    transforms = types.ModuleType("torchvision.transforms")
    for cls in (Compose, Resize, CenterCrop, RandomHorizontalFlip, ToTensor, Normalize):
        setattr(transforms, cls.__name__, cls)
    transforms.Scale = Resize
    datasets = types.ModuleType("torchvision.datasets")
    datasets.ImageFolder, datasets.MNIST = ImageFolder, MNIST
    utils = types.ModuleType("torchvision.utils")
    utils.save_image = lambda *args, **kwargs: None
    torchvision = types.ModuleType("torchvision")
    torchvision.transforms, torchvision.datasets, torchvision.utils = transforms, datasets, utils
    d2l = d2l_module()
    return {"PIL": pil, "PIL.Image": image, "torchvision": torchvision, "torchvision.transforms": transforms,
            "torchvision.datasets": datasets, "torchvision.utils": utils, "d2l": d2l, "d2l.torch": d2l.torch}


def d2l_module() -> types.ModuleType:
    """d2l's loaders (a few small batches of Fashion-MNIST's size) and its training loop, one batch."""
    d2l = types.ModuleType("d2l.torch")

    def load_data_fashion_mnist(batch_size, resize=None):
        size = resize or 28
        data = torch.utils.data.TensorDataset(torch.rand(8, 1, size, size), torch.randint(0, 10, (8,)))
        return torch.utils.data.DataLoader(data, batch_size=4), torch.utils.data.DataLoader(data, batch_size=4)

    def train_ch6(net, train_iter, test_iter, num_epochs, lr, device):
        X, y = next(iter(train_iter))
        F.cross_entropy(net(X), y).backward()

    class Module(torch.nn.Module):  # d2l 1.0: the model's layers are self.net
        def save_hyperparameters(self, ignore=()):
            pass

        def forward(self, X):
            return self.net(X)

    class Classifier(Module):
        def layer_summary(self, X_shape):
            X = torch.randn(*X_shape)
            for layer in self.net:
                X = layer(X)
                print(layer.__class__.__name__, "output shape:\t", X.shape)

    d2l.Module, d2l.Classifier = Module, Classifier
    d2l.init_cnn = lambda module: None
    d2l.load_data_fashion_mnist = load_data_fashion_mnist
    d2l.train_ch6 = train_ch6
    d2l.try_gpu = lambda i=0: torch.device("cpu")
    package = types.ModuleType("d2l")
    package.torch = d2l
    return package


def write_data(folder) -> None:
    """The files the material reads: class folders of pictures and a labels CSV."""
    for root, names in (("data/leaves", [f"{i % 5}_{i}.jpg" for i in range(8)]),):
        os.makedirs(os.path.join(folder, root), exist_ok=True)
        for name in names:
            open(os.path.join(folder, root, name), "w").close()
    for cls in ("daisy", "rose"):
        for root in ("data/flowers", "data/celeba/img_align_celeba"):
            os.makedirs(os.path.join(folder, root, cls), exist_ok=True)
            for i in range(4):
                open(os.path.join(folder, root, cls, f"{i}.jpg"), "w").close()
    with open(os.path.join(folder, "data/flowers/labels.csv"), "w") as f:
        f.write("image,label\n" + "".join(f"{c}/{i}.jpg,{k}\n" for k, c in enumerate(("daisy", "rose"))
                                          for i in range(4)))
