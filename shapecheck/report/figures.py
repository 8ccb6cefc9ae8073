"""The summary's figures for one batch size and dtype, as the text table and JSON show them: the rows
folded to a depth, MACs, and memory in bytes (rules/cost.py says what is counted)."""

from __future__ import annotations

from typing import Dict, Optional, Sequence

from ..results import BLOCK, LAYER, LayerReport, ModelReport, PerBatch, at_batch
from ..rules.cost import DEFAULT_BATCH, DEFAULT_DTYPE, shape_per_batch, size_of


def shown(m: ModelReport, depth: Optional[int] = None) -> Sequence[LayerReport]:
    """The rows down to ``depth`` (all of them for None): a folded block keeps its totals."""
    return [r for r in m.summary_rows() if depth is None or r.depth <= depth]


def bytes_of(figure: PerBatch, batch: int, dtype: str) -> Optional[int]:
    count = at_batch(figure, batch)
    return None if count is None else count * size_of(dtype)


def memory(m: ModelReport, batch: int = DEFAULT_BATCH, dtype: str = DEFAULT_DTYPE) -> Dict[str, Optional[int]]:
    """Bytes of the parameters, the input and the activations of one forward pass, and their sum
    (None for a part that is not known, and then for the sum)."""
    parts = {"parameters": None if m.params is None else m.params * size_of(dtype),
             "input": bytes_of(shape_per_batch(m.input_shape), batch, dtype),
             "activations": bytes_of(m.activations(), batch, dtype)}
    known = [v for v in parts.values() if v is not None]
    parts["total"] = sum(known) if len(known) == len(parts) else None
    return parts


def row_memory(row: LayerReport, batch: int, dtype: str) -> Optional[int]:
    """The bytes of a layer's output (of the layers under a block); operations are not counted."""
    return bytes_of(row.activations, batch, dtype) if row.role in (LAYER, BLOCK) else None


def outputs_text(outputs, render) -> str:
    """A tuple or dict output whole: '(B×10, B×128)', '{logits: B×10, aux: B×4}'."""
    if isinstance(outputs, dict):
        return "{" + ", ".join(f"{k}: {_item(v, render)}" for k, v in outputs.items()) + "}"
    return "(" + ", ".join(_item(v, render) for v in outputs) + ")"


def _item(value, render) -> str:
    if isinstance(value, dict) or (isinstance(value, tuple) and value
                                   and all(isinstance(i, (tuple, dict)) or i is None for i in value)):
        return outputs_text(value, render)
    return render(value)


def count_text(n: Optional[int]) -> str:
    return "?" if n is None else f"{n:,}"


def size_text(n: Optional[int]) -> str:
    """Bytes in decimal units, as torchinfo: '512 B', '2.36 MB'."""
    return _scaled(n, ("GB", "MB", "kB"), " B")


def macs_text(n: Optional[int]) -> str:
    """'151.52 M' style, as torchinfo's total mult-adds."""
    return _scaled(n, ("G", "M", "k"), "")


def _scaled(n: Optional[int], units: Sequence[str], plain: str) -> str:
    """n in the largest of the units (10⁹, 10⁶, 10³) it reaches, with two decimals; '?' for None."""
    if n is None:
        return "?"
    for unit, scale in zip(units, (10 ** 9, 10 ** 6, 10 ** 3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n}{plain}"
