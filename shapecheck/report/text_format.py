"""The default output: a line per finding, then a short summary; per-model tables with --summary."""

from __future__ import annotations

import builtins
import os
from collections import Counter
from typing import IO, Optional, Sequence

from ..diagnostics import Diagnostic
from ..results import BLOCK, LAYER, FileResult, LayerReport, ModelReport, at_batch, models_once
from ..rules.cost import DEFAULT_BATCH, DEFAULT_DTYPE
from . import figures as F
from .concise_format import location, statistics_lines


UNWRAPPED = 10_000  # the width given to a pipe: tables take their natural width, never 80 columns


def _console(stream: IO[str], tables: bool = False):
    """rich's console; where rich would write plain text anyway (a pipe, a file) and no table is
    asked for, a writer that writes the same without importing rich."""
    if not tables and not _is_terminal(stream):
        return _PlainConsole(stream)
    return _RichConsole(stream)


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _is_terminal(stream: IO[str]) -> bool:
    """Whether rich would take ``stream`` for a terminal (and colour it): its rules, in its order."""
    if hasattr(builtins, "get_ipython"):
        return True  # IPython or a notebook: rich decides
    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    return _isatty(stream)


class _RichConsole:
    """Lines of styled parts, and tables, through rich."""

    def __init__(self, stream: IO[str]):
        from rich.console import Console

        piped = not _isatty(stream) and "COLUMNS" not in os.environ
        self.rich = Console(file=stream, highlight=False, markup=False, soft_wrap=True, emoji=False,
                            width=UNWRAPPED if piped else None)

    def print(self, line, style: str = "") -> None:
        """``line``: a string, or a tuple of the parts of a rich Text (strings, or (string, style))."""
        if isinstance(line, tuple):
            from rich.text import Text

            line = Text.assemble(*line)
        self.rich.print(line, style=style)


_CONTROL_CODES = dict.fromkeys((7, 8, 11, 12, 13))  # what rich strips: bell, backspace, VT, FF, CR


class _PlainConsole:
    """What rich writes to a pipe with markup, highlighting and emoji off and soft wrap on: the text
    without its styles and without the control codes rich strips.  A line with a tab goes through
    rich, which expands it to its tab stops."""

    def __init__(self, stream: IO[str]):
        self.stream = stream

    def print(self, line, style: str = "") -> None:
        text = "".join(part if isinstance(part, str) else part[0] for part in line) if isinstance(line, tuple) \
            else line
        if "\t" in text:
            _RichConsole(self.stream).print(line, style)
        else:
            self.stream.write(text.translate(_CONTROL_CODES) + "\n")


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def render(results: Sequence[FileResult], stream: IO[str], summary: bool = False, quiet: bool = False,
           statistics: bool = False, frames=None, batch: int = DEFAULT_BATCH, depth: Optional[int] = None,
           dtype: str = DEFAULT_DTYPE, **options) -> None:
    """``frames(finding, its file's result, style)``: the lines to show under each finding (`full`)."""
    console = _console(stream, tables=summary)
    for result in results:
        for d in result.diagnostics:
            console.print(_finding(d))
            for line in frames(d, result, SEVERITY_STYLE.get(d.severity, "")) if frames else ():
                console.print(line)
    if summary:
        for result in results:
            for configurations in models_once(result.models):
                _model_table(console.rich, configurations[0], batch, depth, dtype)
                _configuration_lines(console.rich, configurations)
    elif any(m.runtime for r in results for m in r.models):
        for result in results:
            for m in result.models:
                console.print(_verdicts(m))
    if not summary and not quiet:
        stops = (_stop_line(m) for r in results for m in r.models if m.stopped_at is not None)
        for line in dict.fromkeys(stops):  # the same stop in two configurations is said once
            console.print(line)
    if statistics:
        for row in statistics_lines(results):
            console.print(row)
    if not quiet:
        console.print(_summary_line(results, tables=summary), style="bold")


def _finding(d: Diagnostic) -> tuple:
    """The concise line, with the location bold and the code in its severity's colour."""
    return (location(d), "bold"), ": ", (d.code, SEVERITY_STYLE.get(d.severity, "")), " ", d.message


