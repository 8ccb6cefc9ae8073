"""`shapecheck server`, driven end to end over stdio by pytest-lsp: the real server process, the
findings of the command line at the right ranges, as documents are opened, typed in and saved."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp", reason="the server's tests need pytest-lsp (the dev extra)")

from lsprotocol import types
from pygls.protocol import default_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

EDITOR = Path(__file__).resolve().parent / "editor"
LENET = (EDITOR / "lenet.py").read_text()
WRONG_LINEAR = LENET.replace("nn.Linear(16 * 5 * 5, 120)", "nn.Linear(16 * 4 * 4, 120)")
WAIT = 30  # seconds a published result may take (a loaded machine), never a speed claim

over_lsp = pytest.mark.asyncio(loop_scope="module")  # the tests that share the module's server


def recording_client() -> LanguageClient:
    """pytest-lsp's client, which also keeps every publishDiagnostics in order (with its version)."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.published.append(params)
        client.diagnostics[params.uri] = params.diagnostics

    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish})
    return client


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(
    server_command=[sys.executable, "-m", "shapecheck", "server"], client_factory=recording_client))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


async def published(client: LanguageClient, uri: str, version=None, after: int = 0):
    """The first publishDiagnostics for ``uri`` (of ``version``) among those from index ``after`` on."""
    for _ in range(WAIT * 100):
        for params in client.published[after:]:
            if params.uri == uri and (version is None or params.version == version):
                return params
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics published for {uri} version {version}")


def opened(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = from_fs_path(str(path))
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=version, text=text)))
    return uri


def changed(client: LanguageClient, uri: str, version: int, start, end, text: str) -> None:
    """An incremental change, as editors send one: ``text`` replaces (line, character) ``start`` to ``end``."""
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(*start), end=types.Position(*end)), text=text)]))


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("project")
    (folder / "pyproject.toml").write_text("[tool.shapecheck]\nper-file-ignores = { \"quiet.py\" = [\"SHP101\"] }\n")
    return folder


@over_lsp
async def test_a_wrong_linear_is_reported_at_its_range_and_goes_once_fixed(client: LanguageClient, project: Path):
    path = project / "net.py"
    path.write_text(WRONG_LINEAR)
    uri = opened(client, path, WRONG_LINEAR)
    [found] = (await published(client, uri, 1)).diagnostics
    assert (found.code, found.severity, found.source) == ("SHP101", types.DiagnosticSeverity.Error, "shapecheck")
    assert (found.range.start.line, found.range.start.character, found.range.end.line, found.range.end.character) == \
        (11, 19, 11, 45)
    assert found.message.startswith("LeNet.fc1: Linear expects 256 input features but receives 400 = 16×5×5")
    assert found.message.endswith("use nn.Linear(16 * 5 * 5, 120)")

    changed(client, uri, 2, (11, 38), (11, 39), "5")  # 16 * 4 * 4 -> 16 * 4 * 5: still wrong (320)
    [still] = (await published(client, uri, 2)).diagnostics
    assert "expects 320 input features but receives 400" in still.message
    changed(client, uri, 3, (11, 34), (11, 35), "5")  # the unsaved text is what is checked
    assert (await published(client, uri, 3)).diagnostics == ()


@over_lsp
async def test_a_syntax_error_mid_typing_is_shp901_and_the_server_goes_on(client: LanguageClient, project: Path):
    path = project / "typing.py"
    path.write_text(LENET)
    uri = opened(client, path, LENET)
    assert (await published(client, uri, 1)).diagnostics == ()
    changed(client, uri, 2, (18, 30), (18, 31), "")  # torch.flatten(x, 1) loses its closing bracket
    [error] = (await published(client, uri, 2)).diagnostics
    assert (error.code, error.severity, error.range.start.line) == ("SHP901", types.DiagnosticSeverity.Error, 18)
    assert error.message.startswith("syntax error: '(' was never closed")
    changed(client, uri, 3, (18, 30), (18, 30), ")")
    assert (await published(client, uri, 3)).diagnostics == ()


@over_lsp
async def test_the_projects_configuration_and_noqa_comments_apply_as_on_the_command_line(
        client: LanguageClient, project: Path):
    quiet = project / "quiet.py"
    quiet.write_text(WRONG_LINEAR)
    assert (await published(client, opened(client, quiet, WRONG_LINEAR), 1)).diagnostics == ()
    noqa = WRONG_LINEAR.replace("16 * 4 * 4, 120)", "16 * 4 * 4, 120)  # noqa: SHP101")
    (project / "noqa.py").write_text(noqa)
    assert (await published(client, opened(client, project / "noqa.py", noqa), 1)).diagnostics == ()


