"""Results of earlier runs, kept in `.shapecheck_cache/` at the project root (or
`$SHAPECHECK_CACHE_DIR`): one SQLite table per version of shapecheck, a JSON document per checked
file.

A result is reused only for the same input to the same code: the key hashes the file's bytes, its
path as given (messages name it) and the options that shape its result (the project's root among them); the entry lists every other
project file the result read, with the hash of its bytes, and is reused only while they are the
same (`batch.py` checks); the table's name hashes
shapecheck's own source and the Python version.  Entries are JSON, never pickles: a cache committed
to a repository is data, not code that runs.  SQLite makes each write one atomic transaction, so
runs and worker processes writing at once never leave half an entry (and one file is far cheaper
to write than a file per entry).  Anything unreadable is a miss; a cache that cannot be opened or
written is simply not kept; one that is damaged (not a database, a table that is not ours) is set
aside (renamed, with one line on stderr) and a new one built.  `shapecheck clean` removes them."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import astuple
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

from .. import __version__
from ..diagnostics import Diagnostic, Fix, Message, Span
from ..results import LAYER, FileResult, LayerReport, ModelReport, StoppedAt
from ..suppressions import Suppression

DIRECTORY = ".shapecheck_cache"
ENVIRONMENT = "SHAPECHECK_CACHE_DIR"
FORMAT = 5  # of the entries; part of the code version
PREFIX = "results-"  # then the code version: one database per version
OPEN_ATTEMPTS = 30  # about 5 s of waiting, in growing steps
_PACKAGE = Path(__file__).resolve().parent.parent


def default_directory(root: Path) -> Path:
    configured = os.environ.get(ENVIRONMENT)
    return Path(configured) if configured else root / DIRECTORY


def code_version() -> Optional[str]:
    """A hash of everything that decides a result besides the file and the options: shapecheck's
    source files and the Python that parses; None when the source cannot be read."""
    digest = hashlib.sha256(f"{FORMAT} {__version__} {sys.version} {sys.implementation.cache_tag}".encode())
    sources = sorted(_PACKAGE.rglob("*.py"))
    if not sources:
        return None
    for path in sources:
        try:
            digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
        except OSError:
            return None
    return digest.hexdigest()[:32]


class ResultCache:
    def __init__(self, directory: Path, version: str):
        self.directory = directory
        self.database = directory / f"{PREFIX}{version}.sqlite"
        self._connection = None
        self._pid = 0  # the process that opened the connection: a forked worker opens its own
        self._broken = False
        self._set_aside_once = False

    @classmethod
    def for_directory(cls, directory: Path) -> Optional["ResultCache"]:
        version = code_version()
        return None if version is None else cls(directory, version)

    def __getstate__(self) -> dict:
        return dict(self.__dict__, _connection=None, _pid=0)

    @staticmethod
    def key(path: str, data: bytes, options: dict) -> str:
        """The entry's key: the file's bytes, its path and analyse_path's options (their repr: plain
        frozen dataclasses, dicts and tuples)."""
        digest = hashlib.sha256()
        for part in (path.encode("utf-8", "surrogatepass"), repr(sorted(options.items())).encode(), data):
            digest.update(len(part).to_bytes(8, "little") + part)
        return digest.hexdigest()[:40]

    def get(self, key: str) -> Optional[FileResult]:
        import sqlite3

        connection = self._connect()
        if connection is None:
            return None
        try:
            row = connection.execute("SELECT document FROM results WHERE key = ?", (key,)).fetchone()
            return None if row is None else decode_result(json.loads(row[0]))
        except sqlite3.Error as e:
            if _corrupt(e) and self._set_aside(e):
                self._connection = None  # the next call builds a new database
            return None
        except (ValueError, KeyError, TypeError, RecursionError):  # an entry that is not ours: a miss
            return None

    def put(self, key: str, result: FileResult) -> None:
        self.put_many([(key, result)])

    def put_many(self, entries: Sequence[Tuple[str, FileResult]]) -> None:
        """Write the entries in one transaction (a commit per file costs more than the JSON)."""
        import sqlite3

        rows = [(key, document) for key, document in ((k, encode_result(r)) for k, r in entries) if document is not None]
        connection = self._connect() if rows else None
        if connection is None:
            return
        try:
            connection.execute("BEGIN")
            connection.executemany("INSERT OR REPLACE INTO results VALUES (?, ?)", rows)
            connection.execute("COMMIT")
        except sqlite3.Error:  # busy past the timeout, a full disk: the results are just not kept
            try:
                connection.execute("ROLLBACK")
            except sqlite3.Error:
                pass

    def _connect(self):
        if self._broken:
            return None
        if self._connection is None or self._pid != os.getpid():
            self._connection, self._pid = self._open_patiently(), os.getpid()
            self._broken = self._connection is None  # a read-only checkout, a file in the way: no cache
        return self._connection

    def _open_patiently(self):
        """The connection, waiting while other processes create the same database (switching it to
        WAL needs it to themselves, and SQLite does not wait for that); None when it cannot be had."""
        import sqlite3
        import time

        for attempt in range(OPEN_ATTEMPTS):
            try:
                return self._open()
            except sqlite3.Error as e:
                if "locked" in str(e) or "busy" in str(e):
                    time.sleep(0.01 * (attempt + 1))
                elif not (_corrupt(e) or self.database.is_dir()) or not self._set_aside(e):
                    return None
            except OSError:
                return None
        return None

    def _set_aside(self, error: Exception) -> bool:
        """Rename an unreadable database out of the way (once per process), saying so in one line,
        so that a new one is built; False when that cannot be done."""
        if self._set_aside_once:
            return False
        self._set_aside_once = True
        if self._connection is not None:
            self._connection.close()
        aside = self.database.with_name(f"{self.database.name}.corrupt-{os.getpid()}")
        try:
            os.replace(self.database, aside)
        except OSError:
            return False
        for suffix in ("-wal", "-shm"):
            try:
                os.unlink(f"{self.database}{suffix}")
            except OSError:
                pass
        sys.stderr.write(f"shapecheck: warning: the cache {self.database} could not be read ({error}); "
                         f"set aside as {aside.name}, a new one is built\n")
        return True

    def _open(self):
        import sqlite3

        self.directory.mkdir(parents=True, exist_ok=True)
        self._mark()
        fresh = not self.database.exists()
        connection = sqlite3.connect(self.database, timeout=10, isolation_level=None, check_same_thread=False)
        try:
            connection.execute("PRAGMA trusted_schema = OFF")
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, document TEXT NOT NULL)")
            connection.execute("SELECT key, document FROM results LIMIT 1").fetchall()  # a table of ours
        except BaseException:
            connection.close()
            raise
        if fresh:
            self._forget_other_versions()
        return connection

    def _mark(self) -> None:
        """Tell git and backup tools that the folder is a cache."""
        for name, text in ((".gitignore", "# written by shapecheck\n*\n"),
                           ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n"
                                            "# the cache of shapecheck's results\n")):
            if not (self.directory / name).exists():
                (self.directory / name).write_text(text)

    def _forget_other_versions(self) -> None:
        """A new version of shapecheck (or of its source, while developing it) makes the results of
        the others useless: remove them, so that the cache holds one version's results."""
        for other in self.directory.glob(f"{PREFIX}*"):
            if not other.name.startswith(self.database.name):
                try:
                    other.unlink()
                except OSError:
                    pass


