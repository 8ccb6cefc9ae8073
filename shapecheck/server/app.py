"""The language server over stdio (pygls): diagnostics for the open documents, checked when opened,
saved, and as they change; hovers, inlay hints and code actions from the latest check of the text shown.

While a document is being typed in, its first change is checked at once and the changes that
follow within ``CHANGE_INTERVAL`` are checked together, once: at most one check per document per
interval, the newest text always checked last.  A save (or a file changed on disk) makes the
project's files and configuration be read again, and every open document is checked again."""

from __future__ import annotations

import asyncio
from typing import Dict, List, Optional

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from .. import __version__
from . import features
from .checks import Checks

CHANGE_INTERVAL = 0.15  # seconds between two checks of a document being typed in


class ShapecheckServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("shapecheck", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.checks = Checks()
        self.pending: Dict[str, asyncio.Task] = {}  # uri -> the check waiting for its turn
        self.checked_at: Dict[str, float] = {}  # uri -> when its last check started (loop time)
        self.problems_shown: set = set()

    def publish(self, uri: str) -> None:
        """Check the document's text as it is now and publish its findings."""
        self.checked_at[uri] = asyncio.get_running_loop().time()
        self._show_problem(path_of(uri))
        result, document = self.result(uri)
        found = [] if result is None else features.diagnostics(result, document.lines, document.position_codec)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=found, version=document.version))

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
        if uri in self.workspace.text_documents:
            self.publish(uri)

    def closed(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.checks.closed(path_of(uri))
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def result(self, uri: str):
        """The document's result as it is now (the latest check's when the text is the same), and the document."""
        document = self.workspace.get_text_document(uri)
        path = path_of(uri)
        return (None if self.checks.excluded(path) else self.checks.check(path, document.source)), document

    def files_changed(self) -> None:
        self.checks.files_changed()
        for uri in list(self.workspace.text_documents):
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

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: ShapecheckServer, params: types.HoverParams) -> Optional[types.Hover]:
        result, document = ls.result(params.text_document.uri)
        if result is None:
            return None
        return features.hover(result, document.source, document.lines, document.position_codec, params.position)

    @server.feature(types.TEXT_DOCUMENT_INLAY_HINT)
    def inlay_hint(ls: ShapecheckServer, params: types.InlayHintParams) -> List[types.InlayHint]:
        result, document = ls.result(params.text_document.uri)
        if result is None:
            return []
        return features.inlay_hints(result, document.lines, document.position_codec, params.range)

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, features.FIX_ALL]))
    def code_action(ls: ShapecheckServer, params: types.CodeActionParams) -> List[types.CodeAction]:
        result, document = ls.result(params.text_document.uri)
        if result is None:
            return []
        return features.code_actions(result, document, params, ls.checks.finished)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: ShapecheckServer, params: types.DidChangeWatchedFilesParams) -> None:
        ls.files_changed()

    return server


def serve() -> None:
    """Speak the protocol on stdin and stdout until the client says exit."""
    make_server().start_io()
