"""The language server over stdio (pygls): diagnostics for the open documents, checked when opened,
saved, and as they change; hovers, inlay hints and code actions from the latest check of the text shown.
A notebook (LSP notebook documents) is checked as one program of its cells, each finding
published to its cell.

While a document is being typed in, its first change is checked at once and the changes that
follow within ``CHANGE_INTERVAL`` are checked together, once: at most one check per document per
interval, the newest text always checked last.  A save (or a file changed on disk) makes the
project's files and configuration be read again, and every open document is checked again."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from .. import __version__
from ..results import FileResult
from . import features
from .checks import Checks, in_cell

CHANGE_INTERVAL = 0.15  # seconds between two checks of a document being typed in


@dataclass(frozen=True)
class View:
    """What a request about one document is answered from: the result as that document sees it (a
    notebook's, as its cell does), the Python text analysed for it, the document itself, and the
    re-check of a fixed text (None in a notebook's cell, whose fixes are made one at a time)."""

    result: FileResult
    source: str
    document: TextDocument
    check: Optional[Callable[[str, str], FileResult]]


class ShapecheckServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("shapecheck", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
                         notebook_document_sync=types.NotebookDocumentSyncOptions(notebook_selector=[
                             types.NotebookDocumentFilterWithCells(
                                 notebook="*", cells=[types.NotebookCellLanguage(language="python")])]))
        self.checks = Checks()
        self.pending: Dict[str, asyncio.Task] = {}  # uri -> the check waiting for its turn
        self.checked_at: Dict[str, float] = {}  # uri -> when its last check started (loop time)
        self.problems_shown: set = set()

    def publish(self, uri: str) -> None:
        """Check the document's (or notebook's) text as it is now and publish its findings."""
        self.checked_at[uri] = asyncio.get_running_loop().time()
        self._show_problem(path_of(uri))
        notebook = self.workspace.get_notebook_document(notebook_uri=uri)
        if notebook is not None:
            self._publish_cells(notebook)
        else:
            self._publish_document(uri)

    def _publish_document(self, uri: str) -> None:
        view = self.view(uri)
        document = view.document if view else self.workspace.get_text_document(uri)
        found = features.diagnostics(view.result, document.lines, document.position_codec) if view else []
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=document.version))

    def _publish_cells(self, notebook: types.NotebookDocument) -> None:
        """Each cell's findings, to the cell (every cell: one that has none any more is cleared)."""
        checked = self._notebook_result(notebook)
        result = checked[0] if checked else None
        for number, cell in enumerate(notebook.cells, start=1):
            document = self.workspace.get_text_document(cell.document)
            found = [] if result is None else features.diagnostics(in_cell(result, number), document.lines,
                                                                   document.position_codec)
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=cell.document, diagnostics=found, version=document.version))

    def _notebook_result(self, notebook: types.NotebookDocument):
        """The notebook's result and program as its cells are now; None when the configuration excludes it."""
        path = path_of(notebook.uri)
        if self.checks.excluded(path):
            return None
        cells = [(cell.kind == types.NotebookCellKind.Code, self.workspace.get_text_document(cell.document).source)
                 for cell in notebook.cells]
        return self.checks.check_notebook(path, cells)

    def view(self, uri: str) -> Optional[View]:
        """The document (or notebook cell) as it is now, with its result (the latest check's when
        its text is the same); None for a file the configuration excludes."""
        document = self.workspace.get_text_document(uri)
        notebook = self.workspace.get_notebook_document(cell_uri=uri)
        if notebook is not None:
            return self._cell_view(notebook, uri, document)
        path = path_of(uri)
        if self.checks.excluded(path):
            return None
        return View(self.checks.check(path, document.source), document.source, document, self.checks.finished)

    def _cell_view(self, notebook: types.NotebookDocument, uri: str, document: TextDocument) -> Optional[View]:
        checked = self._notebook_result(notebook)
        if checked is None:
            return None
        result, program = checked
        number = next(n for n, cell in enumerate(notebook.cells, start=1) if unquote(cell.document) == unquote(uri))
        return View(in_cell(result, number), program.cell_source(number), document, None)

    def changed(self, uri: str) -> None:
        """A change: checked now, or with the changes still to come when one was checked just now."""
        if uri in self.pending:
            return
        loop = asyncio.get_running_loop()
        wait = max(0.0, self.checked_at.get(uri, -CHANGE_INTERVAL) + CHANGE_INTERVAL - loop.time())
        self.pending[uri] = loop.create_task(self._publish_after(uri, wait))

    async def _publish_after(self, uri: str, wait: float) -> None:
        await asyncio.sleep(wait)
        self.pending.pop(uri, None)
        if unquote(uri) in self.workspace.text_documents or self.workspace.get_notebook_document(notebook_uri=uri):
            self.publish(uri)

    def closed(self, uri: str, cells: Sequence[str] = ()) -> None:
        """A document (or a notebook and its cells) closed: its findings cleared."""
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.checks.closed(path_of(uri))
        for cleared in cells or [uri]:
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=cleared, diagnostics=[]))

    def files_changed(self) -> None:
        """Every open document and notebook checked again, the project read again."""
        self.checks.files_changed()
        notebooks = list(self.workspace.notebook_documents)
        cells = {unquote(cell.document) for uri in notebooks for cell in self.workspace.notebook_documents[uri].cells}
        for uri in notebooks + [uri for uri in self.workspace.text_documents if uri not in cells]:
            self.publish(uri)

    def _show_problem(self, path: str) -> None:
        """A configuration that cannot be used is said once (the file is checked without it)."""
        problem = self.checks.settings(path).problem
        if problem and problem not in self.problems_shown:
            self.problems_shown.add(problem)
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                             message=f"shapecheck: {problem}"))


def path_of(uri: str) -> str:
    """The file's path, or "<untitled>" for a document that is not a file."""
    path: Optional[str] = to_fs_path(uri) if uri.startswith("file:") else None
    return path or "<untitled>"


def make_server() -> ShapecheckServer:
    """A server with its handlers."""
    server = ShapecheckServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ShapecheckServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ShapecheckServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.changed(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ShapecheckServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.files_changed()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ShapecheckServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.closed(params.text_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def notebook_did_open(ls: ShapecheckServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.publish(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def notebook_did_change(ls: ShapecheckServer, params: types.DidChangeNotebookDocumentParams) -> None:
        ls.changed(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def notebook_did_save(ls: ShapecheckServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.files_changed()

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def notebook_did_close(ls: ShapecheckServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls.closed(params.notebook_document.uri, [cell.uri for cell in params.cell_text_documents])

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: ShapecheckServer, params: types.HoverParams) -> Optional[types.Hover]:
        view = ls.view(params.text_document.uri)
        if view is None:
            return None
        document = view.document
        return features.hover(view.result, view.source, document.lines, document.position_codec, params.position)

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
    def inlay_hint(ls: ShapecheckServer, params: types.InlayHintParams) -> List[types.InlayHint]:
        view = ls.view(params.text_document.uri)
        if view is None:
            return []
        return features.inlay_hints(view.result, view.document.lines, view.document.position_codec, params.range)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, features.FIX_ALL]))
    def code_action(ls: ShapecheckServer, params: types.CodeActionParams) -> List[types.CodeAction]:
        view = ls.view(params.text_document.uri)
        if view is None:
            return []
        return features.code_actions(view.result, view.document, params, view.check)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: ShapecheckServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.files_changed()

    return server


def serve() -> None:
    """Speak the protocol on stdin and stdout until the client says exit."""
    make_server().start_io()