@over_lsp
async def test_changes_typed_in_a_burst_are_checked_together_and_the_last_text_wins(
        client: LanguageClient, project: Path):
    path = project / "burst.py"
    path.write_text(LENET)
    uri = opened(client, path, LENET)
    await published(client, uri, 1)
    before = len(client.published)
    for version, digit in enumerate("123456789" * 2 + "4", start=2):  # 16 * 5 * 5 -> 16 * 4 * 5 at the end
        changed(client, uri, version, (11, 34), (11, 35), digit)
    last = await published(client, uri, 20, after=before)
    assert "expects 320 input features but receives 400" in last.diagnostics[0].message
    assert len([p for p in client.published[before:] if p.uri == uri]) < 19


@over_lsp
async def test_saving_a_file_the_model_imports_checks_the_open_documents_again(client: LanguageClient, project: Path):
    (project / "sizes.py").write_text("FEATURES = 16 * 5 * 5\n")
    text = LENET.replace("import torch.nn.functional as F\n", "import torch.nn.functional as F\nfrom sizes import FEATURES\n") \
        .replace("nn.Linear(16 * 5 * 5, 120)", "nn.Linear(FEATURES, 120)")
    path = project / "imports.py"
    path.write_text(text)
    uri = opened(client, path, text)
    assert (await published(client, uri, 1)).diagnostics == ()
    before = len(client.published)
    (project / "sizes.py").write_text("FEATURES = 16 * 4 * 4\n")
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=from_fs_path(str(project / "sizes.py")))))
    [found] = (await published(client, uri, 1, after=before)).diagnostics
    assert (found.code, found.range.start.line) == ("SHP101", 12)
    assert "expects 256 input features but receives 400" in found.message


def test_without_pygls_the_server_command_says_what_to_install():
    import subprocess

    blocked = "import sys; sys.modules['pygls'] = None; from shapecheck.cli.main import main; main(['server'])"
    done = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "shapecheck: error: shapecheck server needs pygls: pip install 'shapecheck[server]'\n"


def hovered(client: LanguageClient, uri: str, line: int, character: int):
    return client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=character)))


@over_lsp
async def test_hover_gives_the_shape_of_x_after_the_pool_and_of_the_layers(client: LanguageClient, project: Path):
    path = project / "lenet.py"
    path.write_text(LENET)
    uri = opened(client, path, LENET)
    await published(client, uri, 1)
    after_pool = await hovered(client, uri, 18, 26)  # x in torch.flatten(x, 1), after x = self.pool(...)
    assert after_pool.contents.value == "**x**: `B×16×5×5`\n\nLeNet's input `B×3×32×32`: call at line 35"
    assert (after_pool.range.start.line, after_pool.range.start.character, after_pool.range.end.character) == (18, 26, 27)
    conv2 = (await hovered(client, uri, 17, 35)).contents.value  # self.conv2 in forward
    assert conv2.startswith("**self.conv2** `nn.Conv2d(6, 16, 5)` (LeNet.conv2)\n\n`B×6×14×14` → `B×16×10×10`")
    assert "in_channels 6, out_channels 16, kernel_size 5\n\n2,416 parameters" in conv2
    linear = (await hovered(client, uri, 11, 22)).contents.value  # on nn.Linear(16 * 5 * 5, 120)
    assert linear.split("\n\n")[:4] == ["`nn.Linear(16 * 5 * 5, 120)` (LeNet.fc1)", "in_features 400, out_features 120",
                                        "receives `B×400` → `B×120`", "48,120 parameters"]
    assert await hovered(client, uri, 0, 3) is None  # `import torch`: nothing to say


@over_lsp
async def test_inlay_hints_on_a_lenet_are_the_shapes_annotate_writes(client: LanguageClient, project: Path):
    path = project / "hints.py"
    path.write_text(LENET)
    uri = opened(client, path, LENET)
    await published(client, uri, 1)
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=40, character=0))))
    lines = LENET.splitlines()
    shown = {h.position.line + 1: h.label for h in hints}
    assert shown == {17: "→ B×6×14×14", 18: "→ B×16×5×5", 19: "→ B×400", 20: "→ B×120", 21: "→ B×84", 22: "→ B×10",
                     27: "→ B×8×H×W", 29: "→ B×8×⌊H/2⌋×⌊W/2⌋", 30: "→ B×8·⌊H/2⌋·⌊W/2⌋"}
    assert all(h.position.character == len(lines[h.position.line]) for h in hints)
    only_forward = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=types.Range(start=types.Position(line=16, character=0), end=types.Position(line=17, character=0))))
    assert [h.position.line + 1 for h in only_forward] == [17, 18]


