"""Course material as its authors write it: d2l and course notebooks (real .ipynb, markdown and
outputs), GAN collections and 1-D signal nets.  Each file is checked against its markers, which give
the code, the line (in the cell, for a notebook), the column and the numbers of the message; about
half of them are correct, the others hold one real bug; and each runs under torch (the notebooks'
code cells in order, IPython lines as ``pass``): the buggy ones crash with a shape error, the
correct ones run to the end.  Libraries the suite does not install (d2l, torchvision, PIL) are
small stand-ins that give data of the sizes the material expects."""

from __future__ import annotations

import re
import sys
import warnings
from pathlib import Path
from typing import Dict, Optional, Tuple

import pytest

from shapecheck.api import check_path
from shapecheck.notebook import read
from test_fixtures import describe

FIXTURES = Path(__file__).resolve().parent / "fixtures_courses"
FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".py", ".ipynb"))
MARKER = re.compile(r"#\s*expect:\s*(?P<code>SHP\d{3})\s+@(?P<column>\d+)(?P<numbers>(?:\s+\d+)*)\s*$")

Key = Tuple[Optional[int], int, str]  # (cell or None, line, code)


def program(path: Path) -> str:
    return read(path.read_text(encoding="utf-8")).source if path.suffix == ".ipynb" else path.read_text()


def markers(path: Path) -> Dict[Key, Tuple[int, Tuple[str, ...]]]:
    """(cell, line, code) -> (column, numbers) of each `# expect: SHPnnn @column n...` marker."""
    text = program(path)
    located = read(path.read_text(encoding="utf-8")).locate if path.suffix == ".ipynb" else None
    found = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = MARKER.search(line)
        if match:
            cell, in_cell = located(number) if located else (None, number)
            found[(cell, in_cell, match["code"])] = (int(match["column"]), tuple(match["numbers"].split()))
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_findings_are_exactly_the_markers(path: Path) -> None:
    expected = markers(path)
    result = check_path(str(path))
    reported = [d for d in result.diagnostics if d.severity in ("error", "warning")]
    found = {(d.cell, d.span.line, d.code): d for d in reported}
    assert set(found) == set(expected), describe(result.diagnostics)
    for key, (column, numbers) in expected.items():
        finding = found[key]
        assert finding.span.column == column, describe([finding])
        missing = [n for n in numbers if not re.search(rf"\b{n}\b", finding.message)]
        assert not missing, f"{key}: {missing} not in {finding.message}"


def test_the_corpus_is_half_correct_with_one_bug_per_buggy_file() -> None:
    bugs = {path.name: markers(path) for path in FILES}
    buggy = [name for name, found in bugs.items() if found]
    assert all(len(found) <= 1 for found in bugs.values()), bugs
    assert abs(2 * len(buggy) - len(FILES)) <= 2, bugs
    assert sum(path.suffix == ".ipynb" for path in FILES) >= 2
    for path in FILES:
        for number, line in enumerate(program(path).splitlines(), start=1):
            assert "expect:" not in line or MARKER.search(line), f"{path.name}:{number}: malformed marker"


# --- under torch ------------------------------------------------------------------------------------

SHAPE_ERROR = (r"mat1 and mat2 shapes|to have \d+ channels|running_mean should contain|size mismatch"
               r"|is invalid for input of size|Output size is too small|Sizes of tensors must match"
               r"|Kernel size can.t be greater than actual input size")


@pytest.fixture
def run_material(monkeypatch, tmp_path):
    torch = pytest.importorskip("torch")
    import course_stand_ins

    for name, module in course_stand_ins.modules().items():
        monkeypatch.setitem(sys.modules, name, module)
    course_stand_ins.write_data(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["material"])
    threads = torch.get_num_threads()
    torch.set_num_threads(1)

    def run(path: Path) -> None:
        code = compile(program(path), str(path), "exec")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.manual_seed(0)
            exec(code, {"__name__": "__main__", "__file__": str(path)})

    yield run
    torch.set_num_threads(threads)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_the_material_behaves_under_torch(path: Path, run_material) -> None:
    if not markers(path):
        run_material(path)
        return
    with pytest.raises((RuntimeError, ValueError), match=SHAPE_ERROR):
        run_material(path)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_model_is_checked_with_the_input_the_material_gives_it(path: Path) -> None:
    """Each model the material defines is checked at least once on an input its code gives (every
    dim but the batch a number); those checks find the bug of a buggy file and nothing in a correct one."""
    models = check_path(str(path)).models
    real = [m for m in models if not m.input_source.startswith("symbolic")
            and all(isinstance(d, int) for d in m.input_shape[1:])]
    assert models and {m.name for m in real} == {m.name for m in models}, [(m.name, m.input_source) for m in models]
    statuses = {"ok" if m.status == "symbolic" else m.status for m in real}  # symbolic: a number no code settles
    assert statuses == ({"ok", "error"} if len(real) > 1 else {"error"}) if markers(path) else {"ok"}, \
        [(m.name, m.status) for m in real]


def test_a_class_count_taken_from_the_data_is_checked_as_a_symbol() -> None:
    """``Net(3, len(train_data.classes))`` over an ImageFolder whose folders the check cannot see:
    the model is checked with n_class a symbol on the 32×32 pictures its transform makes."""
    (model,) = check_path(str(FIXTURES / "course_folder_count_classes.ipynb")).models
    assert (model.name, model.status, model.symbols) == ("Net", "symbolic", (("n_class", None),))
    assert model.input_shape[1:] == (3, 32, 32) and model.output_shape[1:] == ("n_class",)
