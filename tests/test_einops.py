"""einops patterns held against einops: for random patterns and inputs, rearrange, repeat and
reduce (and the Rearrange / Reduce layers) give the shape einops gives, and a ShapeError exactly
where einops raises."""

from __future__ import annotations

import math
import textwrap

import pytest

torch = pytest.importorskip("torch")
einops = pytest.importorskip("einops")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from einops.layers.torch import Rearrange, Reduce  # noqa: E402

from shapecheck.api import check_source  # noqa: E402
from shapecheck.ir import Arg, ShapeError  # noqa: E402
from shapecheck.rules.einops_patterns import transform  # noqa: E402
from shapecheck.rules.layers import LAYER_RULES  # noqa: E402

PROPERTY = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
NAMES = ["a", "b", "c", "h", "w", "p1", "p2"]


@st.composite
def side(draw, names):
    """A pattern side over ``names`` (shuffled, grouped at random), sometimes with '...' or '1'."""
    names = list(draw(st.permutations(names)))
    elements, i = [], 0
    while i < len(names):
        group = names[i:i + draw(st.integers(1, 3))]
        single = len(group) == 1 and draw(st.integers(0, 4))
        elements.append(group[0] if single else f"({' '.join(group)})")
        i += len(group)
    if draw(st.integers(0, 5)) == 0:
        elements.insert(draw(st.integers(0, len(elements))), "1" if draw(st.booleans()) else "()")
    return elements


@st.composite
def case(draw):
    operation = draw(st.sampled_from(["rearrange", "repeat", "reduce"]))
    left_names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    if operation == "rearrange":
        right_names = draw(st.sampled_from([left_names, left_names, left_names[:-1], left_names + ["z"]]))
    elif operation == "repeat":
        right_names = left_names + draw(st.lists(st.sampled_from(["r", "s"]), max_size=2, unique=True))
        if draw(st.integers(0, 8)) == 0:
            right_names = left_names[:-1]
    else:
        right_names = draw(st.lists(st.sampled_from(left_names), max_size=len(left_names), unique=True))
        if draw(st.integers(0, 8)) == 0:
            right_names = right_names + ["z"]
    left, right = draw(side(left_names)), draw(side(right_names))
    sizes = {n: draw(st.integers(1, 3)) for n in left_names + right_names}
    dims = []
    for element in left:
        members = element.strip("()").split()
        dims.append(1 if element in ("1", "()") else math.prod(sizes[m] for m in members))
    if draw(st.integers(0, 6)) == 0:
        left, right = ["..."] + left, right + ["..."]
        dims = draw(st.lists(st.integers(1, 3), max_size=2)) + dims
    pattern = f"{' '.join(left)} -> {' '.join(right)}"
    if draw(st.integers(0, 6)) == 0 and dims:
        k = draw(st.integers(0, len(dims) - 1))
        dims[k] += 1
    # lengths: all but one member of each group on the left, the new axes on the right, and now and then a spare
    lengths = {}
    for element in left:
        members = element.strip("()").split() if element != "..." else []
        for m in members[1:] if len(members) > 1 else members * draw(st.integers(0, 1)):
            if m != "1":
                lengths[m] = sizes[m]
    for name in set(right_names) - set(left_names):
        if draw(st.integers(0, 8)):
            lengths[name] = sizes[name]
    return operation, pattern, tuple(dims), lengths


def einops_shape(operation, pattern, shape, lengths):
    x = torch.zeros(shape)
    try:
        if operation == "reduce":
            return tuple(einops.reduce(x, pattern, "mean", **lengths).shape)
        return tuple(getattr(einops, operation)(x, pattern, **lengths).shape)
    except einops.EinopsError as error:
        return error


@PROPERTY
@given(case())
def test_patterns_match_einops(case):
    operation, pattern, shape, lengths = case
    want = einops_shape(operation, pattern, shape, lengths)
    try:
        got = transform(operation, shape, pattern, lengths)
    except ShapeError as error:
        got = error
    call = f"einops.{operation}(x of {shape}, {pattern!r}, **{lengths})"
    if isinstance(want, Exception):
        assert isinstance(got, ShapeError), f"{call}: einops raises {want}, the rule gives {got}"
    else:
        assert not isinstance(got, ShapeError), f"{call}: the rule raises {got}, einops gives {want}"
        assert got == want, f"{call}: the rule gives {got}, einops {want}"


