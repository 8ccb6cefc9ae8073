"""Fuzzing: hostile variants of every file of the test corpora (numbers set to 0, -1, floats, huge
values, None and strings; lines deleted and duplicated; expressions nested deeply), from a fixed
seed, are checked without an internal error, an exception or a long wait.  What shapecheck cannot
know is unknown, what torch would refuse is a finding: never SHP999."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from mutations import HOSTILE_NUMBERS, SEED, corpus, mutants, mutate
from shapecheck.api import check_source

ROOT = Path(__file__).resolve().parent.parent
CORPUS = corpus(ROOT)
MUTANTS_PER_FILE = 4  # benchmarks/robustness.py --fuzz 4 checks the same variants
SECONDS_PER_FILE = 5.0


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_hostile_variants_of_the_corpus_never_crash_the_checker(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    for name, mutant in mutants([(path.name, source)], seed=SEED, per_file=MUTANTS_PER_FILE):
        started = time.perf_counter()
        result = check_source(mutant, "m.py")
        elapsed = time.perf_counter() - started
        internal = [d.message for d in result.diagnostics if d.code == "SHP999"]
        assert not internal, (name, internal, mutant)
        assert elapsed < SECONDS_PER_FILE, (name, elapsed)


def test_the_mutator_is_reproducible_and_hostile() -> None:
    source = (ROOT / "examples" / "cifar_cnn.py").read_text(encoding="utf-8")
    first = [m for _, m in mutants([("a", source)], seed=1, per_file=20)]
    assert first == [m for _, m in mutants([("a", source)], seed=1, per_file=20)]
    assert len(set(first)) > 15 and source not in first
    changed = mutate(source, random.Random(3))
    assert changed != source
    assert any(number in m for m in first for number in HOSTILE_NUMBERS if number not in source)
