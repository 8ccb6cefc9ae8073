"""What checking a file produces: its findings and, per model, the per-layer shapes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

from .diagnostics import Diagnostic
from .suppressions import Suppression


@dataclass(frozen=True)
class LayerReport:
    name: str  # the module path, as torch's named_modules() gives it: "features.0", "conv1"
    kind: str  # "Conv2d"
    line: int
    text: str  # the constructor call as written
    output_shape: Optional[Tuple]  # dims: ints, or strings for symbols ("B", "⌊H/8⌋"); None unknown
    params: Optional[int]


@dataclass(frozen=True)
class ModelReport:
    path: str
    name: str
    line: int
    status: str  # "ok", "symbolic" (checked with constructor arguments as symbols), "error" or "unknown"
    input_shape: Optional[Tuple]
    input_source: str  # "--input-shape", "comment", "call in line 12", "symbolic", ...
    output_shape: Optional[Tuple]
    layers: Tuple[LayerReport, ...]
    params: Optional[int]
    consistent_inputs: str = ""  # "32×32 to 35×35" when solved from the model's fixed sizes
    ctor_args: str = ""  # the constructor arguments as written where the file builds the model
    runtime: Optional[dict] = None  # filled by the runtime mode
    # constructor arguments no file gives, checked as symbols: (name, the value the layers settle or None)
    symbols: Tuple[Tuple[str, Optional[int]], ...] = ()
    stopped_at: str = ""  # why the model could not be checked past a line, where that is known
    input_path: str = ""  # the file of the call that gave the input ("train.py"), when a call did
    input_line: int = 0


@dataclass
class FileResult:
    path: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    models: List[ModelReport] = field(default_factory=list)
    error: Optional[str] = None  # the file could not be read at all (tool error, exit 2)
    suppressions: Tuple[Suppression, ...] = ()  # its suppression comments, applied by finishing.finish
    # SHP203 at this file's calls for errors in another file (that file's path first): kept when
    # that file is not checked in the same run, which reports the error itself
    elsewhere: List[Tuple[str, Diagnostic]] = field(default_factory=list)
    depends: Tuple[Tuple[str, str], ...] = ()  # (project file read, hash of its bytes)
