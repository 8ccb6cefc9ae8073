"""What the language server checks: the text of an open document, saved or not, with the
``[tool.shapecheck]`` configuration of its project and the project's other files as context,
through the command line's own analysis (`api.analyse_text`) and finishing stage (`cli.main.Run`).

What did not change is not done again: a text's result is kept until the text changes, and the
project's other files, read and run as context, are kept until a file is saved or changes on disk."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Dict, Sequence, Tuple

from .. import notebook
from ..analysis.project_check import forget
from ..api import analyse_notebook, analyse_text
from ..cli.config import Config, ConfigError, load
from ..cli.main import Run
from ..results import FileResult


@dataclass(frozen=True)
class Settings:
    """The configuration that applies to one folder, as the command line would run with it; with
    ``problem``, the one-line reason the configuration could not be used (then none is)."""

    run: Run
    problem: str = ""


class Checks:
    """The results of the open documents, by path."""

    def __init__(self) -> None:
        self._settings: Dict[Path, Settings] = {}
        self._last: Dict[str, Tuple[str, FileResult]] = {}

    def settings(self, path: str) -> Settings:
        """The configuration of the file's project (the current folder's for a file not on disk)."""
        folder = Path(path).parent if not path.startswith("<") else Path.cwd()
        known = self._settings.get(folder)
        if known is None:
            known = self._settings[folder] = _settings_at(folder)
        return known

    def excluded(self, path: str) -> bool:
        """Whether the configuration excludes the file (as `--force-exclude` does: it is not checked)."""
        return not path.startswith("<") and self.settings(path).run.config.is_excluded(path)

    def check(self, path: str, text: str) -> FileResult:
        """The finished result of the document's text: what the command line reports for that file."""
        known = self._last.get(path)
        if known is not None and known[0] == text:
            return known[1]
        result = self.finished(text, path)
        self._last[path] = (text, result)
        return result

    def finished(self, text: str, path: str) -> FileResult:
        """The finished result of any text for the file (a fix's re-check: `report.fix.fix_source`'s
        ``check``), not kept."""
        run = self.settings(path).run
        return run.finish(analyse_text(text, path, **run.options(path)))

    def check_notebook(self, path: str, cells: Sequence[Tuple[bool, str]]) -> Tuple[FileResult, notebook.Program]:
        """The finished result of a notebook's cells ((is a code cell, its text), in order) as one
        program, each finding in its cell; and that program."""
        key = repr(tuple(cells))
        known = self._last.get(path)
        program = notebook.program_of([{"cell_type": "code" if code else "markdown", "source": text}
                                       for code, text in cells])
        if known is not None and known[0] == key:
            return known[1], program
        run = self.settings(path).run
        result = run.finish(analyse_notebook(program, path, **run.options(path)))
        self._last[path] = (key, result)
        return result, program

    def closed(self, path: str) -> None:
        self._last.pop(path, None)

    def files_changed(self) -> None:
        """A file was saved or changed on disk: the project's files, and the configuration, are read
        again for the next check (the open documents' texts are checked again as they are)."""
        forget()
        self._settings.clear()
        self._last.clear()


def _settings_at(folder: Path) -> Settings:
    try:
        config = load(folder)
    except ConfigError as e:
        return Settings(_run(Config()), str(e))
    return Settings(_run(config), "; ".join(config.warnings))


def _run(config: Config) -> Run:
    return Run(config, inputs={}, select=None, ignore=None, force_exclude=True, unused_suppressions=False)


def in_cell(result: FileResult, cell: int) -> FileResult:
    """A notebook's result as one cell sees it: its findings, shapes and layers."""
    return replace(result, diagnostics=[d for d in result.diagnostics if d.cell == cell],
                   shapes=tuple(s for s in result.shapes if s.cell == cell),
                   models=[replace(m, layers=tuple(layer for layer in m.layers if layer.cell == cell))
                           for m in result.models])
