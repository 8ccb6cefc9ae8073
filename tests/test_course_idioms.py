"""The inputs course material gives its models, followed from the code: d2l's layer-by-layer loop,
noise reshaped for a generator, one model's output fed to another, a DataLoader over the file's
own Dataset class whose ``__getitem__`` returns a transformed image."""

from __future__ import annotations

import textwrap

import pytest

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


def test_gan_collections_noise_through_variable_and_the_cpu_or_gpu_tensor_type():
    result = check("""
        from torch.autograd import Variable
        cuda = torch.cuda.is_available()
        Tensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor
        generator = nn.Sequential(nn.Linear(100, 784), nn.Tanh())
        discriminator = nn.Sequential(nn.Linear(784, 1), nn.Sigmoid())
        z = Variable(Tensor(np.random.normal(0, 1, (16, 100))))
        valid = Variable(Tensor(16, 1).fill_(1.0), requires_grad=False)
        gen_imgs = generator(z)
        score = discriminator(gen_imgs)
    """)
    generator, discriminator = result.models
    assert (generator.input_shape, discriminator.input_shape, discriminator.output_shape) == \
        (("B", 100), ("B", 784), ("B", 1))


def test_a_generators_output_is_the_discriminators_input_and_a_mismatch_is_at_the_discriminator():
    result = check("""
        netG = nn.Sequential(nn.ConvTranspose2d(100, 64, 4, 1, 0), nn.ConvTranspose2d(64, 3, 4, 2, 1), nn.Tanh())
        netD = nn.Sequential(nn.Conv2d(3, 16, 4, 2, 1), nn.Flatten(), nn.Linear(16 * 8 * 8, 1))
        for noise in (torch.randn(8, 100).view(-1, 100, 1, 1), torch.randn(8, 100)[:, :, None, None],
                      torch.randn(8, 100).reshape(8, 100, 1, 1)):
            out = netD(netG(noise))
    """)
    [finding] = result.diagnostics
    assert (finding.code, finding.span.line, finding.span.column) == ("SHP101", 7, 63)
    assert finding.message.startswith("netD.2: Linear expects 1024 input features but receives 256 = 16×4×4")
    generator = next(m for m in result.models if m.name == "netG")
    assert (generator.input_shape, generator.output_shape) == (("B", 100, 1, 1), ("B", 3, 8, 8))


def test_a_waveform_batch_in_channels_last_layout_is_reported_at_the_call():
    result = check("""
        model = nn.Sequential(nn.Conv1d(1, 32, 80, stride=16), nn.ReLU(), nn.AdaptiveAvgPool1d(1))
        batch = torch.stack([torch.randn(8000) for _ in range(4)]).unsqueeze(-1)
        out = model(batch)
    """)
    [finding] = result.diagnostics
    assert (finding.code, finding.span.line, finding.span.column) == ("SHP201", 8, 7)
    assert "receives 4×8000×1, a batch of signals in channels-last (B×L×C) layout" in finding.message
    assert finding.message.endswith("permute it first: batch.permute(0, 2, 1)")
    assert finding.fix.replacement == "batch.permute(0, 2, 1)"


def test_d2l_classifiers_forward_is_self_net_and_layer_summary_checks_it_on_that_shape():
    result = check("""
        from d2l import torch as d2l

        class LeNet(d2l.Classifier):
            def __init__(self, lr=0.1, num_classes=10):
                super().__init__()
                self.save_hyperparameters()
                self.net = nn.Sequential(
                    nn.LazyConv2d(6, kernel_size=5, padding=2), nn.Sigmoid(),
                    nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
                    nn.LazyLinear(num_classes))

        LeNet().layer_summary((1, 1, 28, 28))
        model = LeNet(num_classes=3)
        out = model(torch.zeros(4, 1, 32, 32))
    """)
    assert not result.diagnostics
    summary, called = sorted(result.models, key=lambda m: m.input_line)
    assert (summary.input_shape, summary.output_shape, summary.input_source) == \
        (("B", 1, 28, 28), ("B", 10), "layer_summary at line 17")
    assert [layer.output_shape for layer in summary.layers][3] == ("B", 1176)  # 6 x 14 x 14
    assert (called.input_shape, called.output_shape) == (("B", 1, 32, 32), ("B", 3))


def test_an_in_place_resize_changes_the_tensor_the_name_holds():
    result = check("""
        from torchvision import datasets, transforms
        trainset = datasets.MNIST("data", download=True, train=True, transform=transforms.ToTensor())
        trainloader = torch.utils.data.DataLoader(trainset, batch_size=64, shuffle=True)
        model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10), nn.Softmax(dim=1))
        dataiter = iter(trainloader)
        images, labels = next(dataiter)
        images.resize_(64, 1, 784)
        ps = model.forward(images[0, :])
        digit = torch.randn(28, 28)
        digit.unsqueeze_(0)
        head = nn.Conv2d(1, 4, 3)
        out = head(digit)
    """)
    assert not result.diagnostics
    model, head = result.models
    assert (model.input_shape, head.input_shape) == (("B", 784), (1, 28, 28))  # an unbatched C×H×W image


@pytest.mark.parametrize("start, sizes", [((4, 1, 28, 28), (4, 784)), ((2, 3), (3, 4, 5)), ((6,), ((2, 3),)),
                                          ((5, 5), (1,))])
def test_resize_gives_the_sizes_torch_gives(start, sizes):
    from shapecheck.rules import tensor_ops
    from shapecheck.rules.shapes import Tensor

    torch = pytest.importorskip("torch")
    x = torch.zeros(start)
    assert tensor_ops.call_method("resize_", Tensor(start), sizes, {}).shape == tuple(x.resize_(*sizes).shape)
    other = torch.zeros(3, 2)
    assert tensor_ops.call_method("resize_as_", Tensor(start), (Tensor((3, 2)),), {}).shape == \
        tuple(torch.zeros(start).resize_as_(other).shape)
