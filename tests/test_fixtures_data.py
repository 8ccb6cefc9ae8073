"""The static checker against scripts whose model input comes from the script itself.

``tests/fixtures_data/`` holds training scripts and notebook exports that build their data in
place (pandas -> numpy -> reshape -> tensor -> TensorDataset -> DataLoader -> the model call in the
loop), with the finding they must give marked on its line as in ``tests/fixtures/``. Unmarked files
are correct: nothing at error or warning level may be reported, also where the data cannot be
followed (np.load, pickle, a Dataset class). Module-only files mark the information finding that
says which input sizes fit (SHP204).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shapecheck.diagnostics import CATALOGUE
from test_fixtures import MARKER, assert_markers, markers

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures_data"
FILES = sorted(FIXTURES.glob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_findings_are_exactly_the_markers(path: Path) -> None:
    from shapecheck.api import check_source

    source = path.read_text(encoding="utf-8")
    expected = markers(source)
    result = check_source(source, path.relative_to(ROOT).as_posix())

    assert_markers(result, expected)


def test_corpus_covers_the_input_findings_and_is_marked_well() -> None:
    found = {path.name: markers(path.read_text(encoding="utf-8")) for path in FILES}
    assert len(FILES) >= 24
    codes = {code for marks in found.values() for _, code in marks}
    assert {"SHP101", "SHP201", "SHP202", "SHP203", "SHP204"} <= codes
    correct = [name for name, marks in found.items() if not marks]
    assert len(correct) >= len(FILES) // 3, "correct scripts must stay quiet: keep plenty of them"
    for name, marks in found.items():
        assert len(marks) <= 1, f"{name}: one finding per fixture, got {sorted(marks)}"
        for (line, code), numbers in marks.items():
            assert code in CATALOGUE, f"{name}:{line}: unknown code {code}"
            assert numbers, f"{name}:{line}: say which numbers the message must give"
    for path in FILES:
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if "expect:" in text:
                assert MARKER.search(text), f"{path.name}:{number}: malformed marker {text.strip()!r}"
