"""The inputs course material gives its models, followed from the code: d2l's layer-by-layer loop,
noise reshaped for a generator, one model's output fed to another, a DataLoader over the file's
own Dataset class whose ``__getitem__`` returns a transformed image."""

from __future__ import annotations

import textwrap

from shapecheck.api import check_source

HEADER = "import numpy as np\nimport torch\nfrom torch import nn\n\n"


def check(body: str):
    return check_source(HEADER + textwrap.dedent(body), "notebook.py")


def test_a_sequential_applied_layer_by_layer_is_checked_as_one_model_on_that_input():
    result = check("""
        net = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2),
                            nn.Flatten(), nn.Linear(6 * 14 * 14, 10))
        X = torch.rand(size=(1, 1, 28, 28), dtype=torch.float32)
        for layer in net:
            X = layer(X)
            print(layer.__class__.__name__, 'output shape:\\t', X.shape)
        head = nn.Linear(10, 2)
        out = head(X)
    """)
    assert not result.diagnostics
    net, head = result.models
    assert (net.name, net.status, net.input_shape, net.output_shape) == ("net", "ok", ("B", 1, 28, 28), ("B", 10))
    assert net.input_source == "each layer of net in turn at line 10"
    assert len(net.layers) == 5
    assert (head.name, head.input_shape) == ("head", ("B", 10))  # X after the loop is what net returned


def test_each_layer_is_checked_and_the_finding_is_at_the_layer():
    result = check("""
        net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.ReLU(), nn.Conv2d(8, 16, 5))
        X = torch.randn(size=(1, 1, 32, 32))
        for blk in net:
            X = blk(X)
    """)
    [finding] = result.diagnostics
    assert (finding.code, finding.span.line, finding.span.column) == ("SHP102", 6, 52)
    assert finding.message.startswith("net.2: Conv2d expects 8 input channels (in_channels) but receives 6")
    assert [m.name for m in result.models] == ["net"]


DATASET = """
from PIL import Image
from torch.utils.data import Dataset, DataLoader
from torchvision import transforms


class Pictures(Dataset):
    def __init__(self, files, transform=None):
        self.files = files
        self.transform = transform

    def __len__(self):
        return len(self.files)

    def __getitem__(self, idx):
        {open_image}
        if self.transform:
            img = self.transform(img)
        return img, 0


loader = DataLoader(Pictures(["a.jpg"], transform={transform}), batch_size=8)
model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten())
images, labels = next(iter(loader))
out = model(images)
"""


def input_of(open_image: str, transform: str):
    result = check(DATASET.format(open_image=open_image, transform=transform))
    [model] = result.models
    return model.input_shape


def test_a_dataset_class_returning_a_transformed_picture_gives_the_model_its_size():
    crop = "transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor()])"
    assert input_of('img = Image.open(self.files[idx]).convert("RGB")', crop) == ("B", 3, 224, 224)
    assert input_of('img = Image.open(self.files[idx]).convert("L")', crop) == ("B", 1, 224, 224)
    # PIL's resize takes (width, height); Resize((h, w)) the other way round
    assert input_of('img = Image.open(self.files[idx]).convert("RGB").resize((64, 48))',
                    "transforms.ToTensor()") == ("B", 3, 48, 64)
    assert input_of('img = Image.open(self.files[idx]).convert("RGB")',
                    "transforms.Compose([transforms.Scale((40, 30)), transforms.ToTensor()])") == ("B", 3, 40, 30)


def test_what_the_code_does_not_say_of_the_picture_stays_unknown():
    # the mode of an opened file is not known; the smaller edge alone leaves the other unknown
    shape = input_of("img = Image.open(self.files[idx])",
                     "transforms.Compose([transforms.CenterCrop(32), transforms.ToTensor()])")
    assert shape == ("B", "?", 32, 32)
    shape = input_of('img = Image.open(self.files[idx]).convert("RGB")',
                     "transforms.Compose([transforms.Resize(64), transforms.ToTensor()])")
    assert shape == ("B", 3, "H", "W")  # checked for any size, with the channels known
    # without ToTensor the sample is a PIL image, not a tensor: the model has no input from it
    result = check(DATASET.format(open_image='img = Image.open(self.files[idx]).convert("RGB")',
                                  transform="transforms.CenterCrop(32)"))
    assert result.models[0].input_source.startswith("symbolic")


def test_totensor_reads_an_array_as_height_width_channels():
    assert input_of("img = np.zeros((30, 40, 3), dtype=np.uint8)", "transforms.ToTensor()") == ("B", 3, 30, 40)
    assert input_of("img = Image.fromarray(np.zeros((30, 40), dtype=np.uint8))",
                    "transforms.Compose([transforms.Grayscale(3), transforms.ToTensor()])") == ("B", 3, 30, 40)


def test_image_folder_gives_rgb_pictures_through_its_transform():
    result = check("""
        from torchvision import datasets, transforms
        data = datasets.ImageFolder("data/celeba", transform=transforms.Compose([
            transforms.Resize(64), transforms.CenterCrop(64), transforms.ToTensor()]))
        loader = torch.utils.data.DataLoader(data, batch_size=128)
        netD = nn.Sequential(nn.Conv2d(3, 64, 4, 2, 1), nn.Flatten(), nn.Linear(64 * 32 * 32, 1))
        for real, _ in loader:
            netD(real)
    """)
    [model] = result.models
    assert (model.input_shape, model.status) == (("B", 3, 64, 64), "ok")


def test_next_takes_the_items_of_an_iterator_in_turn():
    result = check("""
        layers = iter([nn.Linear(4, 8), nn.Linear(8, 3)])
        first = next(layers)
        second = next(layers)
        nothing = next(layers, None)
        x = torch.randn(2, 8)
        out = second(x)
    """)
    [model] = result.models
    assert (model.name, model.input_shape, model.output_shape) == ("second", ("B", 8), ("B", 3))
