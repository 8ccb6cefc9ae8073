"""Every script in ``tests/fixtures_data/`` runs under real PyTorch: the marked bugs crash with a shape
error, the correct scripts run to the end, and the input sizes an SHP204 marker names are exactly
those the model accepts.
"""

from __future__ import annotations

import re
import runpy
import sys
import types
import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("pandas")

from test_fixtures import markers  # noqa: E402
from test_fixtures_torch import SHAPE_ERROR  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures_data"
FILES = sorted(FIXTURES.glob("*.py"))
SIZES = range(1, 101)


def crashes(path: Path) -> bool:
    """A marked shape error (1xx) or input-layout error (2xx); SHP204 is information only."""
    return any(code != "SHP204" for _, code in markers(path.read_text(encoding="utf-8")))


def torchsummary_stand_in() -> types.ModuleType:
    """torchsummary is no dependency; like its summary(), run the model on a batch of two."""
    module = types.ModuleType("torchsummary")

    def summary(model, input_size, batch_size=-1, device="cuda"):
        model(torch.rand(2, *input_size, device=device))
        print(f"{sum(p.numel() for p in model.parameters()):,} parameters")

    module.summary = summary
    return module


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def run_script(monkeypatch, tmp_path):
    def run(path: Path) -> dict:
        monkeypatch.setattr(sys, "argv", [str(path)])
        monkeypatch.chdir(tmp_path)  # scripts write their stand-in caches and submission.csv here
        try:
            import torchsummary  # noqa: F401
        except ImportError:
            monkeypatch.setitem(sys.modules, "torchsummary", torchsummary_stand_in())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return runpy.run_path(str(path), run_name="__main__")
    return run


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_script_behaves_under_torch(path: Path, run_script) -> None:
    if not crashes(path):
        run_script(path)
        return
    with pytest.raises((RuntimeError, ValueError), match=SHAPE_ERROR) as crash:
        run_script(path)
    ((line, code),) = markers(path.read_text(encoding="utf-8"))
    if code.startswith("SHP2"):  # input findings sit on the model call, which is where torch fails
        lines_run = {entry.lineno + 1 for entry in crash.traceback if Path(entry.path) == path}
        assert line in lines_run, f"torch failed at lines {sorted(lines_run)}, not at the marked {line}"


def definitions(path: Path) -> dict:
    """The names a module-only fixture defines, without running its ``__main__`` block."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return runpy.run_path(str(path), run_name="fixture_module")


def model_on_line(namespace: dict, text: str):
    """The model defined on a marked line: ``class Net(...):`` or ``model = nn.Sequential(``."""
    match = re.match(r"\s*class\s+(\w+)", text) or re.match(r"\s*(\w+)\s*=", text)
    value = namespace[match[1]]
    return value() if isinstance(value, type) else value


def accepted_sizes(model) -> list:
    """The square input sizes from 1 to 100 that the model runs on."""
    channels = next(m.in_channels for m in model.modules() if isinstance(m, torch.nn.Conv2d))
    model.eval()
    sizes = []
    with torch.no_grad():
        for size in SIZES:
            try:
                model(torch.zeros(1, channels, size, size))
            except RuntimeError:
                continue
            sizes.append(size)
    return sizes


CONSISTENT = [(path, line) for path in FILES
              for (line, code) in markers(path.read_text(encoding="utf-8")) if code == "SHP204"]


@pytest.mark.parametrize("path,line", CONSISTENT, ids=[p.name for p, _ in CONSISTENT])
def test_consistent_sizes_are_the_marked_ones(path: Path, line: int) -> None:
    source = path.read_text(encoding="utf-8")
    smallest, largest = (int(n) for n in markers(source)[(line, "SHP204")])
    model = model_on_line(definitions(path), source.splitlines()[line - 1])
    assert accepted_sizes(model) == list(range(smallest, largest + 1))


def test_no_input_size_fits_the_embedding_net() -> None:
    namespace = definitions(FIXTURES / "embedding_net_linear_500.py")
    assert accepted_sizes(namespace["EmbeddingNet"]()) == []
