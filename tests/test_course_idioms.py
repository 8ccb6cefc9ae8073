"""The inputs course material gives its models, followed from the code: d2l's layer-by-layer loop,
noise reshaped for a generator, one model's output fed to another, a DataLoader over the file's
own Dataset class whose ``__getitem__`` returns a transformed image."""

from __future__ import annotations

import textwrap

from shapecheck.api import check_source

HEADER = "import torch\nfrom torch import nn\n\n"


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
    assert net.input_source == "each layer of net in turn at line 9"
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
    assert (finding.code, finding.span.line, finding.span.column) == ("SHP102", 5, 52)
    assert finding.message.startswith("net.2: Conv2d expects 8 input channels (in_channels) but receives 6")
    assert [m.name for m in result.models] == ["net"]
