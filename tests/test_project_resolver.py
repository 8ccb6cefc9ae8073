"""Reading a project as Python would import it (shapecheck/analysis/project.py and imports.py), and
what the command line does with it: only the named files reported, the call that feeds an unchanged
model reported when that model's file is not checked, --args and [tool.shapecheck.args] for the
static check, and cached results that depend on other files."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from shapecheck.analysis.project import LIBRARIES, MAX_IMPORTERS, Project, find_root
from test_cli import shapecheck

MODEL = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, num_classes):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.fc = nn.Linear(16 * 16 * 16, num_classes)

    def forward(self, x):
        return self.fc(self.pool(self.conv(x)).flatten(1))
"""
TRAIN = """\
import torch
from models import Net

net = Net(num_classes=10)
print(net(torch.randn(8, 3, {size}, {size})).shape)
"""


def write(root: Path, files: dict) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


# --- the resolver ---------------------------------------------------------------------------------


def test_the_root_is_the_nearest_folder_with_a_project_marker(tmp_path):
    write(tmp_path, {"pyproject.toml": "", "src/pkg/models/net.py": ""})
    assert find_root(tmp_path / "src" / "pkg" / "models" / "net.py") == tmp_path.resolve()


def test_names_resolve_from_the_file_folder_the_root_and_src(tmp_path):
    write(tmp_path, {"setup.cfg": "", "scripts/train.py": "", "src/vision/__init__.py": "",
                     "src/vision/models/resnet.py": "", "config.py": ""})
    project = Project(tmp_path)
    train = tmp_path / "scripts" / "train.py"
    assert project.resolve("vision.models.resnet", train).path == tmp_path / "src/vision/models/resnet.py"
    assert project.resolve("vision", train).package
    assert project.resolve("config", train).path == tmp_path / "config.py"
    namespace = project.resolve("vision.models", train)  # no __init__.py: a namespace package
    assert namespace.found and namespace.path is None and namespace.folder == tmp_path / "src/vision/models"


def test_relative_imports_resolve_next_to_the_importer_and_never_above_the_project(tmp_path):
    write(tmp_path, {"pyproject.toml": "", "model/__init__.py": "", "model/blocks.py": "", "model/net.py": ""})
    project = Project(tmp_path)
    net = tmp_path / "model" / "net.py"
    assert project.resolve("blocks", net, level=1).path == tmp_path / "model/blocks.py"
    assert project.resolve("", net, level=1).path == tmp_path / "model/__init__.py"
    above = project.resolve("x", net, level=3)
    assert not above.found and "above the project" in above.reason


def test_libraries_and_missing_names_are_not_the_project(tmp_path):
    write(tmp_path, {"pyproject.toml": "", "torch/__init__.py": "", "train.py": ""})
    project = Project(tmp_path)
    assert "torch" in LIBRARIES and "os" in LIBRARIES
    torch = project.resolve("torch.nn", tmp_path / "train.py")
    assert not torch.found and "library" in torch.reason
    timm = project.resolve("timm", tmp_path / "train.py")
    assert not timm.found and "not a module of the project" in timm.reason


def test_a_name_in_two_folders_is_not_guessed(tmp_path):
    write(tmp_path, {"pyproject.toml": "", "models.py": "", "scripts/models.py": "", "scripts/train.py": ""})
    found = Project(tmp_path).resolve("models", tmp_path / "scripts" / "train.py")
    assert not found.found and "is both" in found.reason and "depends on how the program is started" in found.reason


def test_importers_are_found_through_a_package_that_re_exports(tmp_path):
    write(tmp_path, {"pyproject.toml": "", "nets/__init__.py": "from .lenet import LeNet\n",
                     "nets/lenet.py": "", "main.py": "from nets import LeNet\n", "other.py": "import os\n"})
    project = Project(tmp_path)
    found = project.importers(tmp_path / "nets" / "lenet.py")
    assert found == [(tmp_path / "nets/__init__.py").resolve(), (tmp_path / "main.py").resolve()]


def test_every_file_is_parsed_once_per_run(tmp_path):
    write(tmp_path, {"pyproject.toml": "", "a.py": "import b\n", "b.py": "x = 1\n"})
    project = Project(tmp_path)
    first = project.parsed(tmp_path / "b.py")
    project.importers(tmp_path / "b.py")
    assert project.parsed(tmp_path / "b.py") is first


