"""One renderer per output format; each is imported only when asked for."""

from __future__ import annotations

import importlib
from typing import IO, Sequence

from ..results import FileResult

FORMATS = ("full", "text", "concise", "json", "json-lines", "junit", "gitlab", "pylint", "rdjson", "github", "sarif")


def render(fmt: str, results: Sequence[FileResult], stream: IO[str], **options) -> None:
    module = importlib.import_module(f".{fmt.replace('-', '_')}_format", __name__)
    module.render(results, stream, **options)
