"""The runtime mode runs the model's own code in a child process: a model that hangs, exits the
process, dies of a signal, eats the memory or writes to shapecheck's stdout becomes one finding for
that model, and every other file's findings stay."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("torch")

from shapecheck.api import analyse_path  # noqa: E402
from shapecheck.runtime.child import Limits, start_method  # noqa: E402
from shapecheck.runtime.compare import run_all  # noqa: E402

SECONDS = 3  # the hanging models cost this each; the others finish in milliseconds, even under load

SPINS_FOREVER = """\
import torch
import torch.nn as nn


class Spinner(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        while True:
            x = x + 1


model = Spinner()
model(torch.randn(4, 8))
"""

HUGE_CONSTANT = """\
import torch
import torch.nn as nn

HIDDEN = 9 ** 9 ** 9


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc(x)


model = Small()
model(torch.randn(4, 8))
"""

EXITS_IN_INIT = """\
import os

import torch
import torch.nn as nn


class Quitter(nn.Module):
    def __init__(self):
        super().__init__()
        os._exit(3)


class Fine(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        return self.fc(x)


quitter = Quitter()
quitter(torch.randn(4, 8))
fine = Fine()
fine(torch.randn(4, 8))
"""

CRASHES = """\
import os
import signal

import torch
import torch.nn as nn


class Crasher(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        os.kill(os.getpid(), signal.SIGSEGV)


model = Crasher()
model(torch.randn(4, 8))
"""

PRINTS_TO_THE_REAL_STDOUT = """\
import os
import sys

import torch
import torch.nn as nn


class Chatty(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        sys.__stdout__.write("shape " + str(x.shape) + "\\n")
        sys.__stdout__.flush()
        os.write(1, b"{not json\\n")
        os.write(2, b"Traceback (most recent call last):\\n")
        return self.fc(x)


model = Chatty()
model(torch.randn(4, 8))
"""

WRONG_LINEAR = """\
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(32, 2))
model(torch.randn(4, 8))
"""

EATS_THE_MEMORY = """\
import torch
import torch.nn as nn


class Hog(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 2)
        self.kept = [torch.ones(64, 1024, 1024) for _ in range(8)]  # 2 GB: 4 times the test's limit

    def forward(self, x):
        return self.fc(x)


hog = Hog()
hog(torch.randn(4, 8))
after = nn.Sequential(nn.Linear(8, 16), nn.Linear(32, 2))
after(torch.randn(4, 8))
"""

FILES = {"spins.py": SPINS_FOREVER, "huge_constant.py": HUGE_CONSTANT, "exits.py": EXITS_IN_INIT,
         "crashes.py": CRASHES, "prints.py": PRINTS_TO_THE_REAL_STDOUT, "wrong_linear.py": WRONG_LINEAR}


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """One `--runtime --format json` run over all the hostile files and a plain buggy one."""
    folder = tmp_path_factory.mktemp("hostile")
    for name, source in FILES.items():
        (folder / name).write_text(source)
    run = subprocess.run([sys.executable, "-m", "shapecheck", "--runtime", "--runtime-timeout", str(SECONDS),
                          "--format", "json", *FILES], cwd=folder, capture_output=True, text=True, timeout=120)
    return run


def findings(document: dict, path: str) -> list:
    return [(d["code"], d["line"], d["column"], d["message"]) for d in document["diagnostics"] if d["path"] == path]


def test_the_json_parses_though_a_forward_writes_to_file_descriptors_1_and_2(hostile_run) -> None:
    document = json.loads(hostile_run.stdout)
    assert hostile_run.returncode == 1
    assert findings(document, "prints.py") == []
    (chatty,) = [m for m in document["models"] if m["path"] == "prints.py"]
    assert chatty["runtime"]["status"] == "ok" and chatty["runtime"]["output_shape"] == [2, 2]
    assert "Traceback" not in hostile_run.stderr


@pytest.mark.parametrize("path, line, message", [
    ("spins.py", 5, f"Spinner on cpu with input 2×8: did not finish within {SECONDS} s while running its input; "
                    "--runtime-timeout gives it longer"),
    ("huge_constant.py", 7, f"Small on cpu with input 2×8: did not finish within {SECONDS} s while the file's "
                            "top-level statements ran; --runtime-timeout gives it longer"),
    ("exits.py", 7, "Quitter on cpu with input 2×8: the model's code exited the process (exit status 3) "
                    "while being built"),
    ("crashes.py", 8, "Crasher on cpu with input 2×8: the model's process was ended by SIGSEGV while running its input"),
])
def test_a_model_that_hangs_or_ends_the_process_is_one_finding(hostile_run, path, line, message) -> None:
    assert findings(json.loads(hostile_run.stdout), path) == [("SHP903", line, 1, message)]


def test_the_other_models_and_files_are_still_run(hostile_run) -> None:
    document = json.loads(hostile_run.stdout)
    verdicts = {(m["path"], m["name"]): m["runtime"]["status"] for m in document["models"]}
    assert verdicts[("exits.py", "Fine")] == "ok"  # in a fresh child, after Quitter ended the first
    ((code, line, column, message),) = findings(document, "wrong_linear.py")
    assert (code, line, column) == ("SHP101", 4, 52)
    assert message.endswith("torch on cpu raised too: mat1 and mat2 shapes cannot be multiplied (2x16 and 32x2)")


def runtime_findings(tmp_path: Path, source: str, limits: Limits) -> list:
    path = tmp_path / "model.py"
    path.write_text(textwrap.dedent(source))
    result = analyse_path(str(path))
    run_all([result], "cpu", "float32", limits=limits)
    return [(d.code, d.span.line, d.span.column, d.message) for d in result.diagnostics]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the address-space limit is Linux's")
def test_a_model_past_the_memory_limit_is_one_finding_and_the_next_model_runs(tmp_path: Path) -> None:
    found = runtime_findings(tmp_path, EATS_THE_MEMORY, Limits(seconds=30, memory=512 * 2 ** 20))
    (hog,) = [f for f in found if f[0] == "SHP903"]
    assert hog[1:3] == (9, 1)
    assert hog[3].startswith("Hog on cpu with input 2×8: ran out of memory while being built: "
                             "the runtime mode gives a model 512 MB (")
    assert ("SHP101", 17) in [f[:2] for f in found if "torch on cpu raised too" in f[3]]


def test_a_spawned_child_gives_the_same_verdicts(tmp_path: Path) -> None:
    found = runtime_findings(tmp_path, EXITS_IN_INIT, Limits(seconds=30, start="spawn"))
    assert found == [("SHP903", 7, 1, "Quitter on cpu with input 2×8: the model's code exited the process "
                                      "(exit status 3) while being built")]


def test_cuda_is_never_forked() -> None:
    assert start_method("cuda:0") == "spawn" and start_method("mps") == "spawn"
    assert start_method("cpu") == ("fork" if sys.platform.startswith("linux") else "spawn")
