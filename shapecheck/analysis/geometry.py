"""Geometry named upstream: a Linear (or a view) that receives the wrong number of features is
right where it is reported, but the size it received was set by the convolutions and poolings
before it.  A user who changed a kernel, a padding, a stride or a pooling by mistake must see them:
"B×64×4×4 after the three MaxPool2d(2) at lines 7, 9, 11", and, where one change upstream would
make the layer right as written, which: "or keep 4096 and remove one MaxPool2d(2)".

The steps are ``provenance.Step``s, each with the layer that made it; a change is tried by running
the layers' own shape rules again from that step on, never by guessing.
"""

from __future__ import annotations

from typing import Callable, Iterator, List, Optional, Sequence, Tuple

from ..ir import NotKnown, ShapeError
from ..rules import shapes as S
from ..rules.layers import LayerArgs, first_tensor
from .provenance import Step

_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}
_SHOWN = 4  # groups of steps named before "and N more"


def described(steps: Sequence[Step]) -> str:
    """"after the three MaxPool2d(2) at lines 7, 9, 11": the steps, alike ones together."""
    groups: List[Tuple[str, List[int]]] = []
    for step in steps:
        text = shown(step.text)
        group = next((g for g in groups if g[0] == text), None)
        if group is None:
            groups.append((text, [step.line]))
        else:
            group[1].append(step.line)
    parts = [_group(text, lines) for text, lines in groups[:_SHOWN]]
    if len(groups) > _SHOWN:
        parts.append(f"{len(groups) - _SHOWN} more")
    return "after " + (parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}")


def _group(text: str, lines: List[int]) -> str:
    distinct = sorted(set(lines))
    at = f"line {distinct[0]}" if len(distinct) == 1 else f"lines {', '.join(map(str, distinct))}"
    if len(lines) == 1:
        return f"{text} at {at}"
    return f"the {_WORDS.get(len(lines), len(lines))} {text} at {at}"


def shown(text: str) -> str:
    """A layer as a message names it: nn.MaxPool2d(2) -> MaxPool2d(2)."""
    for prefix in ("torch.nn.", "nn."):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def one_change(steps: Sequence[Step], flat_from: tuple, wanted: int) -> str:
    """The one change upstream that would give a Linear built for ``wanted`` features what it is
    built for ("remove one MaxPool2d(2)", "use padding=1 in the Conv2d(3, 32, 3) at line 5"); ""
    where none does, or where what works is not one kind of change."""
    channels = flat_from[1]
    if not S.is_int(channels) or not all(S.is_int(d) for d in flat_from[2:]):
        return ""
    working: List[Tuple[str, str]] = []  # (what to do, to which layer as written)
    for i, step in enumerate(steps):
        for phrase, change in _changes(step):
            spatial = _rerun(steps, i, change)
            if spatial is not None and channels * S.product(spatial) == wanted:
                working.append((phrase, shown(step.text)))
    if len(working) == 1:
        return working[0][0]
    if len(working) > 1 and all(p.startswith("remove ") for p, _ in working) and len({t for _, t in working}) == 1:
        return f"remove one {working[0][1]}"  # any of the alike poolings
    return ""


Change = Callable[[tuple], Optional[tuple]]  # spatial in -> spatial out under the change


def _changes(step: Step) -> Iterator[Tuple[str, Change]]:
    """The single changes to a step worth trying: a pooling removed, a convolution's stride or
    padding set to keep the size."""
    layer = step.layer
    if layer is None or layer.args is None:
        return
    kind, values = layer.call.kind, layer.args.values
    where = f"the {shown(step.text)} at {step.place}"
    if "Pool" in kind and not kind.startswith("Adaptive"):
        yield f"remove {where}", lambda spatial: spatial
        size = set(step.before)
        if len(size) == 1 and _ints(values.get("kernel_size")) != size \
                and _ints(values.get("padding")) == {0}:
            whole = next(iter(size))  # a pooling over the whole map, as before a classifier
            yield f"use kernel_size={whole} in {where}", lambda spatial: _apply(step, spatial, kernel_size=whole)
    if kind.startswith("Conv") and not kind.startswith("ConvTranspose"):
        if _ints(values.get("stride")) != {1}:
            yield f"use stride=1 in {where}", lambda spatial: _apply(step, spatial, stride=1)
        kernel = _ints(values.get("kernel_size"))
        if len(kernel) == 1 and _ints(values.get("stride")) == {1} and _ints(values.get("dilation")) == {1}:
            same = (next(iter(kernel)) - 1) // 2
            if _ints(values.get("padding")) != {same}:
                yield f"use padding={same} in {where}", lambda spatial: _apply(step, spatial, padding=same)


def _ints(value) -> set:
    values = value if isinstance(value, (tuple, list)) else (value,)
    return set(values) if all(S.is_int(v) for v in values) else {None}


def _rerun(steps: Sequence[Step], changed: int, change: Change) -> Optional[tuple]:
    """The spatial size after the last step, with step ``changed`` changed."""
    spatial = change(steps[changed].before)
    for step in steps[changed + 1:]:
        if spatial is None:
            return None
        spatial = _apply(step, spatial)
    return spatial


def _apply(step: Step, spatial: tuple, **changed) -> Optional[tuple]:
    """What the step's layer makes of ``spatial`` (with some arguments changed)."""
    layer = step.layer
    if layer is None or layer.args is None:
        return None
    channels = layer.args.values.get("in_channels", 1)
    args = LayerArgs(layer.args.kind, {**layer.args.values, **changed}, layer.args.written)
    try:
        out = first_tensor(layer.rule.output((1, channels if S.is_int(channels) else 1) + tuple(spatial), args, [], {}))
    except (ShapeError, NotKnown, ValueError, TypeError):
        return None
    return None if out is None else tuple(out[2:])