def applied(text: str, edits) -> str:
    """The text with LSP text edits made (ranges of the text before, ASCII lines here)."""
    lines = text.splitlines(keepends=True)
    offset = lambda p: sum(len(line) for line in lines[:p.line]) + p.character  # noqa: E731
    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


async def actions_on(client: LanguageClient, uri: str, found: types.Diagnostic, only=None):
    return await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=found.range,
        context=types.CodeActionContext(diagnostics=[found], only=only)))


@over_lsp
async def test_the_fix_action_gives_the_fixed_model_which_runs_under_torch(client: LanguageClient, project: Path,
                                                                          tmp_path: Path):
    import subprocess

    pytest.importorskip("torch")
    path = project / "tofix.py"
    path.write_text(WRONG_LINEAR)
    uri = opened(client, path, WRONG_LINEAR)
    [found] = (await published(client, uri, 1)).diagnostics
    fix, noqa, every = await actions_on(client, uri, found)
    assert (fix.title, fix.kind, fix.is_preferred) == ("Fix SHP101: write 16 * 5 * 5", "quickfix", True)
    assert fix.diagnostics[0].code == "SHP101"
    [change] = fix.edit.document_changes
    assert (change.text_document.uri, change.text_document.version) == (uri, 1)
    fixed = applied(WRONG_LINEAR, change.edits)
    assert fixed == LENET
    (tmp_path / "fixed.py").write_text(fixed)
    both = ("import runpy, sys\n"
            "runpy.run_path(sys.argv[1])\n"
            "try:\n    runpy.run_path(sys.argv[2])\nexcept RuntimeError as e:\n    print(e)\n")
    ran = subprocess.run([sys.executable, "-c", both, str(tmp_path / "fixed.py"), str(path)],
                         capture_output=True, text=True, timeout=300)
    assert ran.returncode == 0, ran.stderr  # the fixed model runs; the one before raises:
    assert "mat1 and mat2 shapes cannot be multiplied (4x400 and 256x120)" in ran.stdout

    assert (every.title, every.kind) == ("Fix 1 shapecheck finding", "source.fixAll.shapecheck")
    assert applied(WRONG_LINEAR, every.edit.document_changes[0].edits) == LENET
    assert [a.kind for a in await actions_on(client, uri, found, only=["source.fixAll"])] == ["source.fixAll.shapecheck"]

    assert noqa.title == "Suppress SHP101 on this line (# noqa: SHP101)"
    suppressed = applied(WRONG_LINEAR, noqa.edit.document_changes[0].edits)
    assert suppressed.splitlines()[11] == "        self.fc1 = nn.Linear(16 * 4 * 4, 120)  # noqa: SHP101"
    changed(client, uri, 2, (0, 0), (len(LENET.splitlines()) + 5, 0), suppressed)
    assert (await published(client, uri, 2)).diagnostics == ()


NOTEBOOK_CELLS = [
    (types.NotebookCellKind.Code, "import torch\nimport torch.nn as nn\n%matplotlib inline\n"),
    (types.NotebookCellKind.Markup, "# A CIFAR network\n"),
    (types.NotebookCellKind.Code, "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                                  "        self.conv = nn.Conv2d(3, 16, 3, padding=1)\n"
                                  "        self.pool = nn.MaxPool2d(2)\n"
                                  "        self.fc = nn.Linear(16 * 8 * 8, 10)\n\n"
                                  "    def forward(self, x):\n        x = self.pool(self.conv(x))\n"
                                  "        return self.fc(x.flatten(1))\n"),
    (types.NotebookCellKind.Code, "net = Net()\nout = net(torch.randn(4, 3, 32, 32))\n"),
]


