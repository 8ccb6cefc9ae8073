"""What checking a file produces: its findings and, per model, the per-layer shapes.

A model is ``unknown`` when its shapes could not be followed to its output.  Its report then
says where and why in ``stopped_at``: the line, the layer (its module path, or "" for an
operation in forward), the last layer whose output is known (``checked_up_to``), and one of
these reasons, each with a sentence for the user:

==========================  =======================================================================
``layer-not-modelled``      a layer kind shapecheck has no rule for (``nn.LSTM`` where it is not
                            modelled, a third-party module): its output shape is not known
``value-not-known``         a value the analysis cannot know (read from a file, a parameter with no
                            value, the result of code it does not follow), with the expression
``argument-not-given``      a constructor argument that no file gives decides the model's structure
                            (a loop count, a branch); the sentence names it and the three ways to
                            give it: ``--args``, ``[tool.shapecheck.args]``, an instantiation
``construct-not-followed``  a function or operation shapecheck does not model (``torch.fft.rfft2``,
                            ``Tensor.unfold`` where unmodelled), with its name
==========================  =======================================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from .diagnostics import Diagnostic, Span
from .suppressions import Suppression


# A figure that grows with the batch: (fixed, per sample), the value for batch N being fixed + N·per sample.
# None where it cannot be known (a size other than the batch is a symbol, a kind whose cost is not counted).
PerBatch = Optional[Tuple[int, int]]

LAYER, BLOCK, OPERATION = "layer", "block", "operation"  # the roles of a summary row


@dataclass(frozen=True)
class LayerReport:
    """A row of the model summary: a layer (a built-in module), a block (a module of the user's
    class or a Sequential, with the totals of the rows under it) or an operation in forward that the
    reader needs to see where a size comes from (torch.cat, a residual ``+``, a call that changes
    the shape or multiplies)."""

    name: str  # the module path, as torch's named_modules() gives it: "features.0", "conv1"; for an
    # operation, the path of the module whose forward it is in ("" in the model's own)
    kind: str  # "Conv2d", "BasicBlock", "torch.cat", "+", "Tensor.view"
    line: int
    text: str  # the constructor call (or the operation) as written
    output_shape: Optional[Tuple]  # dims: ints, or strings for symbols ("B", "⌊H/8⌋"); None unknown
    params: Optional[int]
    reached: bool = True  # False for a layer of the model that checking never got to (shown with ?)
    cell: Optional[int] = None  # in a notebook, the cell ``line`` is counted in
    # the arguments as written, with the values they have here: (("in_features", "400"), ("out_features", "120"))
    # for the language server's hover (not cached)
    arguments: Tuple[Tuple[str, str], ...] = field(default=(), compare=False)
    role: str = LAYER
    depth: int = 1  # how deep in the model's modules: 1 for a child of the model, 2 for its child...
    macs: PerBatch = None  # multiply-accumulates (rules/cost.py says what is counted)
    activations: PerBatch = None  # elements of the output (of every tensor in a tuple or dict)
    outputs: object = None  # a tuple or dict output whole: a tuple / {key: ...} of plain shapes; None for one tensor


LAYER_NOT_MODELLED = "layer-not-modelled"
VALUE_NOT_KNOWN = "value-not-known"
ARGUMENT_NOT_GIVEN = "argument-not-given"
CONSTRUCT_NOT_FOLLOWED = "construct-not-followed"
STOP_REASONS = (LAYER_NOT_MODELLED, VALUE_NOT_KNOWN, ARGUMENT_NOT_GIVEN, CONSTRUCT_NOT_FOLLOWED)


@dataclass(frozen=True)
class StoppedAt:
    """Where and why a model's shapes stop being known (see the module docstring for the reasons)."""

    line: int
    layer: str  # the module path of the layer there ("rnn", "features.3"), or "" for an operation
    reason: str  # one of STOP_REASONS
    message: str  # for the user: "nn.LSTM is not modelled"
    checked_up_to: str = ""  # the last layer with a known output before it, "" when none
    checked_up_to_line: int = 0
    cell: Optional[int] = None  # in a notebook, the cells the two lines are counted in
    checked_up_to_cell: Optional[int] = None

    def sentence(self, model: str) -> str:
        """'checked up to Net.conv (line 8); stopped at line 13: torch.fft.rfft2 is not modelled'
        ('line 13 of cell 4' in a notebook)."""
        checked = line_in(self.checked_up_to_line, self.checked_up_to_cell)
        before = f"checked up to {model}.{self.checked_up_to} ({checked}); " if self.checked_up_to else "no layer checked; "
        at = line_in(self.line, self.cell)
        where = f"{model}.{self.layer} ({at})" if self.layer else at
        return f"{before}stopped at {where}: {self.message}"