def _summary_line(results: Sequence[FileResult], tables: bool = False) -> str:
    """'Found 2 errors in 1 file; 1 warning, 3 notes: 4 models in 2 files checked, 1 of them only in
    part (the line above says where it stopped).', and 'No shape errors: ...' without errors."""
    counts = Counter(d.severity for r in results for d in r.diagnostics)
    errors = counts["error"]
    with_errors = sum(1 for r in results if any(d.severity == "error" for d in r.diagnostics))
    head = f"Found {_count(errors, 'error')} in {_count(with_errors, 'file')}" if errors else "No shape errors"
    others = ", ".join(_count(n, what) for n, what in ((counts["warning"], "warning"), (counts["info"], "note")) if n)
    return f"{head}; {others}: {_checked(results, tables)}." if others else f"{head}: {_checked(results, tables)}."


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'s' * (n != 1)}"


def _checked(results: Sequence[FileResult], tables: bool) -> str:
    """'3 models in 2 files checked, 1 of them only in part (...)'."""
    models = [group[0] for r in results for group in models_once(r.models)]
    files = len(results)
    if not models:
        return f"{_count(files, 'file')} checked, no model in {'it' if files == 1 else 'them'}"
    text = f"{_count(len(models), 'model')} in {_count(files, 'file')} checked"
    symbolic = sum(1 for m in models if m.status == "symbolic")
    partly = sum(1 for m in models if m.status == "unknown")
    text += _of_them(symbolic, len(models), "with constructor arguments as symbols")
    if partly:
        where = "the tables above say" if tables else "the line above says" if partly == 1 else "the lines above say"
        text += _of_them(partly, len(models), "only in part") + f" ({where} where {_it(partly)} stopped)"
    return text


def _of_them(count: int, total: int, what: str) -> str:
    if not count:
        return ""
    if count == total:
        return f", {what}" if total == 1 else f", all of them {what}"
    return f", {count:,} of them {what}"


def _it(count: int) -> str:
    return "it" if count == 1 else "they"


def _stop_line(m: ModelReport) -> str:
    """'net.py:5: Net: checked up to Net.conv (line 8); stopped at line 13: torch.fft.rfft2 is not modelled'."""
    return f"{m.place}: {m.name}: {m.stopped_at.sentence(m.name)}"


def _runtime_layers(m: ModelReport):
    if not m.runtime or m.runtime.get("layers") is None:
        return None
    return [layer for layer in m.runtime["layers"] if layer["kind"] not in ("Sequential", "ModuleList", "ModuleDict")]


def _dims(shape) -> str:
    return "?" if shape is None else "×".join(str(d) for d in shape)


def _verdicts(m: ModelReport) -> str:
    """One line per model in runtime mode: the static verdict, the runtime one, the device."""
    line = f"{m.place}: {m.name}: static {m.status}"
    if m.runtime:
        line += f", runtime {m.runtime['status']} on {m.runtime['device']}"
        if m.runtime.get("output_shape"):
            line += f" (output {_dims(m.runtime['output_shape'])})"
        elif m.runtime.get("message") and m.runtime["status"] != "error":
            line += f": {m.runtime['message']}"
    return line


def _model_table(console, m: ModelReport, batch: int = DEFAULT_BATCH, depth: Optional[int] = None,
                 dtype: str = DEFAULT_DTYPE) -> None:
    from rich.table import Table

    title = f"{m.name} ({m.place}) — input {_dims(m.input_shape)} from {m.input_source}; {_status(m)}"
    ran = _runtime_layers(m)
    if m.runtime:
        title += f"; runtime {m.runtime['status']} on {m.runtime['device']}"
    table = Table(title=title, title_justify="left", show_lines=False)
    columns = [("layer", "left"), ("line", "right"), ("as written", "left"), ("output shape", "left")]
    columns += [("torch", "left")] if ran is not None else []
    for column, justify in columns + [("params", "right"), ("MACs", "right"), ("memory", "right")]:
        table.add_column(column, justify=justify)
    failed_at = m.runtime.get("error_layer") if m.runtime and m.runtime["status"] == "error" else None
    stopped_at = _stop_row(m)
    leaves = _layer_indexes(m)  # the runtime's rows are the layers'
    for layer in F.shown(m, depth):
        i = leaves.get(id(layer))
        row = [_row_name(layer), _line(layer, m), layer.text, _output(layer.output_shape, layer.outputs)]
        if ran is not None:
            row.append("" if i is None else _dims(ran[i]["output_shape"]) if i < len(ran) else "?")
        failing = failed_at is not None and layer.role == LAYER and layer.name == failed_at
        stopped = i is not None and i == stopped_at
        if failing:
            row[0] = f"✗ {row[0]}"
        elif stopped:
            row[0] = f"→ {row[0]}"
        table.add_row(*row, _params(layer), F.count_text(at_batch(layer.macs, batch)),
                      _row_memory(layer, batch, dtype),
                      style="bold red" if failing else "yellow" if stopped else "bold" if layer.role == BLOCK else None)
    total = ["total", "", "", _output(m.output_shape, m.outputs)]
    total += [_dims(m.runtime.get("output_shape"))] if ran is not None else []
    memory = F.memory(m, batch, dtype)
    table.add_row(*total, F.count_text(m.params), F.count_text(at_batch(m.macs(), batch)),
                  F.size_text(memory["total"]), style="bold")
    console.print(table)
    console.print(_figures_line(m, memory, batch, dtype))
    if failed_at is not None:
        console.print(f"✗ {failed_at} raised: {m.runtime['message']}")
    if m.consistent_inputs:
        console.print(f"consistent only for inputs of {m.consistent_inputs}")
    if m.stopped_at is not None:
        console.print(f"→ {m.stopped_at.sentence(m.name)}")


