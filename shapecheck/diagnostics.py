"""Findings as values, and the catalogue of every code with its documentation."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Optional, Tuple


@dataclass(frozen=True)
class Span:
    """A source range: 1-based lines and 1-based columns, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Fix:
    replacement: str
    span: Span


@dataclass(frozen=True)
class Diagnostic:
    path: str
    span: Span
    code: str
    message: str
    model: Optional[str] = None
    fix: Optional[Fix] = None
    severity: str = ""  # filled from the catalogue when empty
    cell: Optional[int] = None  # notebook cell (1-based) when the file is a notebook

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", RULES[self.code].severity)

    @property
    def sort_key(self) -> Tuple:
        return (self.path, self.span.line, self.span.column, self.code, self.message)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str
    summary: str
    explanation: str
    bad: str = ""
    good: str = ""
    fixable: bool = field(default=False)

    def documentation(self) -> str:
        parts = [f"{self.code} {self.name} ({self.severity})", "", self.summary, "", self.explanation]
        if self.bad:
            parts += ["", "Wrong:", textwrap.indent(self.bad.strip("\n"), "    ")]
        if self.good:
            parts += ["", "Right:", textwrap.indent(self.good.strip("\n"), "    ")]
        return "\n".join(parts)


def _rule(code, name, severity, summary, explanation, bad="", good="", fixable=False) -> Rule:
    return Rule(code, name, severity, summary, textwrap.dedent(explanation).strip(),
                textwrap.dedent(bad), textwrap.dedent(good), fixable)


