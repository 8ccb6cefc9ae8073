"""Run shapecheck's static analysis over every .py file of the standard library and of the
installed torch package, and count crashes: internal errors (SHP999), tracebacks, and files that
take too long.  The README quotes its last figures.

    python benchmarks/robustness.py [--limit N] [--slowest 10] [DIR ...]
"""

from __future__ import annotations

import argparse
import sysconfig
import time
from pathlib import Path


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


def main() -> int:
    from shapecheck.api import check_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roots", nargs="*", type=Path)
    parser.add_argument("--limit", type=int, default=0, help="check at most N files")
    parser.add_argument("--slowest", type=int, default=5)
    args = parser.parse_args()
    files = []
    for root in args.roots or default_roots():
        files.extend(sorted(p for p in root.rglob("*.py") if "site-packages" not in p.relative_to(root).parts))
    if args.limit:
        files = files[:args.limit]
    crashes, internal, timings = [], [], []
    started = time.perf_counter()
    for path in files:
        t0 = time.perf_counter()
        try:
            result = check_path(str(path))
        except Exception as e:  # the API promises never to raise
            crashes.append((path, f"{type(e).__name__}: {e}"))
            continue
        timings.append((time.perf_counter() - t0, path))
        internal.extend((path, d.message) for d in result.diagnostics if d.code == "SHP999")
    total = time.perf_counter() - started
    print(f"checked {len(files)} files in {total:.1f} s: {len(crashes)} crashes, {len(internal)} internal errors")
    for path, message in (crashes + internal)[:50]:
        print(f"  {path}: {message}")
    for seconds, path in sorted(timings, reverse=True)[:args.slowest]:
        print(f"  slowest: {seconds:.2f} s {path}")
    return 1 if crashes or internal else 0


if __name__ == "__main__":
    raise SystemExit(main())
