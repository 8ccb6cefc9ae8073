"""Every finding and model status shapecheck gives over some trees, one per line, so that a change
meant only to make shapecheck faster can be checked to say exactly what it said before:

    python benchmarks/findings.py before.txt            # the stdlib, the installed torch, tests/, examples/
    ... make the change ...
    python benchmarks/findings.py after.txt && cmp before.txt after.txt

Extra folders (the generated model tree of bench.py, a project of yours) can be named after the
output file.  Files are checked one by one in this process, without the cache.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import sysconfig
import time
from pathlib import Path
from typing import List

ROOT = Path(__file__).resolve().parent.parent


def default_trees() -> List[Path]:
    trees = [Path(sysconfig.get_paths()["stdlib"])]
    spec = importlib.util.find_spec("torch")
    if spec is not None and spec.origin:
        trees.append(Path(spec.origin).parent)
    return trees + [ROOT / "tests", ROOT / "examples"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="the file to write the findings to")
    parser.add_argument("trees", nargs="*", type=Path, help="more folders to check")
    args = parser.parse_args()
    from shapecheck import api

    started, files = time.perf_counter(), 0
    with open(args.output, "w", encoding="utf-8") as out:
        for tree in default_trees() + args.trees:
            for path in sorted(tree.rglob("*.py")):
                if "site-packages" in path.relative_to(tree).parts:
                    continue  # the stdlib's folder holds the installed packages: torch is its own tree
                result = api.check_path(str(path))
                files += 1
                for d in result.diagnostics:
                    out.write(f"{path}:{d.span.line}:{d.span.column}: {d.code} {d.message}\n")
                for model in result.models:
                    out.write(f"{path}: model {model.name} {model.status} {model.input_shape} {model.output_shape}\n")
    print(f"{files} files in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
