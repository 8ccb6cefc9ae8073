"""What a run was told that it would otherwise ignore without a word: an input shape or constructor
arguments for a model no checked file has, a `device` that --runtime would refuse.  Each is one
warning line on stderr (the exit status does not change), with the closest model name where
there is one."""

from __future__ import annotations

import difflib
import re
from typing import Dict, Iterator, List, Optional, Sequence

DEVICE = re.compile(r"^(cpu|cuda(:\d+)?|mps|meta|auto)$", re.I)


def warnings(results: Sequence, given_inputs: Dict[Optional[str], object], config, folders: bool) -> List[str]:
    """The warnings for one run.  ``given_inputs`` are --input-shape's; ``folders``: whether a folder
    was named (a model name alone in the configuration is then expected among the files)."""
    found: Dict[str, List[str]] = {}  # model name -> the paths of the files that have it
    for result in results:
        for model in result.models:
            found.setdefault(model.name, []).append(result.path)
    names = sorted(found)
    out = [f"--input-shape {name}=...: {_no_model(name, names)}" for name in given_inputs if name is not None
           and name not in found]
    for option, entries in (("inputs", config.inputs), ("args", config.args)):
        out += list(_unmatched_keys(option, entries, results, found, names, config, folders))
    if config.device is not None and not DEVICE.match(config.device.strip()):
        out.append(f"{_table(config)} device = \"{config.device}\": --runtime would refuse it; use cpu, cuda, "
                   f"cuda:N, mps, meta or auto")
    return out


def _unmatched_keys(option: str, entries, results, found, names, config, folders: bool) -> Iterator[str]:
    for pattern, model, *_ in entries:
        if pattern is None:
            if folders and model not in found:
                yield f"{_table(config)} {option}.{model}: {_no_model(model, names)}"
            continue
        matching = [r.path for r in results if config.matches(r.path, pattern)]
        if matching and not any(p in matching for p in found.get(model, ())):
            here = sorted({m.name for r in results if r.path in matching for m in r.models})
            yield f"{_table(config)} {option}.\"{pattern}::{model}\": {_no_model(model, here, pattern)}"


def _no_model(name: str, names: Sequence[str], where: str = "") -> str:
    text = f"no model named {name} in {where or 'the files checked'}"
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    if close:
        return f"{text} (did you mean {close[0]}?); it is ignored"
    return f"{text}; it is ignored"


def _table(config) -> str:
    from .config import TABLE, display

    return f"{display(config.path)}: {TABLE}" if config.path is not None else TABLE
