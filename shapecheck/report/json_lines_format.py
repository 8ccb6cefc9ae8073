"""JSON Lines: one finding per line, each the object `--format json` lists under "diagnostics"."""

from __future__ import annotations

import json
from typing import IO, Sequence

from ..results import FileResult
from .json_format import diagnostic


def render(results: Sequence[FileResult], stream: IO[str], **options) -> None:
    for result in results:
        for d in result.diagnostics:
            stream.write(json.dumps(diagnostic(d), ensure_ascii=False) + "\n")
