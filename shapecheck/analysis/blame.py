"""Call-site blame: a wrong value passed into a helper or a block is reported at the call that
passed it, in that call's terms.

``self.conv2 = conv3x3(inplanes, planes)`` builds a Conv2d inside ``conv3x3``, whose line is right
for every other call; the line to change is the call.  Each width argument a layer was built
with remembers the calls that passed it down (``ir.Arg.passed``).  Walking them outwards from the
layer, the finding goes to the first place where one change is right for every layer built
through it: a name in scope there that has the right value for each of them (``planes``, where
``inplanes`` was written), or, where the value was written as such (``double_conv(128, 128)``),
the one right value.  Only where no place outwards fits does the finding stay on the layer's line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from ..ir import Arg, Passed
from ..rules.shapes import Tensor
from .values import Layer

RECEIVED = {"in_channels", "in_features", "num_features"}  # the widths a layer is built to receive

# loop counters and private names are no suggestion, even where their value happens to fit
_NOT_SUGGESTED = {"i", "j", "k", "idx", "index"}


@dataclass(frozen=True)
class Width:
    """What one layer built through helper calls receives in the width it was built for."""

    layer: Layer
    name: str  # "in_channels", "num_features", "in_features"
    needed: int  # what it receives
    x: Tensor = None  # the tensor it receives, and the axis of the width
    axis: int = 1

    def levels(self) -> List[Tuple[str, Arg, Tuple[Tuple[str, int], ...], Optional[Passed]]]:
        """(path, argument, names in scope, the call) from the layer's own argument outwards."""
        arg = self.layer.args.written[self.name]
        return [(self.layer.call.path, arg, self.layer.scope, None)] + \
            [(q.path, q.arg, q.scope, q) for q in arg.passed]


@dataclass(frozen=True)
class Blame:
    """Where a finding belongs: the argument at ``level`` (0 the layer's own), and what to write
    there, a name in scope (``name``) or else the value."""

    level: int
    path: str
    arg: Arg
    via: Optional[Passed]
    name: str = ""


Sites = Dict[Tuple[str, object], List[Tuple[Width, int]]]


def sites(widths) -> Sites:
    """(path, span of an argument) -> the widths built through it, with the level it is at."""
    index: Sites = {}
    for width in widths:
        for level, (path, arg, _, _) in enumerate(width.levels()):
            if arg.span is not None:
                index.setdefault((path, arg.span), []).append((width, level))
    return index


def blame(wrong: Width, index: Sites, feeds: Dict[Tuple[str, object], set]) -> Optional[Blame]:
    """The innermost place, from the layer outwards, where one change is right for every layer
    built through it; None where there is none (or the wrong layer was never seen).  Past the
    call of the helper itself, a call's argument that also becomes something other than a width
    a layer receives (``planes`` of ``_make_layer``, an out_channels too) is no such place: the
    layers after the failing one were not checked, and changing it changes what they make."""
    levels = wrong.levels()
    for level, (path, arg, _, via) in enumerate(levels):
        group = index.get((path, arg.span), [])
        if not any(w.layer is wrong.layer and w.name == wrong.name for w, _ in group):
            return None
        if level > 1 and feeds.get((path, arg.span), set()) - RECEIVED:
            return None
        name = common_name(group, arg.text)
        outermost = level == len(levels) - 1
        if name and (outermost or len(group) >= 2):
            return Blame(level, path, arg, via, name)
        if outermost:
            if len({w.needed for w, _ in group}) == 1 and level > 0:
                return Blame(level, path, arg, via)
            return None
    return None


def common_name(group: List[Tuple[Width, int]], written: str) -> str:
    """A name in scope at this place whose value is what each layer of the group needs."""
    width, level = group[0]
    candidates = [n for n, v in width.levels()[level][2]
                  if v == width.needed and n != written and not n.startswith("_") and n not in _NOT_SUGGESTED]
    for other, other_level in group[1:]:
        scope = dict(other.levels()[other_level][2])
        candidates = [n for n in candidates if scope.get(n) == other.needed]
    return candidates[0] if candidates else ""