@over_lsp
async def test_a_notebooks_cells_are_one_program_and_each_finding_goes_to_its_cell(client: LanguageClient,
                                                                                 project: Path):
    path = project / "cifar.ipynb"
    path.write_text("{}")
    uri = from_fs_path(str(path))
    cells = [f"vscode-notebook-cell:{path}#cell{n}" for n in range(len(NOTEBOOK_CELLS))]
    before = len(client.published)
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(uri=uri, notebook_type="jupyter-notebook", version=1, cells=[
            types.NotebookCell(kind=kind, document=cell) for (kind, _), cell in zip(NOTEBOOK_CELLS, cells)]),
        cell_text_documents=[types.TextDocumentItem(uri=cell, language_id="python" if kind == 2 else "markdown",
                                                    version=1, text=text)
                             for (kind, text), cell in zip(NOTEBOOK_CELLS, cells)]))
    [found] = (await published(client, cells[2], 1, after=before)).diagnostics
    assert (found.code, found.range.start.line, found.range.start.character) == ("SHP101", 5, 18)
    assert "Linear expects 1024 input features but receives 4096 = 16×16×16" in found.message
    assert "(B×16×16×16 after MaxPool2d(2) at line 5 of cell 3)" in found.message
    for other in (0, 1, 3):
        assert (await published(client, cells[other], 1, after=before)).diagnostics == ()

    x = await hovered(client, cells[2], 8, 8)  # x = self.pool(self.conv(x)) in the cell's forward
    assert x.contents.value == "**x**: `B×16×16×16`\n\nNet's input `B×3×32×32`: call at line 2 of cell 4"
    assert x.range.start.line == 8
    hints = await client.text_document_inlay_hint_async(types.InlayHintParams(
        text_document=types.TextDocumentIdentifier(uri=cells[2]),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=20, character=0))))
    assert [(h.position.line, h.label) for h in hints] == [(8, "→ B×16×16×16")]  # shapes stop at the wrong fc

    before = len(client.published)
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        notebook_document=types.VersionedNotebookDocumentIdentifier(uri=uri, version=2),
        change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
            types.NotebookDocumentCellContentChanges(
                document=types.VersionedTextDocumentIdentifier(uri=cells[2], version=2),
                changes=[types.TextDocumentContentChangePartial(
                    range=types.Range(start=types.Position(line=5, character=33), end=types.Position(line=5, character=38)),
                    text="16 * 16")])]))))
    assert (await published(client, cells[2], 2, after=before)).diagnostics == ()


def long_file(copies: int = 237, wrong: int = 200) -> str:
    """The LeNet class of tests/editor/lenet.py ``copies`` times, each with its input comment (21
    lines each), the one numbered ``wrong`` with a wrong nn.Linear, and a script that feeds it CIFAR
    images: 5,000 lines."""
    lines = LENET.splitlines()
    imports, cls = "\n".join(lines[:3]) + "\n", "\n".join(lines[5:23]) + "\n\n\n"
    classes = ["# shapecheck: input=(B, 3, 32, 32)\n" + cls.replace("class LeNet(", f"class LeNet{n}(")
               for n in range(copies)]
    classes[wrong] = classes[wrong].replace("16 * 5 * 5", "16 * 4 * 4")
    script = f"net = LeNet{wrong}()\nout = net(torch.randn(4, 3, 32, 32))\n"
    body = imports + "".join(classes)
    return body + "\n" * (5000 - body.count("\n") - 2) + script


@over_lsp
async def test_a_file_of_5000_lines(client: LanguageClient, project: Path):
    text = long_file()
    assert text.count("\n") == 5000
    path = project / "long.py"
    path.write_text(text)
    uri = opened(client, path, text)
    [found] = (await published(client, uri, 1)).diagnostics
    wrong_line = text.splitlines().index("class LeNet200(nn.Module):") + 6  # counted from 0, as LSP lines are
    assert text.splitlines()[wrong_line] == "        self.fc1 = nn.Linear(16 * 4 * 4, 120)"
    assert (found.code, found.range.start.line, found.range.start.character) == ("SHP101", wrong_line, 19)
    assert "LeNet200.fc1: Linear expects 256 input features but receives 400" in found.message
    pooled = await hovered(client, uri, wrong_line + 7, 26)  # x in torch.flatten(x, 1) of LeNet200.forward
    assert pooled.contents.value.startswith("**x**: `B×16×5×5`\n\nLeNet200's input `B×3×32×32`")
    changed(client, uri, 2, (wrong_line, 34), (wrong_line, 35), "5")
    changed(client, uri, 3, (wrong_line, 38), (wrong_line, 39), "5")
    assert (await published(client, uri, 3)).diagnostics == ()


@over_lsp
async def test_a_configuration_that_cannot_be_used_is_said_once_and_the_file_still_checked(
        client: LanguageClient, tmp_path_factory):
    folder = tmp_path_factory.mktemp("badconfig")
    (folder / "pyproject.toml").write_text('[tool.shapecheck]\nselect = "SHP1"\n')
    for name in ("one.py", "two.py"):
        (folder / name).write_text(WRONG_LINEAR)
        [found] = (await published(client, opened(client, folder / name, WRONG_LINEAR), 1)).diagnostics
        assert found.code == "SHP101"
    said = [m for m in client.messages if "[tool.shapecheck]" in m.message]
    assert len(said) == 1 and said[0].type == types.MessageType.Warning
    assert said[0].message.startswith("shapecheck: ")
    assert said[0].message.endswith('pyproject.toml: [tool.shapecheck] select: expected a list of strings, got "SHP1"')