RULES = {r.code: r for r in [
    _rule("SHP101", "linear-in-features", "error",
          "Linear's in_features differs from the size of the features it receives.",
          """
          nn.Linear(in_features, out_features) multiplies the last dimension of its input by an
          in_features × out_features matrix. After Flatten, that dimension is channels × height ×
          width of the last feature map, which every pooling or strided convolution shrinks. PyTorch
          reports the mismatch only when the model runs: "mat1 and mat2 shapes cannot be multiplied".
          """,
          bad="""
          nn.Conv2d(3, 64, 3, padding=1), nn.MaxPool2d(2),   # 32x32 -> 16x16
          nn.MaxPool2d(2), nn.MaxPool2d(2),                  # -> 8x8 -> 4x4
          nn.Flatten(),
          nn.Linear(64 * 8 * 8, 10),
          """,
          good="""
          nn.Flatten(),
          nn.Linear(64 * 4 * 4, 10),
          """, fixable=True),
    _rule("SHP102", "channel-mismatch", "error",
          "A layer's channel count differs from the channels it receives.",
          """
          Conv2d(in_channels, ...), BatchNorm2d(num_features), GroupNorm and their 1-D and 3-D kin
          need the input's channel dimension (dim 1 of B×C×H×W) to equal the number they were
          built with: the out_channels of the layer before.
          """,
          bad="""
          nn.Conv2d(3, 32, 3), nn.ReLU(),
          nn.Conv2d(64, 64, 3),
          """,
          good="""
          nn.Conv2d(3, 32, 3), nn.ReLU(),
          nn.Conv2d(32, 64, 3),
          """, fixable=True),
    _rule("SHP103", "wrong-rank", "error",
          "A layer receives a tensor with the wrong number of dimensions.",
          """
          Conv2d and MaxPool2d take B×C×H×W (or an unbatched C×H×W); a flat batch B×784 is not
          an image. Reshape it first: x.view(-1, 1, 28, 28). BatchNorm1d takes B×C or B×C×L.
          """,
          bad="""
          x = torch.randn(64, 784)
          model = nn.Sequential(nn.Conv2d(1, 32, 3), ...)
          model(x)
          """,
          good="""
          model(x.view(-1, 1, 28, 28))
          """),
    _rule("SHP104", "spatial-too-small", "error",
          "A convolution or pooling gets an input smaller than its kernel: the output would be empty.",
          """
          Each convolution without padding and each pooling shrinks height and width. Too many of
          them for the input size leave less than one pixel, and PyTorch raises "Output size is too
          small" or "Kernel size can't be greater than actual input size".
          """,
          bad="""
          # a 28x28 MNIST image after four MaxPool2d(2): 28 -> 14 -> 7 -> 3 -> 1, then a fifth:
          nn.MaxPool2d(2), nn.MaxPool2d(2),
          """,
          good="""
          # drop a pooling, or pad the convolutions
          """),
    _rule("SHP105", "view-mismatch", "error",
          "A view or reshape asks for sizes that do not match the number of elements.",
          """
          x.view(-1, N) needs the elements per sample to be N. When they are a multiple of N the
          call succeeds but silently changes the batch size, and the loss fails later; when they
          are not, PyTorch raises "shape '[-1, N]' is invalid for input of size ...".
          """,
          bad="""
          x = self.pool(F.relu(self.conv2(x)))   # B×16×5×5
          x = x.view(-1, 16 * 4 * 4)
          """,
          good="""
          x = x.view(-1, 16 * 5 * 5)   # or torch.flatten(x, 1)
          """, fixable=True),
    _rule("SHP106", "groups", "error",
          "A grouped convolution's groups do not divide its channels.",
          """
          Conv2d(in_channels, out_channels, ..., groups=g) requires both in_channels and
          out_channels to be divisible by g; PyTorch raises when the layer is built. GroupNorm
          needs num_channels divisible by num_groups.
          """,
          bad="nn.Conv2d(32, 48, 3, groups=5)\n",
          good="nn.Conv2d(32, 48, 3, groups=8)\n"),
    _rule("SHP107", "invalid-argument", "error",
          "A layer is built with arguments PyTorch rejects.",
          """
          For example padding="same" with a stride above 1, a kernel size of 0, a negative
          padding, or padding larger than half the kernel in a pooling layer.
          """,
          bad="nn.Conv2d(3, 16, 3, stride=2, padding=\"same\")\n",
          good="nn.Conv2d(3, 16, 3, stride=2, padding=1)\n"),
    _rule("SHP108", "incompatible-operands", "error",
          "Tensors combined by +, *, torch.cat or torch.stack have shapes that do not fit.",
          """
          A residual sum needs shapes that broadcast; torch.cat needs every dimension but the
          concatenated one to be equal; torch.stack needs equal shapes.
          """,
          bad="out = self.conv2(out) + x   # 128 channels + 64 channels\n",
          good="out = self.conv2(out) + self.shortcut(x)\n"),
    _rule("SHP201", "hwc-input", "error",
          "An image batch in channels-last (HWC) layout goes into a model that wants B×C×H×W.",
          """
          Images loaded with numpy, PIL or pandas are height × width × channels; PyTorch's
          convolutions want channels first. Permute before the model.
          """,
          bad="X = X.reshape(-1, 32, 32, 3)\nmodel(torch.tensor(X))\n",
          good="X = X.reshape(-1, 32, 32, 3).transpose(0, 3, 1, 2)\n", fixable=True),
    _rule("SHP202", "flat-input", "error",
          "A flat batch B×N goes into a model whose first layer is a convolution.",
          """
          A CSV of pixels gives one row of H·W values per image; Conv2d needs B×C×H×W.
          """,
          bad="X = df.drop(columns='label').to_numpy()   # (N, 784)\nmodel(torch.tensor(X))\n",
          good="X = X.reshape(-1, 1, 28, 28)\n"),
    _rule("SHP203", "input-size", "error",
          "The input's size does not fit the model: no layer is wrong alone, the pair is.",
          """
          The model's fixed sizes (a Linear after Flatten, a view with constants) only fit some
          input sizes; the data given to it has another.
          """),
    _rule("SHP204", "consistent-inputs", "info",
          "With no input shape known, the model is consistent only for these input sizes.",
          """
          shapecheck solved the model's fixed sizes for the input height and width. Give the
          input shape (--input-shape, or a comment `# shapecheck: input=(B, 3, 32, 32)` above
          the model) to check it exactly.
          """),
    _rule("SHP901", "syntax-error", "error",
          "The file could not be read or parsed as Python.",
          """
          shapecheck reports the first syntax error and checks nothing else in that file.
          """),
    _rule("SHP902", "runtime-disagrees", "error",
          "The runtime mode computed a different shape than the static analysis.",
          """
          This is a bug in shapecheck's static rules; please report it with the model.
          """),
    _rule("SHP903", "runtime-error", "error",
          "Running the model on a dummy input raised an error.",
          """
          In --runtime mode the model is built and run; PyTorch's own message is reported at the
          line of the layer that raised.
          """),
    _rule("SHP904", "not-analysed", "info",
          "shapecheck could not analyse this model and checked nothing in it.",
          """
          For example a constructor argument without a default and no instantiation in the file.
          Give it in [tool.shapecheck] args, or instantiate the model in the file.
          """),
    _rule("SHP905", "unused-suppression", "info",
          "A suppression comment suppresses no finding.",
          """
          Reported with --show-unused-suppressions. A `# noqa: SHP101` or `# shapecheck: ignore`
          left behind after a fix would hide the next real finding on that line. A bare `# noqa`
          is not reported: other linters read it too.
          """,
          bad="self.fc = nn.Linear(64 * 4 * 4, 10)  # noqa: SHP101   (the size was fixed)\n",
          good="self.fc = nn.Linear(64 * 4 * 4, 10)\n"),
    _rule("SHP999", "internal-error", "error",
          "shapecheck itself failed on this file.",
          """
          This is a bug in shapecheck; the message says where. Please report it with the file.
          """),
]}


def markdown_table() -> str:
    """The README's table of codes, one row per entry of the catalogue."""
    rows = ["| Code | Name | Severity | What it means |", "|---|---|---|---|"]
    rows += [f"| `{r.code}` | {r.name} | {r.severity} | {_cell(r.summary)} |" for r in RULES.values()]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


TABLE_START, TABLE_END = "<!-- codes:start -->", "<!-- codes:end -->"


def with_table(document: str) -> str:
    """``document`` with the text between the codes markers replaced by the current table."""
    head, start, rest = document.partition(TABLE_START)
    _, end, tail = rest.partition(TABLE_END)
    if not start or not end:
        raise ValueError(f"the markers {TABLE_START} and {TABLE_END} are missing")
    return f"{head}{TABLE_START}\n{markdown_table()}{TABLE_END}{tail}"


if __name__ == "__main__":  # python -m shapecheck.diagnostics [README.md]: print the table, or update the file
    import sys
    from pathlib import Path

    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.write_text(with_table(target.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(markdown_table())
