"""The one finishing stage: every finding of a file, whatever produced it (the shape check, the
practices lints, the runtime mode, a re-check after --fix), passes here once, after all of them
ran: the file's suppression comments, then the codes selected for it (--select/--ignore, the
configured lists and per-file-ignores), then the order findings are shown in.

The producers hand over everything they found; none of them filters.  That is what makes a
`# noqa: SHP903` or `--ignore SHP903` act on a runtime finding exactly as on a static one."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional, Protocol

from . import suppressions
from .results import FileResult


class CodeSelection(Protocol):
    """Which codes are reported for a file (`cli.config.Selection`)."""

    def allows(self, code: str) -> bool: ...


def finish(result: FileResult, selection: Optional[CodeSelection] = None,
           unused_suppressions: bool = False) -> FileResult:
    """A copy of ``result`` with the findings the user sees: those no suppression covers and the
    selection allows, with an SHP905 note per idle suppression on request, in reading order.
    ``result`` itself is left as it was, so that finishing it again gives the same."""
    kept = suppressions.apply(result.diagnostics, result.suppressions, result.path, unused_suppressions)
    shown = [d for d in kept if selection is None or selection.allows(d.code)]
    return replace(result, diagnostics=sorted(shown, key=lambda d: d.sort_key), models=list(result.models))