def line_in(line: int, cell: Optional[int]) -> str:
    """'line 13', or in a notebook 'line 13 of cell 4' (the words findings use for a cell's line)."""
    return f"line {line}" if cell is None else f"line {line} of cell {cell}"


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
    stopped_at: Optional[StoppedAt] = None  # for an unknown model: where and why checking stopped
    input_path: str = ""  # the file of the call that gave the input ("train.py"), when a call did
    input_line: int = 0
    # in a notebook, lines are counted in cells: the cell of ``line`` and of ``input_line`` (when
    # the input comes from the notebook itself); the layers and ``stopped_at`` carry their own
    cell: Optional[int] = None
    input_cell: Optional[int] = None
    rows: Tuple[LayerReport, ...] = ()  # the summary: layers, blocks and operations in the order they ran
    outputs: object = None  # a tuple or dict output whole, as LayerReport.outputs

    @property
    def place(self) -> str:
        """'net.py:5', or 'cnn.ipynb:cell 4:5' as a notebook's findings are located."""
        return f"{self.path}:{self.line}" if self.cell is None else f"{self.path}:cell {self.cell}:{self.line}"

    def summary_rows(self) -> Tuple[LayerReport, ...]:
        """The rows of the summary table: ``rows``, or the layers of a report made without them."""
        return self.rows or self.layers

    def macs(self) -> PerBatch:
        """The multiply-accumulates of one forward pass: those of its layers and operations, for a
        model checked to its output; None otherwise (never a partial sum)."""
        if self.status != "ok":
            return None
        return total(r.macs for r in self.summary_rows() if r.role != BLOCK)

    def activations(self) -> PerBatch:
        """The elements of every layer's output, for a model checked to its output."""
        if self.status != "ok":
            return None
        return total(r.activations for r in self.summary_rows() if r.role == LAYER)


def at_batch(figure: PerBatch, batch: int) -> Optional[int]:
    """A figure for ``batch`` samples; None where it is not known."""
    return None if figure is None else figure[0] + figure[1] * batch


def total(figures) -> PerBatch:
    """The sum of per-batch figures; None as soon as one is not known (never a partial sum)."""
    fixed = per_sample = 0
    for figure in figures:
        if figure is None:
            return None
        fixed, per_sample = fixed + figure[0], per_sample + figure[1]
    return fixed, per_sample


_SHOWN_FIRST = {"error": 0, "unknown": 1}


def models_once(models: Sequence[ModelReport]) -> List[Tuple[ModelReport, ...]]:
    """Each model once, under the file that defines it: the reports of every configuration and
    input it was checked with, together; the one shown first is the first that failed, else the
    first checked only in part, else the first."""
    groups: Dict[Tuple[str, str, Optional[int], int], List[ModelReport]] = {}
    for m in models:
        groups.setdefault((m.path, m.name, m.cell, m.line), []).append(m)
    return [tuple(sorted(group, key=lambda m: _SHOWN_FIRST.get(m.status, 2))) for group in groups.values()]


@dataclass(frozen=True)
class ShapeAt:
    """A tensor's shape at one place of the file, as one run of a model (or the script) saw it:
    a name assigned (``x``), a value returned (``return``), or a module called (``self.conv2``,
    then with the layer's path, kind, parameter count and the shape it received)."""

    span: Span  # of the name, the returned expression, or the called module (``self.conv2``)
    what: str  # "x", "return", "self.conv2"
    shape: str  # "B×32×16×16"
    statement_end: int  # the last line of the statement: where --annotate writes the shape
    changed: bool  # the shape differs from the one it replaces (the name's previous value, the layer's input)
    model: str = ""  # the model whose run saw it; "" for the script's own code
    input_source: str = ""  # where that run's input came from ("call at line 30", "symbolic")
    layer: str = ""  # for a module call: its path in the model ("conv2", "features.0")
    kind: str = ""  # "Conv2d", or the class name of a submodule
    params: Optional[int] = None
    received: str = ""  # the shape of its input
    cell: Optional[int] = None  # in a notebook, the cell ``span`` and ``statement_end`` are counted in


@dataclass
class FileResult:
    path: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    models: List[ModelReport] = field(default_factory=list)
    suppressions: Tuple[Suppression, ...] = ()  # its suppression comments, applied by finishing.finish
    # SHP203 at this file's calls for errors in another file (that file's path first): kept when
    # that file is not checked in the same run, which reports the error itself
    elsewhere: List[Tuple[str, Diagnostic]] = field(default_factory=list)
    depends: Tuple[Tuple[str, str], ...] = ()  # (project file read, hash of its bytes)
    # the shapes the analysis saw in this file, for --annotate and the language server (not cached)
    shapes: Tuple[ShapeAt, ...] = field(default=(), compare=False)