def test_a_package_of_thousands_of_files_is_bounded(tmp_path):
    files = {"pyproject.toml": "", "models.py": MODEL}
    files.update({f"pkg/m{i}.py": "import models\n" for i in range(3000)})
    write(tmp_path, files)
    started = time.perf_counter()
    found = Project(tmp_path).importers(tmp_path / "models.py")
    assert len(found) == MAX_IMPORTERS
    assert time.perf_counter() - started < 20


# --- checking projects from the command line --------------------------------------------------------


def run_json(capsys, monkeypatch, folder: Path, *argv: str):
    monkeypatch.chdir(folder)
    code, out, err = shapecheck(capsys, "--format", "json", *argv)
    assert code in (0, 1), err
    return code, json.loads(out)


def test_a_changed_model_file_is_checked_with_the_input_the_unchanged_script_gives(capsys, monkeypatch, tmp_path):
    write(tmp_path, {"models.py": MODEL, "train.py": TRAIN.format(size=64)})
    code, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "models.py")
    (finding,) = document["diagnostics"]
    assert code == 1
    assert (finding["path"], finding["line"], finding["column"], finding["code"]) == ("models.py", 9, 19, "SHP101")
    assert "expects 4096 input features but receives 16384" in finding["message"]
    assert "(model input B×3×64×64 from call at train.py:5)" in finding["message"]
    (model,) = document["models"]
    assert model["path"] == "models.py"
    assert model["input_source"] == {"description": "call at train.py:5", "path": "train.py", "line": 5}


def test_a_changed_script_that_feeds_an_unchanged_model_gets_the_error_at_its_call(capsys, monkeypatch, tmp_path):
    write(tmp_path, {"models.py": MODEL, "train.py": TRAIN.format(size=64)})
    code, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "train.py")
    (finding,) = document["diagnostics"]
    assert code == 1 and document["models"] == []  # Net is listed under models.py, not checked here
    assert (finding["path"], finding["line"], finding["column"], finding["code"]) == ("train.py", 5, 7, "SHP203")
    assert "Net (models.py:4) does not take the B×3×64×64 this call gives it" in finding["message"]
    assert "models.py:9" in finding["message"]


def test_the_call_quotes_the_models_finding_without_the_input_it_received(capsys, monkeypatch, tmp_path):
    """The call gives the input now: the quoted finding drops its "(input …)" and what follows it."""
    write(tmp_path, {"models.py": MODEL, "train.py": TRAIN.format(size=64).replace("randn(8, 3,", "randn(8, 1,")})
    _, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "train.py")
    (finding,) = document["diagnostics"]
    assert (finding["path"], finding["line"], finding["column"], finding["code"]) == ("train.py", 5, 7, "SHP203")
    assert finding["message"] == ("Net (models.py:4) does not take the B×1×64×64 this call gives it: models.py:7: "
                                  "Net.conv: Conv2d expects 3 input channels (in_channels) but receives 1")
    _, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "models.py")
    (finding,) = document["diagnostics"]
    assert finding["message"].startswith("Net.conv: Conv2d expects 3 input channels (in_channels) but receives 1 "
                                         "(input B×1×64×64) (model input B×1×64×64 from call at train.py:5)")


def test_both_files_checked_report_the_error_once_where_it_is(capsys, monkeypatch, tmp_path):
    write(tmp_path, {"models.py": MODEL, "train.py": TRAIN.format(size=64)})
    _, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", ".")
    assert [(d["path"], d["code"]) for d in document["diagnostics"]] == [("models.py", "SHP101")]


