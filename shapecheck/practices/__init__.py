"""Device, loss and training-loop practices: the bugs that run on a laptop and fail, or silently
train worse, on a GPU.

Owns the SHP3xx (device) and SHP4xx (loss, design, training loop) findings.  It reads the ``ast``
with its own small dataflow (``flow``), independent from the shape interpreter, never imports torch
and never runs the code.  Every finding needs positive evidence on both sides (a batch known to be
on the CPU *and* a model known to be moved to a device that may be a GPU); whatever the analysis
cannot tell stays quiet.
"""

from __future__ import annotations

import ast
from typing import List

from ..diagnostics import Diagnostic
from .analysis import Analysis
from .flow import OutOfSteps


def check_practices(tree: ast.Module, source: str, path: str) -> List[Diagnostic]:
    """Warnings for device, loss and training-loop mistakes in one parsed file."""
    try:
        return Analysis(tree, source, path).findings()
    except (RecursionError, OutOfSteps):  # too deep or too large to follow: nothing to say
        return []