@pytest.mark.parametrize("kind, build, args", [
    ("Rearrange", Rearrange, ("b c (h p1) (w p2) -> b (h w) (p1 p2 c)",)),
    ("Reduce", Reduce, ("b c (h h2) (w w2) -> b c h w", "max")),
    ("Reduce", Reduce, ("b c (h h2) (w w2) -> b c h w", "median")),
])
@settings(PROPERTY, max_examples=80)
@given(data=st.data())
def test_the_layers_match_einops(kind, build, args, data):
    lengths = {k: data.draw(st.integers(1, 4)) for k in (("p1", "p2") if kind == "Rearrange" else ("h2", "w2"))}
    shape = tuple(data.draw(st.integers(1, 9)) for _ in range(data.draw(st.integers(3, 5))))
    rule = LAYER_RULES[kind]
    bound = rule.bind(tuple(Arg(v, repr(v)) for v in args), (("axes_lengths", Arg(lengths, repr(lengths))),))
    try:
        rule.check(bound)
        got = rule.output(shape, bound), rule.params(bound)
    except ShapeError as error:
        got = error
    try:
        want = tuple(build(*args, **lengths)(torch.zeros(shape)).shape), 0
    except (einops.EinopsError, KeyError) as error:  # a layer given another rank: KeyError from its recipe table
        want = error
    assert isinstance(got, ShapeError) if isinstance(want, Exception) else got == want, (shape, lengths, got, want)


VIT_PATCHES = """
    import torch
    import torch.nn as nn
    from einops import rearrange, repeat
    from einops.layers.torch import Rearrange


    class PatchEmbed(nn.Module):
        def __init__(self, image_size=32, patch_size=4, dim=64):
            super().__init__()
            patch_dim = 3 * patch_size * patch_size
            self.to_patches = nn.Sequential(
                Rearrange("b c (h p1) (w p2) -> b (h w) (p1 p2 c)", p1=patch_size, p2=patch_size),
                nn.Linear(patch_dim, dim),
            )
            self.cls_token = nn.Parameter(torch.randn(1, 1, dim))

        def forward(self, img):
            x = self.to_patches(img)
            cls = repeat(self.cls_token, "1 1 d -> b 1 d", b=x.shape[0])
            x = torch.cat((cls, x), dim=1)
            return rearrange(x, "b n d -> b d n")


    model = PatchEmbed()
    out = model(torch.randn(2, 3, 32, 32))
"""


def test_a_model_built_with_einops_is_followed_as_torch_runs_it() -> None:
    result = check_source(textwrap.dedent(VIT_PATCHES), "vit.py")
    (model,) = result.models
    namespace: dict = {}
    exec(textwrap.dedent(VIT_PATCHES), namespace)
    assert model.status == "ok"
    assert model.output_shape == ("B", 64, 65) and tuple(namespace["out"].shape) == (2, 64, 65)
    assert model.params == sum(p.numel() for p in namespace["model"].parameters())
    assert [layer.kind for layer in model.layers] == ["Rearrange", "Linear"]


def test_a_pattern_that_does_not_fit_is_an_error_where_it_is_written() -> None:
    source = textwrap.dedent(VIT_PATCHES).replace("model(torch.randn(2, 3, 32, 32))", "model(torch.randn(2, 3, 30, 30))")
    (finding,) = [d for d in check_source(source, "vit.py").diagnostics if d.severity == "error"]
    line = source.splitlines().index(next(s for s in source.splitlines() if "Rearrange(\"b c" in s)) + 1
    assert (finding.code, finding.span.line) == ("SHP107", line)
    assert "cannot split a dim of 30 by 4" in finding.message
    namespace: dict = {}
    with pytest.raises(einops.EinopsError):
        exec(source, namespace)
