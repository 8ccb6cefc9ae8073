"""Run shapecheck's static analysis over every .py file of the standard library and of the
installed torch package (or the folders given), and over hostile variants of the repository's test
corpora, and count what must not happen: crashes (an exception out of the API), internal errors
(SHP999) and hangs (a file slower than --hang seconds).  The README quotes its last figures.

    python benchmarks/robustness.py [--limit N] [--slowest 10] [--hang 10] [--fuzz 4] [DIR ...]
"""

from __future__ import annotations

import argparse
import sys
import sysconfig
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default_roots() -> list:
    roots = [Path(sysconfig.get_paths()["stdlib"])]
    try:
        import importlib.util

        spec = importlib.util.find_spec("torch")
        if spec and spec.origin:
            roots.append(Path(spec.origin).parent)
    except ImportError:
        pass
    return roots


def real_files(roots: list, limit: int) -> list:
    """(name, source) of every .py file under the roots, none of a nested site-packages."""
    paths = []
    for root in roots:
        paths.extend(sorted(p for p in root.rglob("*.py") if "site-packages" not in p.relative_to(root).parts))
    return [(str(p), None) for p in (paths[:limit] if limit else paths)]


def fuzzed_files(per_file: int) -> list:
    """(name, source) of the fuzzing test's hostile variants of the test corpora."""
    sys.path.insert(0, str(ROOT / "tests"))
    from mutations import SEED, corpus, mutants

    found = []
    for path in corpus(ROOT):
        found += mutants([(path.name, path.read_text(encoding="utf-8"))], seed=SEED, per_file=per_file)
    return found


def check_all(files: list, hang: float) -> dict:
    """Check each (name, source): a path when source is None."""
    from shapecheck.api import check_path, check_source

    tally = {"crashes": [], "internal": [], "hangs": [], "timings": []}
    started = time.perf_counter()
    for name, source in files:
        t0 = time.perf_counter()
        try:
            result = check_path(name) if source is None else check_source(source, "m.py")
        except Exception as e:  # the API promises never to raise
            tally["crashes"].append((name, f"{type(e).__name__}: {e}"))
            continue
        seconds = time.perf_counter() - t0
        tally["timings"].append((seconds, name))
        tally["hangs"] += [(name, f"{seconds:.1f} s")] * (seconds > hang)
        tally["internal"] += [(name, d.message) for d in result.diagnostics if d.code == "SHP999"]
    tally["seconds"] = time.perf_counter() - started
    return tally


def report(what: str, files: list, tally: dict, hang: float, slowest: int) -> bool:
    problems = tally["crashes"] + tally["internal"] + tally["hangs"]
    print(f"{what}: {len(files)} files in {tally['seconds']:.1f} s: {len(tally['crashes'])} crashes, "
          f"{len(tally['internal'])} internal errors, {len(tally['hangs'])} hangs (over {hang:g} s)")
    for name, message in problems[:50]:
        print(f"  {name}: {message}")
    for seconds, name in sorted(tally["timings"], reverse=True)[:slowest]:
        print(f"  slowest: {seconds:.2f} s {name}")
    return not problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="check at most N real files")
    parser.add_argument("--slowest", type=int, default=5)
    parser.add_argument("--hang", type=float, default=10.0, help="a file slower than this is a hang")
    parser.add_argument("--fuzz", type=int, default=0, metavar="N",
                        help="also check N hostile variants of each file of the test corpora")
    args = parser.parse_args()
    runs = [("real files", real_files(args.roots or default_roots(), args.limit))]
    if args.fuzz:
        runs.append(("fuzzed files", fuzzed_files(args.fuzz)))
    clean = [report(what, files, check_all(files, args.hang), args.hang, args.slowest) for what, files in runs]
    return 0 if all(clean) else 1


if __name__ == "__main__":
    raise SystemExit(main())
