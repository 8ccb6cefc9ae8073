"""What the language server reuses between checks (no server process): a text already checked is
not checked again, and the project's other files are read once while the document is typed in,
then again once a file is saved."""

from __future__ import annotations

from pathlib import Path

from shapecheck.analysis import project
from shapecheck.server.checks import Checks

LENET = (Path(__file__).resolve().parent / "editor" / "lenet.py").read_text()
MODEL = LENET.replace("import torch.nn.functional as F\n", "import torch.nn.functional as F\nfrom sizes import FEATURES\n") \
    .replace("nn.Linear(16 * 5 * 5, 120)", "nn.Linear(FEATURES, 120)")


def test_the_projects_files_are_read_once_while_typing_and_again_after_a_save(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text("[tool.shapecheck]\n")
    (tmp_path / "sizes.py").write_text("FEATURES = 16 * 5 * 5\n")
    model = tmp_path / "model.py"
    model.write_text(MODEL)
    reads = []
    parse = project._parse
    monkeypatch.setattr(project, "_parse", lambda path, data=None: reads.append(path.name) or parse(path, data))
    checks = Checks()
    checks.files_changed()  # nothing kept from other tests in this process
    first = checks.check(str(model), MODEL)
    assert first.diagnostics == [] and checks.check(str(model), MODEL) is first
    typed = MODEL.replace("nn.Linear(120, 84)", "nn.Linear(121, 84)")
    [wrong] = checks.check(str(model), typed).diagnostics
    assert (wrong.code, wrong.span.line) == ("SHP101", 14)
    assert reads.count("sizes.py") == 1
    (tmp_path / "sizes.py").write_text("FEATURES = 16 * 4 * 4\n")
    checks.files_changed()
    assert [d.span.line for d in checks.check(str(model), MODEL).diagnostics] == [13]
    assert reads.count("sizes.py") == 2


def test_the_editor_setups_start_the_server_command():
    import json
    import re

    root = Path(__file__).resolve().parent.parent
    extension = json.loads((root / "editors" / "vscode" / "package.json").read_text())
    assert (root / "editors" / "vscode" / extension["main"]).is_file()
    assert extension["contributes"]["configuration"]["properties"]["shapecheck.command"]["default"] == \
        ["shapecheck", "server"]
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    readme = (root / "README.md").read_text()
    [helix] = re.findall(r"```toml\n(\[language-server\.shapecheck\].*?)```", readme, re.S)
    assert tomllib.loads(helix)["language-server"]["shapecheck"] == {"command": "shapecheck", "args": ["server"]}
    assert 'cmd = { "shapecheck", "server" }' in readme