def test_the_cached_result_of_a_model_is_not_reused_when_only_the_script_changed(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SHAPECHECK_CACHE_DIR", str(tmp_path / "cache"))
    project = write(tmp_path / "project", {"models.py": MODEL, "train.py": TRAIN.format(size=32)})
    code, document = run_json(capsys, monkeypatch, project, "models.py")
    assert code == 0 and document["diagnostics"] == []
    code, document = run_json(capsys, monkeypatch, project, "models.py")  # from the cache
    assert code == 0 and document["models"][0]["input_shape"] == ["B", 3, 32, 32]
    (project / "train.py").write_text(TRAIN.format(size=64))
    code, document = run_json(capsys, monkeypatch, project, "models.py")
    assert code == 1 and [d["code"] for d in document["diagnostics"]] == ["SHP101"]
    assert document["models"][0]["input_shape"] == ["B", 3, 64, 64]


def test_a_new_script_that_imports_the_model_invalidates_its_cached_result(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SHAPECHECK_CACHE_DIR", str(tmp_path / "cache"))
    project = write(tmp_path / "project", {"models.py": MODEL})
    assert run_json(capsys, monkeypatch, project, "models.py")[0] == 0
    (project / "train.py").write_text(TRAIN.format(size=64))
    assert run_json(capsys, monkeypatch, project, "models.py")[0] == 1


NET = """\
import torch.nn as nn


class {name}(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
        self.fc = nn.Linear({features}, 10)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))
"""
PICKED = {  # train.py builds the network config.py names, on 64x64 images: BNet is sized for 32x32
    "pyproject.toml": "",
    "nets/__init__.py": "from .a_net import ANet\nfrom .b_net import BNet\n",
    "nets/a_net.py": NET.format(name="ANet", features="16 * 32 * 32"),
    "nets/b_net.py": NET.format(name="BNet", features="16 * 16 * 16"),
    "train.py": "import torch\n\nfrom config import ARCH\nfrom nets import ANet, BNet\n\n"
                "NETWORKS = {'a': ANet, 'b': BNet}\nmodel = NETWORKS[ARCH]()\n"
                "print(model(torch.randn(8, 3, 64, 64)).shape)\n",
}


def _count_script_runs(monkeypatch) -> list:
    from shapecheck.analysis.imports import ModuleLoader

    runs, run_script = [], ModuleLoader.run_script

    def counted(self, interp, path):
        runs.append(Path(path).name)
        return run_script(self, interp, path)
    monkeypatch.setattr(ModuleLoader, "run_script", counted)
    return runs


@pytest.mark.parametrize("arch, train_runs", [("a", 1), ("b", 2)])
def test_a_script_is_not_run_again_for_a_model_whose_code_its_run_did_not_reach(
        capsys, monkeypatch, tmp_path, arch, train_runs):
    write(tmp_path, dict(PICKED, **{"config.py": f"ARCH = {arch!r}\n"}))
    runs = _count_script_runs(monkeypatch)
    code, whole = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "--jobs", "1", ".")
    assert runs.count("train.py") == train_runs  # checking a_net.py runs it; b_net.py again only when it builds BNet
    _, alone = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "nets/b_net.py")
    assert [m for m in whole["models"] if m["path"] == "nets/b_net.py"] == alone["models"]
    errors = [(d["path"], d["line"], d["column"], d["code"]) for d in whole["diagnostics"] if d["severity"] == "error"]
    if arch == "a":
        assert code == 0 and errors == [] and alone["models"][0]["status"] == "ok"
    else:
        assert code == 1 and errors == [("nets/b_net.py", 8, 19, "SHP101")]
        assert "receives 16384 = 16×32×32" in whole["diagnostics"][-1]["message"]


def test_the_cached_result_of_a_model_the_script_did_not_build_is_not_reused_when_what_the_script_reads_changed(
        capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("SHAPECHECK_CACHE_DIR", str(tmp_path / "cache"))
    project = write(tmp_path / "project", dict(PICKED, **{"config.py": "ARCH = 'a'\n"}))
    assert run_json(capsys, monkeypatch, project, "--jobs", "1", ".")[0] == 0
    (project / "config.py").write_text("ARCH = 'b'\n")  # b_net.py does not import config.py; train.py does
    code, document = run_json(capsys, monkeypatch, project, "--jobs", "1", ".")
    assert code == 1
    assert [(d["path"], d["line"], d["column"], d["code"]) for d in document["diagnostics"]
            if d["severity"] == "error"] == [("nets/b_net.py", 8, 19, "SHP101")]


D2L_STYLE = {  # d2l's own torch.py names itself through sys.modules and builds its classes on that
    "pyproject.toml": "",
    "d2l/__init__.py": "",
    "d2l/torch.py": "import sys\n\nfrom torch import nn\n\nnn_Module = nn.Module\nd2l = sys.modules[__name__]\n\n\n"
                    "class Module(d2l.nn_Module):\n    def forward(self, X):\n        return self.net(X)\n\n\n"
                    "class Classifier(d2l.Module):\n    pass\n",
    "lenet.py": "import torch\nfrom torch import nn\nfrom d2l import torch as d2l\n\n\n"
                "class LeNet(d2l.Classifier):\n    def __init__(self):\n        super().__init__()\n"
                "        self.net = nn.Sequential(nn.Conv2d(1, 6, 5), nn.Flatten(), nn.Linear(6 * 28 * 28, 10))\n\n\n"
                "LeNet()(torch.randn(2, 1, 28, 28))\n",
}


def test_a_module_of_the_project_that_names_itself_through_sys_modules_is_followed(capsys, monkeypatch, tmp_path):
    write(tmp_path, D2L_STYLE)
    code, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "lenet.py")
    (finding,) = document["diagnostics"]
    assert code == 1 and (finding["line"], finding["column"], finding["code"]) == (9, 68, "SHP101")
    assert "Linear expects 4704 input features but receives 3456 = 6×24×24" in finding["message"]
    assert [(m["name"], m["status"]) for m in document["models"]] == [("LeNet", "error")]


