"""The input shapes a user gives a model: ``--input-shape``, ``[tool.shapecheck.inputs]`` and a
``# shapecheck: input=(...)`` comment above its definition, each read into an ``InputSpec``."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Dict, List, Sequence, Tuple

from .rules import shapes as S
from .rules.shapes import Tensor

_INPUT_COMMENT = re.compile(r"#\s*shapecheck:\s*input\s*=\s*\(?\s*([^)#]*?)\s*\)?\s*$")


@dataclass(frozen=True)
class InputSpec:
    """An input shape given by the user; ``None`` dims are the batch symbol B."""

    dims: Tuple
    source: str
    path: str = ""  # where it is written (a comment's file and line), when in a file
    line: int = 0

    def tensor(self) -> Tensor:
        return Tensor(tuple(S.sym(S.BATCH) if d is None else d for d in self.dims))


def parse_input_spec(text: str, source: str) -> InputSpec:
    """'3,32,32' (batch added), 'B,3,32,32', '1,3,32,32' or '(B, 3, 32, 32)'."""
    parts = [p.strip() for p in text.strip().strip("()[]").split(",") if p.strip()]
    if not parts:
        raise ValueError("empty shape")
    dims: List = []
    for i, part in enumerate(parts):
        if part.isdigit() and int(part) > 0:
            dims.append(int(part))
        elif i == 0 and part.isidentifier():
            dims.append(None)
        else:
            raise ValueError(f"{part!r} is not a positive size (write e.g. 3,32,32 or B,3,32,32)")
    if dims[0] is not None and len(dims) <= 3:
        dims.insert(0, None)
    return InputSpec(tuple(dims), source)


def comment_inputs(source_lines: Sequence[str], path: str = "", elsewhere: bool = False) -> Dict[int, InputSpec]:
    """line of the definition -> the `# shapecheck: input=(...)` comment on the line above it
    (of ``path``; ``elsewhere``: not the checked file, so messages name it)."""
    found: Dict[int, InputSpec] = {}
    for number, line in enumerate(source_lines, start=1):
        match = _INPUT_COMMENT.search(line)
        if match and "shapecheck" in line:
            where = f"{path}:{number}" if elsewhere else f"line {number}"
            try:
                spec = replace(parse_input_spec(match.group(1), f"comment at {where}"), path=path, line=number)
            except ValueError:
                continue
            target = number + 1
            while target <= len(source_lines) and source_lines[target - 1].strip().startswith(("@", "#")):
                target += 1
            found[target] = spec
    return found