def _line(layer: LayerReport, m: ModelReport) -> str:
    """The layer's line; in a notebook, with its cell where that is not the model's ('cell 3:8')."""
    if not layer.line:
        return ""
    return str(layer.line) if layer.cell == m.cell else f"cell {layer.cell}:{layer.line}"


def _layer_indexes(m: ModelReport) -> dict:
    """id(row) -> its index among the model's layers, for the summary's rows that are layers."""
    layers = [row for row in m.summary_rows() if row.role == LAYER]
    return {id(row): i for i, row in enumerate(layers)}


def _row_name(row: LayerReport) -> str:
    """The row's name indented by its depth: a layer's or block's path, an operation's kind."""
    name = row.kind if row.role not in (LAYER, BLOCK) else row.name or "(model)"
    return "  " * (row.depth - 1) + name


def _params(row: LayerReport) -> str:
    return "" if row.role not in (LAYER, BLOCK) else F.count_text(row.params)


def _row_memory(row: LayerReport, batch: int, dtype: str) -> str:
    return "" if row.role not in (LAYER, BLOCK) else F.size_text(F.row_memory(row, batch, dtype))


def _output(shape, outputs) -> str:
    return _dims(shape) if outputs is None else F.outputs_text(outputs, _dims)


def _figures_line(m: ModelReport, memory: dict, batch: int, dtype: str) -> str:
    """'batch 1, float32: 151.52 M MACs; memory 2.36 MB = parameters 592.00 kB + input 12.29 kB +
    activations 1.75 MB'."""
    parts = " + ".join(f"{what} {F.size_text(memory[what])}" for what in ("parameters", "input", "activations"))
    per = f"batch {batch}" if "B" in (m.input_shape or ()) else "the input's own batch"
    return (f"{per}, {dtype}: {F.macs_text(at_batch(m.macs(), batch))} MACs; "
            f"memory {F.size_text(memory['total'])} = {parts}")


def _configuration_lines(console, configurations: Sequence[ModelReport]) -> None:
    """Under the table of a model checked more than once: each configuration and input, and how
    it came out (the table shows the first)."""
    if len(configurations) < 2:
        return
    console.print(f"{configurations[0].name} was checked {len(configurations)} ways (the table shows the first):")
    for m in configurations:
        console.print(f"  {_configuration(m)}: {_status(m)}")


def _configuration(m: ModelReport) -> str:
    """'MLP(28 * 28) on B×1×28×28 from call at train_mnist.py:10'."""
    built = f"{m.name}({m.ctor_args})" if m.ctor_args else m.name
    return f"{built} on {_dims(m.input_shape)} from {m.input_source}"


def _stop_row(m: ModelReport) -> Optional[int]:
    """The row where checking stopped: its layer's, or for an operation in forward the first row
    after it whose shape is not known."""
    stop = m.stopped_at
    if stop is None:
        return None
    if stop.layer:
        return next((i for i, layer in enumerate(m.layers) if layer.name == stop.layer), None)
    return next((i for i, layer in enumerate(m.layers) if layer.output_shape is None), None)


def _status(m: ModelReport) -> str:
    """'ok', or for a model checked with constructor arguments as symbols which ones, with the
    value the layers settle where they settle one: 'checked with symbols hidden = 576, n_class'."""
    if m.status != "symbolic":
        return m.status
    return "checked with symbols " + ", ".join(n if v is None else f"{n} = {v}" for n, v in m.symbols)
