"""The one finishing stage: every finding of a file, whatever produced it (the shape check, the
practices lints, the runtime mode, a re-check after --fix), passes here once, after all of them
ran: the file's suppression comments, then the codes selected for it (--select/--ignore, the
configured lists and per-file-ignores), then one finding per place (the same line found wrong in
several configurations of a model is one finding that says so), then the order findings are
shown in.

The producers hand over everything they found; none of them filters.  That is what makes a
`# noqa: SHP903` or `--ignore SHP903` act on a runtime finding exactly as on a static one."""

from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Optional, Protocol, Sequence, Tuple

from . import suppressions
from .diagnostics import Diagnostic
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
    return replace(result, diagnostics=sorted(once_per_place(shown), key=lambda d: d.sort_key),
                   models=list(result.models))


def once_per_place(diagnostics: Sequence[Diagnostic]) -> List[Diagnostic]:
    """One finding per place, code and model: where several configurations of a model (ShuffleNet's
    stages, each with its own width) make the same line wrong, the first is shown, saying how many
    more; its fix stays only where every configuration's fix is the same edit."""
    groups: Dict[Tuple, List[Diagnostic]] = {}
    for d in diagnostics:
        groups.setdefault((d.path, d.cell, d.span, d.code, d.model), []).append(d)
    return [group[0] if len(group) == 1 else _with_the_others(group) for group in groups.values()]


def _with_the_others(group: List[Diagnostic]) -> Diagnostic:
    first, more = group[0], len(group) - 1
    of = f" of {first.model}" if first.model else ""
    what = "make this line wrong" if first.severity == "error" else \
        f"give this {'note' if first.severity == 'info' else first.severity}"
    said = f"({more + 1} configurations{of} {what}; the first is shown)"
    same_fix = all(d.fix == first.fix for d in group)
    fields = {} if same_fix else {"fix": None, "file_fix": None,
                                  "not_fixed": "each configuration of the model needs a different value here"}
    if first.parts is not None:
        context = f"{first.parts.context} {said}".lstrip()
        return first.with_parts(replace(first.parts, context=context), **fields)
    return replace(first, message=f"{first.message} {said}", **fields)