def test_args_on_the_command_line_and_in_the_configuration_build_a_model_no_file_builds(
        capsys, monkeypatch, tmp_path):
    write(tmp_path, {"models.py": MODEL.replace("class Net", "# shapecheck: input=(B, 3, 32, 32)\nclass Net")})
    _, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "models.py")
    assert document["models"][0]["status"] != "ok"  # num_classes has no default: the head is unknown
    _, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "--args", "Net=num_classes=7", "models.py")
    assert document["models"][0]["status"] == "ok" and document["models"][0]["output_shape"] == ["B", 7]
    (tmp_path / "pyproject.toml").write_text('[tool.shapecheck.args]\n"models.py::Net" = "num_classes=5"\n')
    _, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "models.py")
    assert document["models"][0]["output_shape"] == ["B", 5]


def test_bad_args_are_one_line_and_exit_2(capsys, monkeypatch, tmp_path):
    write(tmp_path, {"models.py": MODEL})
    monkeypatch.chdir(tmp_path)
    code, _, err = shapecheck(capsys, "--args", "Net=num_classes=(", "models.py")
    assert code == 2 and err.count("\n") == 1 and "--args" in err


@pytest.mark.parametrize("files", [
    {"a.py": "import b\nimport torch.nn as nn\nclass A(nn.Module):\n    pass\n", "b.py": "import a\nfrom a import A\n"},
    {"a.py": "import sys, os\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), CONFIG['root']))\n"
             "import missing_module\nimport torch.nn as nn\nmodel = nn.Sequential(missing_module.Block(), nn.ReLU())\n"},
    {"a.py": "from . import nothing\nfrom .. import above\nimport torch.nn as nn\nnet = nn.Linear(3, 4)\n"},
])
def test_cycles_and_imports_that_cannot_be_followed_never_hang_nor_crash(capsys, monkeypatch, tmp_path, files):
    write(tmp_path, files)
    code, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", ".")
    assert code == 0
    assert not [d for d in document["diagnostics"] if d["code"] == "SHP999"]


# --- imports that cannot be followed: the model is not analysed, and the note says why ---------------

BUILT_AND_CALLED = """\
import torch
{imports}

model = Net(num_classes=10)
out = model(torch.randn(8, 3, 32, 32))
"""


def notes(document: dict, path: str):
    return [(d["line"], d["column"], d["message"]) for d in document["diagnostics"]
            if d["path"] == path and d["code"] == "SHP904"]


def test_a_model_imported_from_a_module_in_two_folders_is_not_analysed_with_the_reason(capsys, monkeypatch, tmp_path):
    write(tmp_path, {"pyproject.toml": "", "models.py": MODEL, "scripts/models.py": MODEL,
                     "scripts/train.py": BUILT_AND_CALLED.format(imports="from models import Net")})
    code, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "scripts/train.py")
    assert code == 0 and document["models"] == []
    assert notes(document, "scripts/train.py") == [(4, 1, (
        "model = Net(...) is not analysed: models is both scripts/models.py and models.py: which one runs depends "
        "on how the program is started; its shapes and parameters are not checked"))]


def test_a_sys_path_change_that_cannot_be_computed_is_the_reason_a_model_is_not_analysed(
        capsys, monkeypatch, tmp_path):
    imports = "import os, sys\nsys.path.insert(0, os.environ['NETS'])\nfrom netlib import Net"
    write(tmp_path, {"pyproject.toml": "", "train.py": BUILT_AND_CALLED.format(imports=imports)})
    _, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "train.py")
    ((line, _, message),) = notes(document, "train.py")
    assert line == 6
    assert message.startswith("model = Net(...) is not analysed: netlib is not a module of the project, or lives "
                              "in the folder that the sys.path change at line 3 adds, which shapecheck cannot compute")


