"""The default on a terminal: the text output with a code frame under each finding (`code_frame`)."""

from __future__ import annotations

from typing import IO, Sequence

from ..results import FileResult
from . import text_format
from .code_frame import CodeFrames


def render(results: Sequence[FileResult], stream: IO[str], **options) -> None:
    text_format.render(results, stream, frames=CodeFrames().of, **options)