def _corrupt(error: Exception) -> bool:
    """The database file is damaged or not ours (not a busy lock, a read-only folder, a full disk)."""
    import sqlite3

    text = str(error)
    return not isinstance(error, sqlite3.OperationalError) or "malformed" in text or "no such" in text \
        or "not a database" in text


def remove_caches(folder: Path) -> List[Path]:
    """Delete every shapecheck cache folder under ``folder`` (itself included); the folders removed."""
    import shutil

    removed = []
    for root, dirs, _ in os.walk(folder):
        here = Path(root)
        if here.name == DIRECTORY or (here / "CACHEDIR.TAG").is_file() and any(here.glob(f"{PREFIX}*")):
            shutil.rmtree(here, ignore_errors=True)
            removed.append(here)
            dirs[:] = []
        else:
            dirs[:] = [d for d in dirs if d not in (".git", "node_modules")]
    return removed


# FileResult <-> JSON, exactly: an entry that would not read back equal is not written

def encode_result(result: FileResult) -> Optional[str]:
    """The JSON text of ``result``; None when it would not read back equal."""
    document = {"path": result.path,
                "diagnostics": [_diagnostic(d) for d in result.diagnostics],
                "models": [_model(m) for m in result.models],
                "suppressions": [_suppression(s) for s in result.suppressions],
                "elsewhere": [[cause, _diagnostic(d)] for cause, d in result.elsewhere],
                "depends": [list(pair) for pair in result.depends]}
    try:
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        same = decode_result(json.loads(text)) == result
    except (TypeError, ValueError, KeyError):
        same = False
    return text if same else None


