"""Whole projects: a model in one file, built and fed in another.

Each folder of tests/projects/ is a small repository (models.py + train.py, a package with
``__init__`` re-exports, a src/ layout, relative imports, a config of constants, a factory, a
notebook, an import cycle, third-party models).  Checked whole as a user would (`shapecheck .` from
its folder, copied out of this repository), the findings are exactly its ``# expect:`` markers;
each bug is real under torch: the project's own modules, imported with its folder on sys.path,
build the model, and the input the project feeds it (the one the static check reports) makes torch
raise; the correct projects' models run on theirs.
"""

from __future__ import annotations

import importlib
import json
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

torch = pytest.importorskip("torch")

from test_cli import shapecheck
from test_fixtures import REPORTED, assert_markers, markers

PROJECTS_DIR = Path(__file__).parent / "projects"
PROJECTS = sorted(p.name for p in PROJECTS_DIR.iterdir() if p.is_dir())
SOURCES = (".py", ".ipynb")

# project -> (module, how it builds the model, the file whose call feeds it; None: a configured input)
BUILT = {
    "cifar_models_train": ("models", "Net(num_classes=10)", "train.py"),
    "nets_package": ("nets", "LeNet(num_classes=10)", "main.py"),
    "src_layout": ("vision.models", "resnet18(num_classes=100)", "scripts/train.py"),
    "relative_blocks": ("model.net", "Net()", "main.py"),
    "config_constants": ("model", "ConvNet()", "train.py"),
    "factory_elsewhere": ("models.builder", "make_model(num_blocks=4)", "train.py"),
    "notebook_local_module": ("tiny", "TinyNet(hidden=32)", "explore.ipynb"),
    "import_cycle": ("models", "Classifier()", "run.py"),
    "star_import": ("models", "SmallNet(num_classes=10)", "train.py"),
    "ctor_args_elsewhere": ("dcgan", "Generator(ngpu=1, nz=100, ngf=64, nc=3)", "main.py"),
    "config_args": ("resnet", "ResNet(BasicBlock, [2, 2, 2, 2], num_classes=10)", None),
    "changed_train": ("model", "CifarCNN()", "train.py"),
    "two_configs": ("mlp", "MLP(28 * 28)", "train_cifar.py"),
    "shared_blocks": ("nets", "WideNet(num_classes=10)", "train.py"),
}
NOT_BUILDABLE = {"third_party": "needs timm and efficientnet_pytorch"}


def checked_whole(capsys, monkeypatch, tmp_path: Path, name: str, *argv: str):
    """`shapecheck --format json .` run from a copy of the project: (exit code, the JSON document)."""
    copy = tmp_path / name
    shutil.copytree(PROJECTS_DIR / name, copy)
    monkeypatch.chdir(copy)
    code, out, err = shapecheck(capsys, "--format", "json", "--no-cache", *argv)
    assert code in (0, 1), err
    return code, json.loads(out)


def project_files(name: str):
    root = PROJECTS_DIR / name
    return sorted(p for p in root.rglob("*") if p.suffix in SOURCES)


def findings_of(document: dict, relative: str) -> SimpleNamespace:
    found = [SimpleNamespace(span=SimpleNamespace(line=d["line"], column=d["column"]), code=d["code"],
                             severity=d["severity"], message=d["message"])
             for d in document["diagnostics"] if Path(d["path"]).as_posix() == relative]
    return SimpleNamespace(diagnostics=found)


def _source_markers(path: Path):
    if path.suffix == ".ipynb":
        return {}
    return markers(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", PROJECTS)
def test_findings_are_exactly_the_markers(capsys, monkeypatch, tmp_path, name):
    code, document = checked_whole(capsys, monkeypatch, tmp_path, name, ".")
    expected_any = False
    for path in project_files(name):
        relative = path.relative_to(PROJECTS_DIR / name).as_posix()
        expected = _source_markers(path)
        expected_any = expected_any or bool(expected)
        assert_markers(findings_of(document, relative), expected)
    assert code == (1 if expected_any else 0)


def test_the_corpus_reads_like_repositories_half_with_one_bug():
    assert len(PROJECTS) >= 12
    with_bug = [name for name in PROJECTS if any(_source_markers(p) for p in project_files(name))]
    assert 2 * len(with_bug) >= len(PROJECTS) - 2, with_bug
    for name in with_bug:
        marks = [m for p in project_files(name) for m in _source_markers(p)]
        assert len(marks) == 1, f"{name}: one bug per project, got {marks}"
    assert set(BUILT) | set(NOT_BUILDABLE) == set(PROJECTS)


def _static_model(document: dict, name: str, feeder) -> dict:
    """The configuration the static check reports for the project's own input."""
    model_name = BUILT[name][1].split("(")[0]
    fed = [(m["name"], c) for m in document["models"] for c in m["configurations"]
           if feeder is None or c["input_source"]["path"] == feeder]
    assert fed, f"no model fed by {feeder}: {[(m['name'], m['input_source']) for m in document['models']]}"
    named = [c for model, c in fed if model == model_name] or [c for _, c in fed]
    return named[0]


@pytest.fixture
def project_on_path(monkeypatch):
    """Import a project's modules as its scripts do; forget them before and after (names such as
    models and config repeat across projects)."""
    names = set()

    def forget() -> None:
        for name in [n for n in sys.modules if n.split(".")[0] in names]:
            del sys.modules[name]
        importlib.invalidate_caches()

    def put(folder: Path) -> None:
        for entry in (folder / "src", folder):
            if entry.is_dir():
                monkeypatch.syspath_prepend(str(entry))
                names.update(p.stem for p in entry.iterdir() if p.suffix == ".py" or p.is_dir())
        forget()

    yield put
    forget()


@pytest.mark.parametrize("name", sorted(BUILT))
def test_each_model_under_torch_with_the_input_its_project_feeds_it(capsys, monkeypatch, tmp_path, name,
                                                                      project_on_path):
    module_name, build, feeder = BUILT[name]
    _, document = checked_whole(capsys, monkeypatch, tmp_path, name, ".")
    model_report = _static_model(document, name, feeder)
    shape = [2 if d == "B" else d for d in model_report["input_shape"]]
    assert all(isinstance(d, int) for d in shape), model_report
    project_on_path(tmp_path / name)
    module = importlib.import_module(module_name)
    model = eval(build, vars(module))
    buggy = any(_source_markers(p) for p in project_files(name))
    with torch.no_grad():
        if buggy:
            assert model_report["status"] == "error"
            with pytest.raises(RuntimeError, match=r"shapes cannot be multiplied|is invalid for input of size"):
                model.eval()(torch.randn(*shape))
        else:
            assert model_report["status"] == "ok", model_report
            out = model.eval()(torch.randn(*shape))
            assert list(out.shape) == [2 if d == "B" else d for d in model_report["output_shape"]]
