"""The shape rules, pure functions of plain data: dimensions and shapes (`shapes`), one rule per
layer kind (`layers`), one per tensor function and method (`tensor_ops`). Each is held against
torch by the property tests."""

from . import einops_patterns, layers, lazy, sequence  # noqa: F401  (the others add to layers.LAYER_RULES)