@pytest.mark.parametrize("added", [
    'os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib")',
    'str(Path(__file__).resolve().parent.parent / "lib")',
    'os.path.join(str(Path(__file__).parents[1]), "lib")',
])
def test_a_sys_path_change_computed_from_the_file_location_is_followed(capsys, monkeypatch, tmp_path, added):
    imports = f"import os, sys\nfrom pathlib import Path\nsys.path.append({added})\nfrom netlib import Net"
    write(tmp_path, {"pyproject.toml": "", "lib/netlib.py": MODEL,
                     "scripts/train.py": BUILT_AND_CALLED.format(imports=imports).replace("32, 32", "64, 64")})
    _, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "lib/netlib.py")
    (finding,) = document["diagnostics"]
    assert (finding["path"], finding["line"], finding["column"], finding["code"]) == ("lib/netlib.py", 9, 19, "SHP101")
    assert "expects 4096 input features but receives 16384" in finding["message"]
    assert "from call at scripts/train.py:8" in finding["message"]


def test_path_changes_that_depend_on_where_the_program_starts_are_not_computed(tmp_path):
    import ast

    from shapecheck.analysis.project import path_changes

    text = ("import os, sys\nsys.path.append('..')\nsys.path.insert(0, ROOT)\nsys.path.extend(['a'])\n"
            "sys.path = ['b'] + sys.path\nsys.path.insert(0, os.path.dirname(__file__))\n")
    changes = path_changes(ast.parse(text), tmp_path / "train.py")
    assert changes.folders == (tmp_path.resolve(),)
    assert changes.unknown_lines == (2, 3, 4, 5)


def test_past_the_module_limit_the_model_is_not_analysed_with_the_reason(capsys, monkeypatch, tmp_path):
    from shapecheck.analysis import imports

    monkeypatch.setattr(imports, "MAX_MODULES", 2)
    write(tmp_path, {"pyproject.toml": "", "a.py": "import b\nx = b.y\n", "b.py": "import c\ny = c.z\n",
                     "c.py": "z = 1\n", "models.py": MODEL,
                     "train.py": BUILT_AND_CALLED.format(imports="import a\nprint(a.x)\nfrom models import Net")})
    _, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "train.py")
    ((line, _, message),) = notes(document, "train.py")
    assert line == 6 and "models is not followed: the check imports more of the project than it follows at once" \
        in message


# --- what is reported: each model once, under its file, with every configuration and input ----------


def test_a_model_built_by_two_scripts_is_listed_once_with_both_configurations(capsys, monkeypatch, tmp_path):
    copy = tmp_path / "two_configs"
    shutil.copytree(Path(__file__).parent / "projects" / "two_configs", copy)
    _, document = run_json(capsys, monkeypatch, copy, "--no-cache", ".")
    (model,) = document["models"]
    assert (model["path"], model["name"], model["line"], model["status"]) == ("mlp.py", "MLP", 4, "error")
    assert [(c["status"], c["arguments"], c["input_shape"], c["input_source"]) for c in model["configurations"]] == [
        ("error", "28 * 28", ["B", 3, 32, 32], {"description": "call at train_cifar.py:10, data from CIFAR10 at "
                                                               "train_cifar.py:6", "path": "train_cifar.py", "line": 10}),
        ("ok", "28 * 28", ["B", 1, 28, 28], {"description": "call at train_mnist.py:10, data from MNIST at "
                                                            "train_mnist.py:6", "path": "train_mnist.py", "line": 10}),
    ]
    assert model["input_source"] == model["configurations"][0]["input_source"]
    code, out, _ = shapecheck(capsys, "--no-cache", "--summary", ".")
    assert out.count("MLP (mlp.py:4) — input B×3×32×32 from call at train_cifar.py:10") == 1
    assert ("MLP was checked 2 ways (the table shows the first):\n"
            "  MLP(28 * 28) on B×3×32×32 from call at train_cifar.py:10, data from CIFAR10 at train_cifar.py:6: error\n"
            "  MLP(28 * 28) on B×1×28×28 from call at train_mnist.py:10, data from MNIST at train_mnist.py:6: ok\n") in out
    assert out.rstrip().endswith("Found 1 error in 1 file: 1 model in 3 files checked.")


