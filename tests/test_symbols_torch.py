"""A model checked with a constructor argument as a symbol agrees with the same model checked with
each value of it that torch accepts, and with torch itself: the same shapes once the value is put
in, and an error exactly where torch raises (for the symbol: only where every value raises)."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from shapecheck.api import check_source

torch = pytest.importorskip("torch")
nn = torch.nn

PROPERTY = settings(max_examples=40, deadline=None)

# a course-style CNN: the input's channels, the classes and the hidden size are arguments
TEMPLATE = """
import torch
import torch.nn as nn
import torch.nn.functional as F

# shapecheck: input=(B, {channels}, {size}, {size})
class Net(nn.Module):
    def __init__(self, in_dim, hidden, n_class):
        super().__init__()
        self.conv = nn.Conv2d(in_dim, {width}, 3, padding=1)
        self.bn = nn.BatchNorm2d({width})
        self.pool = nn.MaxPool2d(2)
        self.fc1 = nn.Linear(hidden * 4, 32)
        self.fc2 = nn.Linear(32, n_class)

    def forward(self, x):
        x = self.pool(F.relu(self.bn(self.conv(x))))
        x = torch.flatten(x, 1)
        return self.fc2(F.relu(self.fc1(x)))
"""


def static(source: str):
    result = check_source(textwrap.dedent(source), "net.py")
    [net] = [m for m in result.models if m.name == "Net"]
    return net, [d for d in result.diagnostics if d.severity == "error"]


def put_in(shape, values):
    return tuple(values.get(d, d) if isinstance(d, str) else d for d in shape)


def torch_shapes(source, values, channels, size):
    exec_globals: dict = {}
    exec(compile(source, "net.py", "exec"), exec_globals)
    net = exec_globals["Net"](**values).eval()
    shapes = []
    hooks = [m.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape)))
             for name, m in net.named_children()]
    try:
        with torch.no_grad():
            net(torch.randn(2, channels, size, size))
    except RuntimeError:
        return None
    finally:
        for hook in hooks:
            hook.remove()
    return shapes


@PROPERTY
@given(channels=st.integers(1, 4), size=st.integers(2, 12), width=st.integers(1, 8),
       hidden=st.integers(1, 80), n_class=st.integers(1, 20), same_channels=st.booleans(),
       right_hidden=st.booleans())
def test_symbolic_arguments_agree_with_every_value_torch_accepts(channels, size, width, hidden, n_class,
                                                                 same_channels, right_hidden):
    in_dim = channels if same_channels else channels + 1
    features = width * (size // 2) ** 2
    if right_hidden and features % 4 == 0:
        hidden = features // 4  # half the time a value torch runs with, when there is one
    values = {"in_dim": in_dim, "hidden": hidden, "n_class": n_class}
    source = TEMPLATE.format(channels=channels, size=size, width=width)
    symbolic, symbolic_errors = static(source)
    concrete, concrete_errors = static(source + f"\nnet = Net({in_dim}, {hidden}, {n_class})\n"
                                                f"out = net(torch.randn(2, {channels}, {size}, {size}))\n")
    ran = torch_shapes(source, values, channels, size)

    assert bool(concrete_errors) == (ran is None)  # the concrete check: an error exactly where torch raises
    fits_some_hidden = features % 4 == 0
    # with symbols, in_dim takes the input's channels and hidden the features: an error only where no
    # value of them could run, which is when the features are not a multiple of 4
    assert bool(symbolic_errors) == (not fits_some_hidden)
    if symbolic_errors:
        assert ran is None
        return
    assert dict(symbolic.symbols)["hidden"] == features // 4
    if ran is None:
        return
    event("torch ran")
    # the values torch ran with are the ones the symbols stand for: the same shapes once put in
    assert symbolic.status == "symbolic" and concrete.status == "ok"
    static_shapes = [put_in(layer.output_shape, values) for layer in symbolic.layers]
    concrete_shapes = [layer.output_shape for layer in concrete.layers]
    assert [put_in(s, {"B": 2}) for s in static_shapes] == [put_in(s, {"B": 2}) for s in concrete_shapes] == ran
