"""Hostile variants of real model files, for the fuzzing test and benchmarks/robustness.py: a
seeded mutator (the same seed, the same files) that sets numbers to 0, -1, floats, huge values,
None and strings, deletes and duplicates lines, and nests expressions deeply."""

from __future__ import annotations

import io
import random
import re
import tokenize
from pathlib import Path
from typing import Iterator, List, Tuple

SEED = 20  # of the fuzzing test and benchmarks/robustness.py --fuzz
HOSTILE_NUMBERS = ("0", "-1", "0.0", "3.5", "1e308", "float('nan')", "float('inf')", "10**30", "2**63",
                   "None", "'3'", "True", "-10**9")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def _number_spans(source: str) -> List[Tuple[int, int]]:
    """(start, end) offsets of the number literals outside strings and comments."""
    offsets, position = [0], 0
    for line in source.splitlines(keepends=True):
        position += len(line)
        offsets.append(position)
    spans = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.NUMBER:
                (row, col), (end_row, end_col) = token.start, token.end
                spans.append((offsets[row - 1] + col, offsets[end_row - 1] + end_col))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        spans = [m.span() for m in _NUMBER.finditer(source)]
    return spans


def replace_numbers(source: str, rng: random.Random, count: int) -> str:
    spans = _number_spans(source)
    for start, end in sorted(rng.sample(spans, min(count, len(spans))), reverse=True):
        source = source[:start] + rng.choice(HOSTILE_NUMBERS) + source[end:]
    return source


def delete_lines(source: str, rng: random.Random, count: int) -> str:
    lines = source.splitlines(keepends=True)
    for _ in range(min(count, len(lines) - 1)):
        del lines[rng.randrange(len(lines))]
    return "".join(lines)


def duplicate_lines(source: str, rng: random.Random, count: int) -> str:
    lines = source.splitlines(keepends=True)
    for _ in range(count):
        if lines:
            index = rng.randrange(len(lines))
            lines.insert(index, lines[index])
    return "".join(lines)


def nest_deeply(source: str, rng: random.Random, count: int) -> str:
    """Wrap number literals in many parentheses or a long chain of unary signs."""
    spans = _number_spans(source)
    for start, end in sorted(rng.sample(spans, min(count, len(spans))), reverse=True):
        depth = rng.choice((50, 200, 900))
        number = source[start:end]
        wrapped = "(" * depth + number + ")" * depth if rng.random() < 0.5 else "-+" * (depth // 2) + number
        source = source[:start] + wrapped + source[end:]
    return source


MUTATIONS = (replace_numbers, replace_numbers, replace_numbers, delete_lines, duplicate_lines, nest_deeply)


def mutate(source: str, rng: random.Random) -> str:
    for _ in range(rng.randint(1, 3)):
        source = rng.choice(MUTATIONS)(source, rng, rng.randint(1, 4))
    return source


def mutants(sources: List[Tuple[str, str]], seed: int, per_file: int) -> Iterator[Tuple[str, str]]:
    """(name, mutated source) for ``per_file`` mutants of each (name, source), reproducibly."""
    rng = random.Random(seed)
    for name, source in sources:
        for index in range(per_file):
            yield f"{name}#{index}", mutate(source, rng)


def corpus(root: Path) -> List[Path]:
    """The files that are mutated: every fixture, real-world model and example of the repository."""
    tests = root / "tests"
    return sorted(p for folder in ("fixtures", "fixtures_data", "fixtures_practices", "realworld")
                  for p in (tests / folder).glob("*.py")) + sorted((root / "examples").rglob("*.py"))