def decode_result(document: dict) -> FileResult:
    return FileResult(document["path"], [_to_diagnostic(d) for d in document["diagnostics"]],
                      [_to_model(m) for m in document["models"]],
                      tuple(_to_suppression(s) for s in document["suppressions"]),
                      [(cause, _to_diagnostic(d)) for cause, d in document["elsewhere"]],
                      tuple(tuple(pair) for pair in document["depends"]))


def _suppression(s: Suppression) -> list:
    return [_span(s.span), None if s.codes is None else list(s.codes), s.shared, s.cell]


def _to_suppression(s: list) -> Suppression:
    span, codes, shared, cell = s
    return Suppression(Span(*span), None if codes is None else tuple(codes), shared, cell)


def _span(span: Span) -> list:
    return [span.line, span.column, span.end_line, span.end_column]


def _diagnostic(d: Diagnostic) -> dict:
    return {"path": d.path, "span": _span(d.span), "code": d.code, "message": d.message, "model": d.model,
            "fix": None if d.fix is None else {"replacement": d.fix.replacement, "span": _span(d.fix.span)},
            "severity": d.severity, "cell": d.cell, "confirmed_on": d.confirmed_on, "not_fixed": d.not_fixed,
            "file_span": None if d.file_span is None else _span(d.file_span),
            "file_fix": None if d.file_fix is None else {"replacement": d.file_fix.replacement,
                                                         "span": _span(d.file_fix.span)},
            "parts": None if d.parts is None else list(astuple(d.parts)),
            "layer": d.layer}


def _to_diagnostic(d: dict) -> Diagnostic:
    fix = None if d["fix"] is None else Fix(d["fix"]["replacement"], Span(*d["fix"]["span"]))
    file_fix = None if d["file_fix"] is None else Fix(d["file_fix"]["replacement"], Span(*d["file_fix"]["span"]))
    return Diagnostic(d["path"], Span(*d["span"]), d["code"], d["message"], d["model"], fix, d["severity"], d["cell"],
                      d["confirmed_on"], d["not_fixed"], None if d["file_span"] is None else Span(*d["file_span"]),
                      file_fix, None if d.get("parts") is None else Message(*d["parts"]), d.get("layer", ""))


def _shape(shape) -> Optional[list]:
    return None if shape is None else list(shape)


def _to_shape(shape) -> Optional[tuple]:
    return None if shape is None else tuple(shape)


def _model(m: ModelReport) -> dict:
    return {"path": m.path, "name": m.name, "line": m.line, "status": m.status,
            "input_shape": _shape(m.input_shape), "input_source": m.input_source,
            "output_shape": _shape(m.output_shape), "params": m.params,
            "rows": [_row(row) for row in m.summary_rows()], "layers_only": not m.rows, "outputs": m.outputs,
            "consistent_inputs": m.consistent_inputs, "ctor_args": m.ctor_args, "runtime": m.runtime,
            "symbols": [list(pair) for pair in m.symbols],
            "stopped_at": None if m.stopped_at is None else list(vars(m.stopped_at).values()),
            "input_from": [m.input_path, m.input_line], "cells": [m.cell, m.input_cell]}


def _row(row: LayerReport) -> list:
    return [row.name, row.kind, row.line, row.text, _shape(row.output_shape), row.params, row.reached, row.cell,
            row.role, row.depth, _shape(row.macs), _shape(row.activations), row.outputs]


def _to_row(row: list) -> LayerReport:
    name, kind, line, text, shape, params, reached, cell, role, depth, macs, activations, outputs = row
    return LayerReport(name, kind, line, text, _to_shape(shape), params, reached, cell, role=role, depth=depth,
                       macs=_to_shape(macs), activations=_to_shape(activations), outputs=_tuples(outputs))


def _tuples(value):
    """JSON's lists back into the tuples of a tuple output (a dict output stays a dict)."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def _to_model(m: dict) -> ModelReport:
    rows = tuple(_to_row(row) for row in m["rows"])
    layers = tuple(row for row in rows if row.role == LAYER)
    return ModelReport(m["path"], m["name"], m["line"], m["status"], _to_shape(m["input_shape"]),
                       m["input_source"], _to_shape(m["output_shape"]), layers, m["params"],
                       m["consistent_inputs"], m["ctor_args"], m["runtime"],
                       tuple((name, value) for name, value in m.get("symbols", ())),
                       None if m["stopped_at"] is None else StoppedAt(*m["stopped_at"]), *m["input_from"], *m["cells"],
                       rows=() if m["layers_only"] else rows, outputs=_tuples(m["outputs"]))