def test_an_input_comment_above_the_statement_in_another_file_that_builds_the_model(capsys, monkeypatch, tmp_path):
    script = "import torch\nfrom models import Net\n\n# shapecheck: input=(B, 3, 64, 64)\nnet = Net(num_classes=10)\n"
    write(tmp_path, {"pyproject.toml": "", "models.py": MODEL, "train.py": script})
    code, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "models.py")
    (finding,) = document["diagnostics"]
    assert code == 1 and (finding["line"], finding["column"], finding["code"]) == (9, 19, "SHP101")
    assert "expects 4096 input features but receives 16384" in finding["message"]
    assert "(model input B×3×64×64 from comment at train.py:4)" in finding["message"]
    assert document["models"][0]["input_source"] == {"description": "comment at train.py:4", "path": "train.py",
                                                     "line": 4}


# --- blocks of another file: reported where this file builds them -------------------------------------

SHARED_BLOCKS = Path(__file__).parent / "projects" / "shared_blocks"


def test_a_block_of_another_file_that_fails_is_reported_where_this_file_builds_it(capsys, monkeypatch, tmp_path):
    copy = tmp_path / "shared_blocks"
    shutil.copytree(SHARED_BLOCKS, copy)
    _, document = run_json(capsys, monkeypatch, copy, "--no-cache", "nets.py")
    (finding,) = document["diagnostics"]
    # at the argument of this file's call that passed the wrong width, not at blocks.py's line
    assert (finding["path"], finding["line"], finding["column"], finding["code"]) == ("nets.py", 20, 26, "SHP101")
    assert finding["message"].startswith("WideNet.head.fc1: Linear expects 16384 input features but receives 4096 "
                                         "= 64×8×8")
    assert finding["message"].endswith("; pass 64 * 8 * 8 as features: Head(64 * 8 * 8, num_classes) (features "
                                       "becomes the in_features of the Linear at blocks.py:13)")
    assert finding["fix"]["replacement"] == "64 * 8 * 8"
    assert (finding["fix"]["line"], finding["fix"]["column"], finding["fix"]["end_column"]) == (20, 26, 38)


def test_the_block_file_alone_reports_the_failure_at_its_own_line(capsys, monkeypatch, tmp_path):
    copy = tmp_path / "shared_blocks"
    shutil.copytree(SHARED_BLOCKS, copy)
    _, document = run_json(capsys, monkeypatch, copy, "--no-cache", "blocks.py")  # pre-commit: only blocks.py changed
    (finding,) = document["diagnostics"]
    assert (finding["path"], finding["line"], finding["column"], finding["code"]) == ("blocks.py", 13, 20, "SHP101")
    assert "(model input B×3×32×32 from call at train.py:12, data from CIFAR10 at train.py:6)" in finding["message"]
    _, document = run_json(capsys, monkeypatch, copy, "--no-cache", "blocks.py", "nets.py")
    assert [(d["path"], d["line"]) for d in document["diagnostics"]] == [("nets.py", 20)]  # once, where it is built


def test_modules_reused_between_checks_give_what_each_check_alone_gives(capsys, monkeypatch, tmp_path):
    files = {"pyproject.toml": "", "pkg/__init__.py": "from .blocks import Head\n",
             "pkg/blocks.py": SHARED_BLOCKS.joinpath("blocks.py").read_text()}
    for size, name in ((4, "a"), (8, "b"), (16, "c")):
        files[f"net_{name}.py"] = (
            "import torch\nimport torch.nn as nn\nfrom pkg import Head\n\n\nclass Net(nn.Module):\n"
            "    def __init__(self):\n        super().__init__()\n        self.conv = nn.Conv2d(3, 8, 3, padding=1)\n"
            f"        self.head = Head(8 * {size} * {size}, 10)\n\n    def forward(self, x):\n"
            "        return self.head(self.conv(x))\n\n\n"
            f"print(Net()(torch.randn(2, 3, 8, 8)).shape)\n")
    write(tmp_path, files)
    _, reused = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "--jobs", "1", ".")
    assert sorted((d["path"], d["line"], d["code"]) for d in reused["diagnostics"]) == [
        ("net_a.py", 10, "SHP101"), ("net_c.py", 10, "SHP101")]
    monkeypatch.setattr(Project, "defines_only", lambda self, path: False)  # every module run by every check
    _, each_run = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "--jobs", "1", ".")
    assert reused == each_run


