"""Every fixture runs under real PyTorch: the marked bugs really crash, the unmarked files really run.

This is what makes the fixture corpus trustworthy: a shape bug that PyTorch accepts is not a bug,
and a "correct" model that PyTorch rejects would teach the checker to stay silent about a crash.
"""

from __future__ import annotations

import re
import runpy
import sys
import warnings
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

FIXTURES = Path(__file__).parent / "fixtures"
FILES = sorted(FIXTURES.glob("*.py"))
# a marker for a finding that PyTorch itself would hit: shape errors (1xx) and input layout (2xx)
CRASH_MARKER = re.compile(r"#\s*expect:\s*SHP[12]\d\d\b")
# what PyTorch says about shapes, so that a typo raising RuntimeError cannot pass for a shape bug
SHAPE_ERROR = (r"mat1 and mat2 shapes|to have \d+ channels|running_mean should contain|normalized_shape"
               r"|is invalid for input of size|Output size is too small|must be divisible by|divisible by groups"
               r"|must match the size of tensor|Sizes of tensors must match|Expected 3D \(unbatched\) or 4D"
               r"|padding='same' is not supported|to match target batch_size|must be equal to input_size"
               r"|was expecting embedding dimension|the batch number of src and tgt must be equal")


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def run_fixture(monkeypatch):
    def run(path: Path) -> None:
        # a fixture that reads argparse or sys.argv must see its own defaults, not pytest's options
        monkeypatch.setattr(sys, "argv", [str(path)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            runpy.run_path(str(path), run_name="__main__")
    return run


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_fixture_behaves_under_torch(path: Path, run_fixture) -> None:
    if CRASH_MARKER.search(path.read_text(encoding="utf-8")):
        # MultiheadAttention checks its input width with assert
        with pytest.raises((RuntimeError, ValueError, AssertionError), match=SHAPE_ERROR):
            run_fixture(path)
    else:
        run_fixture(path)