DEEP_MODEL = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, depth, num_classes):
        super().__init__()
        layers, channels = [], 3
        for _ in range(depth):
            layers += [nn.Conv2d(channels, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
            channels = 16
        self.features = nn.Sequential(*layers)
        self.fc = nn.Linear(16 * 4 * 4, num_classes)

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))
"""
ARGPARSE_TRAIN = """\
import argparse

import torch
from models import Net

parser = argparse.ArgumentParser()
parser.add_argument("--depth", type=int, default={depth!r})
parser.add_argument("--num-classes", type=int, default=10)
args = parser.parse_args()
model = Net(args.depth, args.num_classes)
print(model(torch.randn(8, 3, 32, 32)).shape)
"""


@pytest.mark.parametrize("depth, error", [(3, False), ("3", False), (2, True), ("2", True)])
def test_argparse_defaults_of_another_file_are_the_constructor_arguments(capsys, monkeypatch, tmp_path, depth, error):
    write(tmp_path, {"pyproject.toml": "", "models.py": DEEP_MODEL, "train.py": ARGPARSE_TRAIN.format(depth=depth)})
    code, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "models.py")
    (model,) = document["models"]
    assert model["configurations"][0]["arguments"] == "args.depth, args.num_classes"
    if error:  # two poolings of 32×32 leave 8×8: the Linear wants 16×4×4
        (finding,) = document["diagnostics"]
        assert (finding["line"], finding["column"], finding["code"]) == (12, 19, "SHP101")
        assert "Linear expects 256 input features but receives 1024 = 16×8×8" in finding["message"]
    else:
        assert code == 0 and model["status"] == "ok" and model["output_shape"] == ["B", 10]


def test_a_model_chosen_by_name_from_a_module_dict_and_wrapped_in_data_parallel(capsys, monkeypatch, tmp_path):
    """akamaster/pytorch_resnet_cifar10's trainer: resnet.__dict__[args.arch]() in DataParallel,
    trained in a function the script calls."""
    factories = MODEL + "\n\ndef small():\n    return Net(num_classes=10)\n\n\ndef large():\n    return Net(num_classes=100)\n"
    train = ("import argparse\nimport torch\nimport models\n\nparser = argparse.ArgumentParser()\n"
             "parser.add_argument('--arch', default='large')\nargs = parser.parse_args()\n\n\n"
             "def train(model, batches):\n    for x in batches:\n        model(x)\n\n\n"
             "model = torch.nn.DataParallel(models.__dict__[args.arch]())\n"
             "train(model, [torch.randn(8, 3, 64, 64)])\n")
    write(tmp_path, {"pyproject.toml": "", "models.py": factories, "train.py": train})
    _, document = run_json(capsys, monkeypatch, tmp_path, "--no-cache", "models.py")
    large = [m for m in document["models"] if m["name"] == "large"]
    assert large and large[0]["input_source"]["path"] == "train.py" and large[0]["input_shape"] == ["B", 3, 64, 64]
    (finding,) = [d for d in document["diagnostics"] if d["severity"] == "error"]
    assert (finding["line"], finding["code"]) == (9, "SHP101") and "from call at train.py:12" in finding["message"]
    assert finding["message"].startswith("large.fc: Linear expects 4096 input features but receives 16384")


def test_an_imported_module_runs_only_when_a_name_from_it_is_used(tmp_path):
    from shapecheck.analysis.project_check import context_for
    from shapecheck.api import analyse_path

    model = ("import torch.nn as nn\nimport utils\nfrom blocks import WIDTH\n\n\nclass Net(nn.Module):\n"
             "    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(WIDTH, 2)\n\n"
             "    def forward(self, x):\n        return self.fc(x)\n\n\ndef report(x):\n    utils.log(x)\n")
    write(tmp_path, {"pyproject.toml": "", "models.py": model, "blocks.py": "WIDTH = 8\n",
                     "utils.py": "import json\n\n\ndef log(x):\n    print(json.dumps(x))\n"})
    path = str(tmp_path / "models.py")
    result = analyse_path(path, project=context_for(path))
    assert result.models[0].layers[0].params == 8 * 2 + 2  # WIDTH was read from blocks.py
    read = [Path(name).name for name, _ in result.depends]
    assert "blocks.py" in read and "utils.py" not in read  # utils is only used in a function never called
