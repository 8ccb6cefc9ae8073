"""Findings as values, and the catalogue of every code with its documentation."""

from __future__ import annotations

import os
import textwrap
import traceback
from dataclasses import dataclass, field, replace
from typing import Optional, Tuple


@dataclass(unsafe_hash=True, slots=True)
class Span:
    """A source range: 1-based lines and 1-based columns, end exclusive.  Never changed once made
    (not frozen only because a frozen dataclass is several times slower to build)."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Fix:
    replacement: str
    span: Span


@dataclass(frozen=True)
class Message:
    """A shape finding's text in parts: who (``where``, "Net.fc: "), what is wrong (``problem``, what
    was expected and what was received), where the data came from (``context``, "(after MaxPool2d at
    line 7: B×64×4×4)"), and what to write instead (``suggestion``, "use nn.Linear(1024, 10)").
    The shape the layer received, where the text quotes it, is ``input`` ("(input B×1024)"), and
    ``why`` says after it why no value fits.  Changing a finding (adding the model's input,
    withdrawing a fix, moving it to a call site) is replacing a part (``dataclasses.replace``),
    never editing rendered text."""

    problem: str
    where: str = ""
    context: str = ""
    suggestion: str = ""
    input: str = ""  # a rendered shape ("B×1024")
    why: str = ""

    def text(self) -> str:
        """The one-line message every output shows."""
        text = self.where + self.problem
        if self.input:
            text += f" (input {self.input})"
        if self.why:
            text += f": {self.why}"
        if self.context:
            text += f" {self.context}"
        return f"{text}; {self.suggestion}" if self.suggestion else text

    def stated(self) -> str:
        """The finding without its suggestion: what to quote where another place is blamed."""
        return replace(self, suggestion="").text()


@dataclass(frozen=True)
class Diagnostic:
    """One finding.  ``message`` is the text every output shows; a shape finding also keeps it in
    ``parts`` (build it with ``Diagnostic.of``, change it with ``with_parts``)."""

    path: str
    span: Span
    code: str
    message: str
    model: Optional[str] = None
    fix: Optional[Fix] = None
    severity: str = ""  # filled from the catalogue when empty
    cell: Optional[int] = None  # notebook cell (1-based) when the file is a notebook
    confirmed_on: Optional[str] = None  # the device the runtime mode raised on at this finding, if it did
    not_fixed: str = ""  # why an error has no fix, where a value was found but not written
    # for a notebook (where span and fix count lines in the cell): the same in the file's own lines
    file_span: Optional[Span] = None
    file_fix: Optional[Fix] = None
    parts: Optional[Message] = None  # the message in parts, where it was built from them
    layer: str = ""  # the module path of the layer it is about ("layer2.0.conv2"), where it is one

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", CATALOGUE[self.code].severity)

    @classmethod
    def of(cls, path: str, span: Span, code: str, parts: Message, **fields) -> "Diagnostic":
        """A finding whose message is rendered from ``parts``."""
        return cls(path, span, code, parts.text(), parts=parts, **fields)

    def with_parts(self, parts: Message, **fields) -> "Diagnostic":
        """The same finding with its message rendered from new parts (and other fields replaced)."""
        return replace(self, message=parts.text(), parts=parts, **fields)

    @property
    def stated(self) -> str:
        """The message without its suggestion."""
        return self.parts.stated() if self.parts else self.message

    @property
    def sort_key(self) -> Tuple:
        return (self.path, self.cell or 0, self.span.line, self.span.column, self.code, self.message)


@dataclass(frozen=True)
class Rule:
    """One catalogue entry.  ``bad`` and ``good`` are complete small programs: ``bad`` gives exactly
    this code, at the line that ends with ``# SHPnnn``; ``good`` gives nothing
    (tests/test_catalogue.py checks both, so ``shapecheck rule`` and SARIF help show proven examples)."""

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


class Code:
    """Every code by its catalogue name: emit findings through these, so that finding the usages
    of one finds every place that raises it (tests/test_catalogue.py holds them to ``CATALOGUE``)."""

    LINEAR_IN_FEATURES = "SHP101"
    CHANNEL_MISMATCH = "SHP102"
    WRONG_RANK = "SHP103"
    SPATIAL_TOO_SMALL = "SHP104"
    VIEW_MISMATCH = "SHP105"
    GROUPS = "SHP106"
    INVALID_ARGUMENT = "SHP107"
    INCOMPATIBLE_OPERANDS = "SHP108"
    HWC_INPUT = "SHP201"
    FLAT_INPUT = "SHP202"
    INPUT_SIZE = "SHP203"
    CONSISTENT_INPUTS = "SHP204"
    INPUT_DEVICE = "SHP301"
    MIXED_DEVICES = "SHP302"
    NUMPY_ON_DEVICE = "SHP303"
    SOFTMAX_BEFORE_LOGITS_LOSS = "SHP401"
    LOG_SOFTMAX_BEFORE_CROSS_ENTROPY = "SHP402"
    NLL_LOSS_WITHOUT_LOG_SOFTMAX = "SHP403"
    ACTIVATION_ON_LOGITS = "SHP404"
    STACKED_LINEAR_LAYERS = "SHP405"
    MISSING_ZERO_GRAD = "SHP406"
    EVALUATION_WITHOUT_NO_GRAD = "SHP407"
    EVALUATION_IN_TRAIN_MODE = "SHP408"
    SYNTAX_ERROR = "SHP901"
    RUNTIME_DISAGREES = "SHP902"
    RUNTIME_ERROR = "SHP903"
    NOT_ANALYSED = "SHP904"
    UNUSED_SUPPRESSION = "SHP905"
    INTERNAL_ERROR = "SHP999"


def _rule(code, name, severity, summary, explanation, bad="", good="", fixable=False) -> Rule:
    return Rule(code, name, severity, summary, textwrap.dedent(explanation).strip(),
                textwrap.dedent(bad), textwrap.dedent(good), fixable)


CATALOGUE = {r.code: r for r in [
    _rule(Code.LINEAR_IN_FEATURES, "linear-in-features", "error",
          "Linear's in_features differs from the size of the features it receives.",
          """
          nn.Linear(in_features, out_features) multiplies the last dimension of its input by an
          in_features × out_features matrix. After Flatten, that dimension is channels × height ×
          width of the last feature map, which every pooling or strided convolution shrinks. PyTorch
          reports the mismatch only when the model runs: "mat1 and mat2 shapes cannot be multiplied".
          """,
          bad="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(
              nn.Conv2d(3, 64, 3, padding=1), nn.MaxPool2d(2),   # 32x32 -> 16x16
              nn.MaxPool2d(2), nn.MaxPool2d(2),                  # -> 8x8 -> 4x4
              nn.Flatten(),
              nn.Linear(64 * 8 * 8, 10),  # SHP101
          )
          model(torch.randn(8, 3, 32, 32))
          """,
          good="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(
              nn.Conv2d(3, 64, 3, padding=1), nn.MaxPool2d(2),   # 32x32 -> 16x16
              nn.MaxPool2d(2), nn.MaxPool2d(2),                  # -> 8x8 -> 4x4
              nn.Flatten(),
              nn.Linear(64 * 4 * 4, 10),
          )
          model(torch.randn(8, 3, 32, 32))
          """, fixable=True),
    _rule(Code.CHANNEL_MISMATCH, "channel-mismatch", "error",
          "A layer's channel count differs from the channels it receives.",
          """
          Conv2d(in_channels, ...), BatchNorm2d(num_features), GroupNorm and their 1-D and 3-D kin
          need the input's channel dimension (dim 1 of B×C×H×W) to equal the number they were
          built with: the out_channels of the layer before.
          """,
          bad="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(
              nn.Conv2d(3, 32, 3), nn.ReLU(),
              nn.Conv2d(64, 64, 3),  # SHP102
          )
          model(torch.randn(8, 3, 32, 32))
          """,
          good="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(
              nn.Conv2d(3, 32, 3), nn.ReLU(),
              nn.Conv2d(32, 64, 3),
          )
          model(torch.randn(8, 3, 32, 32))
          """, fixable=True),
    _rule(Code.WRONG_RANK, "wrong-rank", "error",
          "A layer receives a tensor with the wrong number of dimensions.",
          """
          Conv2d and MaxPool2d take B×C×H×W (or an unbatched C×H×W); a flat batch B×784 is not
          an image (fed to the model, that is SHP202). BatchNorm1d takes B×C or B×C×L, BatchNorm2d
          B×C×H×W: after a Linear, the features are B×C.
          """,
          bad="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(
              nn.Linear(784, 128),
              nn.BatchNorm2d(128),  # SHP103
              nn.ReLU(),
          )
          model(torch.randn(64, 784))
          """,
          good="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(
              nn.Linear(784, 128),
              nn.BatchNorm1d(128),
              nn.ReLU(),
          )
          model(torch.randn(64, 784))
          """),
    _rule(Code.SPATIAL_TOO_SMALL, "spatial-too-small", "error",
          "A convolution or pooling gets an input smaller than its kernel: the output would be empty.",
          """
          Each convolution without padding and each pooling shrinks height and width. Too many of
          them for the input size leave less than one pixel, and PyTorch raises "Output size is too
          small" or "Kernel size can't be greater than actual input size".
          """,
          bad="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(
              nn.Conv2d(1, 8, 3, padding=1),
              nn.MaxPool2d(2), nn.MaxPool2d(2), nn.MaxPool2d(2), nn.MaxPool2d(2),  # 28 -> 14 -> 7 -> 3 -> 1
              nn.MaxPool2d(2),  # SHP104
          )
          model(torch.randn(8, 1, 28, 28))
          """,
          good="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(
              nn.Conv2d(1, 8, 3, padding=1),
              nn.MaxPool2d(2), nn.MaxPool2d(2), nn.MaxPool2d(2), nn.MaxPool2d(2),  # 28 -> 14 -> 7 -> 3 -> 1
          )
          model(torch.randn(8, 1, 28, 28))
          """),
    _rule(Code.VIEW_MISMATCH, "view-mismatch", "error",
          "A view or reshape asks for sizes that do not match the number of elements.",
          """
          x.view(-1, N) needs the elements per sample to be N. When they are a multiple of N the
          call succeeds but silently changes the batch size, and the loss fails later; when they
          are not, PyTorch raises "shape '[-1, N]' is invalid for input of size ...".
          """,
          bad="""
          import torch
          import torch.nn as nn
          import torch.nn.functional as F


          class LeNet(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.conv1 = nn.Conv2d(3, 6, 5)
                  self.pool = nn.MaxPool2d(2)
                  self.conv2 = nn.Conv2d(6, 16, 5)
                  self.fc = nn.Linear(16 * 5 * 5, 10)

              def forward(self, x):
                  x = self.pool(F.relu(self.conv1(x)))
                  x = self.pool(F.relu(self.conv2(x)))   # B×16×5×5
                  x = x.view(-1, 16 * 4 * 4)  # SHP105
                  return self.fc(x)


          LeNet()(torch.randn(8, 3, 32, 32))
          """,
          good="""
          import torch
          import torch.nn as nn
          import torch.nn.functional as F


          class LeNet(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.conv1 = nn.Conv2d(3, 6, 5)
                  self.pool = nn.MaxPool2d(2)
                  self.conv2 = nn.Conv2d(6, 16, 5)
                  self.fc = nn.Linear(16 * 5 * 5, 10)

              def forward(self, x):
                  x = self.pool(F.relu(self.conv1(x)))
                  x = self.pool(F.relu(self.conv2(x)))   # B×16×5×5
                  x = x.view(-1, 16 * 5 * 5)   # or torch.flatten(x, 1)
                  return self.fc(x)


          LeNet()(torch.randn(8, 3, 32, 32))
          """, fixable=True),
    _rule(Code.GROUPS, "groups", "error",
          "A grouped convolution's groups do not divide its channels.",
          """
          Conv2d(in_channels, out_channels, ..., groups=g) requires both in_channels and
          out_channels to be divisible by g; PyTorch raises when the layer is built. GroupNorm
          needs num_channels divisible by num_groups.
          """,
          bad="""
          import torch.nn as nn

          conv = nn.Conv2d(32, 48, 3, groups=5)  # SHP106
          """,
          good="""
          import torch.nn as nn

          conv = nn.Conv2d(32, 48, 3, groups=8)
          """),
    _rule(Code.INVALID_ARGUMENT, "invalid-argument", "error",
          "A layer is built with arguments PyTorch rejects.",
          """
          For example padding="same" with a stride above 1, a kernel size of 0, a negative
          padding, or padding larger than half the kernel in a pooling layer.
          """,
          bad="""
          import torch.nn as nn

          conv = nn.Conv2d(3, 16, 3, stride=2, padding="same")  # SHP107
          """,
          good="""
          import torch.nn as nn

          conv = nn.Conv2d(3, 16, 3, stride=2, padding=1)
          """),
    _rule(Code.INCOMPATIBLE_OPERANDS, "incompatible-operands", "error",
          "Tensors combined by +, *, torch.cat or torch.stack have shapes that do not fit.",
          """
          A residual sum needs shapes that broadcast; torch.cat needs every dimension but the
          concatenated one to be equal; torch.stack needs equal shapes.
          """,
          bad="""
          import torch
          import torch.nn as nn


          class Block(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.conv1 = nn.Conv2d(64, 128, 3, padding=1)
                  self.conv2 = nn.Conv2d(128, 128, 3, padding=1)
                  self.shortcut = nn.Conv2d(64, 128, 1)

              def forward(self, x):
                  out = self.conv1(x).relu()
                  out = self.conv2(out) + x  # SHP108
                  return out.relu()


          Block()(torch.randn(8, 64, 16, 16))
          """,
          good="""
          import torch
          import torch.nn as nn


          class Block(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.conv1 = nn.Conv2d(64, 128, 3, padding=1)
                  self.conv2 = nn.Conv2d(128, 128, 3, padding=1)
                  self.shortcut = nn.Conv2d(64, 128, 1)

              def forward(self, x):
                  out = self.conv1(x).relu()
                  out = self.conv2(out) + self.shortcut(x)
                  return out.relu()


          Block()(torch.randn(8, 64, 16, 16))
          """),
    _rule(Code.HWC_INPUT, "hwc-input", "error",
          "An image batch (B×H×W×C) or a signal batch (B×L×C) in channels-last layout goes into a model "
          "that wants channels first.",
          """
          Images loaded with numpy, PIL or pandas are height × width × channels, and waveforms
          stacked with a trailing unsqueeze are length × channels; PyTorch's convolutions want
          channels first. Permute before the model.
          """,
          bad="""
          import numpy as np
          import torch
          import torch.nn as nn

          X = np.random.rand(100, 3072).astype("float32")
          X = X.reshape(-1, 32, 32, 3)
          model = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
          model(torch.tensor(X))  # SHP201
          """,
          good="""
          import numpy as np
          import torch
          import torch.nn as nn

          X = np.random.rand(100, 3072).astype("float32")
          X = X.reshape(-1, 32, 32, 3).transpose(0, 3, 1, 2)
          model = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
          model(torch.tensor(X))
          """, fixable=True),
    _rule(Code.FLAT_INPUT, "flat-input", "error",
          "A flat batch B×N goes into a model whose first layer is a convolution.",
          """
          A CSV of pixels gives one row of H·W values per image; Conv2d needs B×C×H×W.
          """,
          bad="""
          import pandas as pd
          import torch
          import torch.nn as nn

          df = pd.read_csv("train.csv")
          X = df.drop(columns="label").to_numpy()   # (N, 784)
          model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
          model(torch.tensor(X))  # SHP202
          """,
          good="""
          import pandas as pd
          import torch
          import torch.nn as nn

          df = pd.read_csv("train.csv")
          X = df.drop(columns="label").to_numpy().reshape(-1, 1, 28, 28)
          model = nn.Sequential(nn.Conv2d(1, 16, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
          model(torch.tensor(X))
          """),
    _rule(Code.INPUT_SIZE, "input-size", "error",
          "The input's size does not fit the model: no layer is wrong alone, the pair is.",
          """
          The model's fixed sizes (a Linear after Flatten, a view with constants) only fit some
          input sizes; the data given to it has another.
          """),
    _rule(Code.CONSISTENT_INPUTS, "consistent-inputs", "info",
          "With no input shape known, the model is consistent only for these input sizes.",
          """
          shapecheck solved the model's fixed sizes for the input height and width. Give the
          input shape (--input-shape, or a comment `# shapecheck: input=(B, 3, 32, 32)` above
          the model) to check it exactly.
          """),
    _rule(Code.INPUT_DEVICE, "input-device", "warning",
          "The model and its input are on different devices: the call fails on a GPU.",
          """
          Module.to(device) and Module.cuda() move the module's parameters and buffers in place; a
          tensor is never moved implicitly, and Tensor.to(device) returns a moved copy (calling it
          without assigning the result changes nothing). A DataLoader yields CPU tensors, and
          torch.tensor, torch.from_numpy and torch.randn allocate on the CPU unless device= says
          otherwise. When the model is on a GPU and its input is not (or the reverse), the first
          layer raises "Expected all tensors to be on the same device". On a machine without a GPU
          `device` falls back to "cpu" and the script runs, which is why the bug survives until the
          GPU run. Reported only when the model is moved to a device that may be an accelerator
          ("cuda", "mps", torch.device("cuda" if torch.cuda.is_available() else "cpu"), .cuda()) and
          the input is known to stay on the CPU; a device that is the constant "cpu" is never a bug.
          """,
          bad="""
          import torch
          import torch.nn as nn

          device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
          model = nn.Linear(20, 2).to(device)
          train_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          for Xb, yb in train_loader:
              logits = model(Xb)  # SHP301
          """,
          good="""
          import torch
          import torch.nn as nn

          device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
          model = nn.Linear(20, 2).to(device)
          train_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          for Xb, yb in train_loader:
              Xb, yb = Xb.to(device), yb.to(device)
              logits = model(Xb)
          """),
    _rule(Code.MIXED_DEVICES, "mixed-devices", "warning",
          "A loss or an operation combines a tensor on the accelerator with a batch left on the CPU.",
          """
          The model's output is where the model is. Targets from the DataLoader stay on the CPU
          until moved; nn.CrossEntropyLoss(logits, targets), or an accuracy count such as
          (predicted == labels), then mixes devices and raises "Expected all tensors to be on the
          same device" on a GPU. (Only a 0-dimensional CPU tensor may meet a CUDA tensor, so this is
          reported only for batches.)
          """,
          bad="""
          import torch
          import torch.nn as nn

          device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
          model = nn.Linear(20, 2).to(device)
          criterion = nn.CrossEntropyLoss()
          train_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          for Xb, yb in train_loader:
              logits = model(Xb.to(device))
              loss = criterion(logits, yb)  # SHP302
          """,
          good="""
          import torch
          import torch.nn as nn

          device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
          model = nn.Linear(20, 2).to(device)
          criterion = nn.CrossEntropyLoss()
          train_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          for Xb, yb in train_loader:
              logits = model(Xb.to(device))
              loss = criterion(logits, yb.to(device))
          """),
    _rule(Code.NUMPY_ON_DEVICE, "numpy-on-device", "warning",
          "Tensor.numpy() on a tensor that may be on the GPU.",
          """
          numpy reads host memory only: Tensor.numpy() on a CUDA tensor raises "can't convert cuda:0
          device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first".
          A model's output, a moved batch and a tensor created with device=device are on the device;
          .detach() keeps the device. .item() and .tolist() copy to the host and are fine.
          np.array(t) and np.asarray(t) fail the same way.
          """,
          bad="""
          import torch
          import torch.nn as nn

          device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
          model = nn.Linear(20, 2).to(device)
          test_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          with torch.no_grad():
              for Xb, yb in test_loader:
                  preds = model(Xb.to(device)).argmax(dim=1).numpy()  # SHP303
          """,
          good="""
          import torch
          import torch.nn as nn

          device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
          model = nn.Linear(20, 2).to(device)
          test_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          with torch.no_grad():
              for Xb, yb in test_loader:
                  preds = model(Xb.to(device)).argmax(dim=1).cpu().numpy()
          """),
    _rule(Code.SOFTMAX_BEFORE_LOGITS_LOSS, "softmax-before-logits-loss", "warning",
          "Probabilities go into a loss that expects raw logits: softmax (or sigmoid) is applied twice.",
          """
          nn.CrossEntropyLoss documents that "the input is expected to contain the unnormalized
          logits for each class"; it applies log_softmax itself. A model that ends in nn.Softmax or
          F.softmax gives it probabilities in [0, 1], which log_softmax squashes again: even a
          perfect prediction costs log(1 + (C-1)/e), 1.46 for 10 classes, the gradients shrink, and
          training stalls below the accuracy the same model reaches on logits. nn.BCEWithLogitsLoss "combines a Sigmoid layer and the
          BCELoss"; a sigmoid before it is applied twice in the same way. Reported at the softmax or
          sigmoid, when the model's output reaches the loss in the file; a softmax model used only
          for predictions is fine.
          """,
          bad="""
          import torch
          import torch.nn as nn
          import torch.nn.functional as F


          class Net(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc = nn.Linear(20, 10)

              def forward(self, x):
                  return F.softmax(self.fc(x), dim=1)  # SHP401


          model = Net()
          x, y = torch.randn(8, 20), torch.randint(0, 10, (8,))
          loss = nn.CrossEntropyLoss()(model(x), y)
          """,
          good="""
          import torch
          import torch.nn as nn
          import torch.nn.functional as F


          class Net(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc = nn.Linear(20, 10)

              def forward(self, x):
                  return self.fc(x)            # logits


          model = Net()
          x, y = torch.randn(8, 20), torch.randint(0, 10, (8,))
          loss = nn.CrossEntropyLoss()(model(x), y)
          """),
    _rule(Code.LOG_SOFTMAX_BEFORE_CROSS_ENTROPY, "log-softmax-before-cross-entropy", "info",
          "log_softmax before nn.CrossEntropyLoss is redundant: the loss applies it itself.",
          """
          nn.CrossEntropyLoss is LogSoftmax followed by NLLLoss. log_softmax is idempotent
          (log_softmax(log_softmax(x)) == log_softmax(x)), so the loss and its gradients are the
          same as on logits: this is not a training bug, only a sign that the model was written for
          nn.NLLLoss. Hence info, not warning.
          """,
          bad="""
          import torch
          import torch.nn as nn
          import torch.nn.functional as F


          class Net(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc = nn.Linear(20, 10)

              def forward(self, x):
                  return F.log_softmax(self.fc(x), dim=1)  # SHP402


          model = Net()
          criterion = nn.CrossEntropyLoss()
          x, y = torch.randn(8, 20), torch.randint(0, 10, (8,))
          loss = criterion(model(x), y)
          """,
          good="""
          import torch
          import torch.nn as nn
          import torch.nn.functional as F


          class Net(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc = nn.Linear(20, 10)

              def forward(self, x):
                  return F.log_softmax(self.fc(x), dim=1)


          model = Net()
          criterion = nn.NLLLoss()
          x, y = torch.randn(8, 20), torch.randint(0, 10, (8,))
          loss = criterion(model(x), y)
          """),
    _rule(Code.NLL_LOSS_WITHOUT_LOG_SOFTMAX, "nll-loss-without-log-softmax", "warning",
          "nn.NLLLoss gets raw logits or probabilities instead of log-probabilities.",
          """
          nn.NLLLoss documents that its input "is expected to contain log-probabilities of each
          class"; it only returns minus the target's entry. On raw logits that has no lower bound,
          so the loss runs to -inf by growing one score, and the model does not learn to classify.
          On probabilities it optimises -p instead of -log p. Use nn.CrossEntropyLoss on logits, or
          end the model with F.log_softmax(x, dim=1).
          """,
          bad="""
          import torch
          import torch.nn as nn
          import torch.nn.functional as F


          class Net(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc1 = nn.Linear(20, 64)
                  self.fc2 = nn.Linear(64, 10)

              def forward(self, x):
                  return self.fc2(F.relu(self.fc1(x)))


          model = Net()
          criterion = nn.NLLLoss()  # SHP403
          x, y = torch.randn(8, 20), torch.randint(0, 10, (8,))
          loss = criterion(model(x), y)
          """,
          good="""
          import torch
          import torch.nn as nn
          import torch.nn.functional as F


          class Net(nn.Module):
              def __init__(self):
                  super().__init__()
                  self.fc1 = nn.Linear(20, 64)
                  self.fc2 = nn.Linear(64, 10)

              def forward(self, x):
                  return self.fc2(F.relu(self.fc1(x)))


          model = Net()
          criterion = nn.CrossEntropyLoss()
          x, y = torch.randn(8, 20), torch.randint(0, 10, (8,))
          loss = criterion(model(x), y)
          """),
    _rule(Code.ACTIVATION_ON_LOGITS, "activation-on-logits", "warning",
          "An activation after the last layer bends the logits a classification loss expects raw.",
          """
          nn.CrossEntropyLoss and nn.BCEWithLogitsLoss expect unbounded scores. A ReLU after the last
          Linear zeroes every negative score (and its gradient), so classes can only be told apart by
          positive margins; a Sigmoid or Tanh bounds every score, so the softmax over them stays
          flat (after a Sigmoid even a perfect prediction costs 1.46 for 10 classes). The model
          trains slowly or not at all. Drop the activation after the last layer.
          """,
          bad="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(
              nn.Linear(784, 128), nn.ReLU(),
              nn.Linear(128, 10), nn.ReLU(),  # SHP404
          )
          criterion = nn.CrossEntropyLoss()
          x, y = torch.randn(8, 784), torch.randint(0, 10, (8,))
          loss = criterion(model(x), y)
          """,
          good="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(
              nn.Linear(784, 128), nn.ReLU(),
              nn.Linear(128, 10),
          )
          criterion = nn.CrossEntropyLoss()
          x, y = torch.randn(8, 784), torch.randint(0, 10, (8,))
          loss = criterion(model(x), y)
          """),
    _rule(Code.STACKED_LINEAR_LAYERS, "stacked-linear-layers", "warning",
          "Two Linear (or two Conv) layers in a row with no non-linearity between them collapse into one.",
          """
          Linear(a, b) followed by Linear(b, c) computes W2(W1 x + b1) + b2, a single affine map
          from a to c: the extra layer adds parameters and no capacity. The same holds for two
          convolutions. Dropout (the identity at inference), BatchNorm (an affine map at inference),
          Flatten, Identity and reshapes between them do not change that; an activation, MaxPool,
          LayerNorm or GroupNorm does, and so does anything shapecheck does not know (it stays
          quiet then). AvgPool is linear too, but is taken as a separator. Not reported when the
          pair may be a deliberate factorisation: a middle size below both outer ones (low rank), a
          1×1 convolution first (a channel reduction), bias=False or groups (LoRA-style adapters,
          depthwise-separable convolutions), or sizes given as variables unless they name a hidden
          width.
          """,
          bad="""
          import torch.nn as nn

          model = nn.Sequential(
              nn.Linear(784, 256),
              nn.Dropout(0.2),
              nn.Linear(256, 10),  # SHP405
          )
          """,
          good="""
          import torch.nn as nn

          model = nn.Sequential(
              nn.Linear(784, 256),
              nn.ReLU(),
              nn.Dropout(0.2),
              nn.Linear(256, 10),
          )
          """),
    _rule(Code.MISSING_ZERO_GRAD, "missing-zero-grad", "warning",
          "optimizer.step() runs in a loop that never zeroes the gradients.",
          """
          backward() "accumulates gradients in the leaves - you might need to zero .grad attributes
          or set them to None before calling it" (PyTorch docs). Without optimizer.zero_grad() (or
          model.zero_grad(), or setting .grad to None) in the same loop, every step follows the sum
          of all gradients since the start, and training diverges. Gradient accumulation is fine:
          zero_grad may sit under an if, before or after step. Not reported when the loop calls a
          function that may zero the gradients and shapecheck cannot see into it.
          """,
          bad="""
          import torch
          import torch.nn as nn

          model = nn.Linear(20, 2)
          optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
          criterion = nn.CrossEntropyLoss()
          train_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          optimizer.zero_grad()
          for Xb, yb in train_loader:
              loss = criterion(model(Xb), yb)
              loss.backward()
              optimizer.step()  # SHP406
          """,
          good="""
          import torch
          import torch.nn as nn

          model = nn.Linear(20, 2)
          optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
          criterion = nn.CrossEntropyLoss()
          train_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          for Xb, yb in train_loader:
              optimizer.zero_grad()
              loss = criterion(model(Xb), yb)
              loss.backward()
              optimizer.step()
          """),
    _rule(Code.EVALUATION_WITHOUT_NO_GRAD, "evaluation-without-no-grad", "warning",
          "An evaluation loop calls the model with gradient recording on.",
          """
          Outside torch.no_grad() (or torch.inference_mode()) every forward pass records the
          autograd graph and keeps its activations alive for a backward() that an evaluation never
          calls; "disabling gradient calculation is useful for inference ... It will reduce memory
          consumption" (PyTorch docs). An evaluation is a loop over test or validation data, or a
          function named evaluate, test or validate, that never calls backward(). Not reported when
          the function is decorated with @torch.no_grad(), or called inside a no_grad block.
          """,
          bad="""
          import torch
          import torch.nn as nn


          def evaluate(model, loader):
              correct = 0
              for Xb, yb in loader:
                  correct += (model(Xb).argmax(1) == yb).sum().item()  # SHP407
              return correct


          model = nn.Linear(20, 2)
          model.eval()
          test_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          print(evaluate(model, test_loader))
          """,
          good="""
          import torch
          import torch.nn as nn


          @torch.no_grad()
          def evaluate(model, loader):
              correct = 0
              for Xb, yb in loader:
                  correct += (model(Xb).argmax(1) == yb).sum().item()
              return correct


          model = nn.Linear(20, 2)
          model.eval()
          test_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          print(evaluate(model, test_loader))
          """),
    _rule(Code.EVALUATION_IN_TRAIN_MODE, "evaluation-in-train-mode", "warning",
          "A model with Dropout or BatchNorm is evaluated without model.eval().",
          """
          Modules start in training mode. Module.eval() "has an effect only on certain modules ...
          e.g. Dropout, BatchNorm": in training mode dropout keeps zeroing activations and batch
          norm normalises with the current batch's statistics (and updates its running ones), so
          accuracy measured without eval() is noisy and lower than the model's. torch.no_grad()
          does not switch the mode. Reported in evaluation loops and in loops under no_grad when
          the model is known to be in training mode (built, or switched with .train(), and never
          .eval()); not for a model run many times on the same input in a counted loop, which is
          Monte Carlo dropout on purpose.
          """,
          bad="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 2))
          optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
          criterion = nn.CrossEntropyLoss()
          train_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          test_loader = train_loader
          model.train()
          for X, y in train_loader:
              optimizer.zero_grad()
              criterion(model(X), y).backward()
              optimizer.step()
          with torch.no_grad():
              for X, y in test_loader:
                  preds = model(X).argmax(1)  # SHP408
          """,
          good="""
          import torch
          import torch.nn as nn

          model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 2))
          optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
          criterion = nn.CrossEntropyLoss()
          train_loader = [(torch.randn(8, 20), torch.randint(0, 2, (8,))) for _ in range(4)]
          test_loader = train_loader
          model.train()
          for X, y in train_loader:
              optimizer.zero_grad()
              criterion(model(X), y).backward()
              optimizer.step()
          model.eval()
          with torch.no_grad():
              for X, y in test_loader:
                  preds = model(X).argmax(1)
          """),
    _rule(Code.SYNTAX_ERROR, "syntax-error", "error",
          "The file could not be read or parsed as Python.",
          """
          shapecheck reports the first syntax error and checks nothing else in that file.
          """,
          bad="""
          import torch.nn as nn


          class Net(nn.Module):
              def forward(self, x)  # SHP901
                  return x
          """,
          good="""
          import torch.nn as nn


          class Net(nn.Module):
              def forward(self, x):
                  return x
          """),
    _rule(Code.RUNTIME_DISAGREES, "runtime-disagrees", "error",
          "The runtime mode computed a different shape than the static analysis.",
          """
          This is a bug in shapecheck's static rules; please report it with the model.
          """),
    _rule(Code.RUNTIME_ERROR, "runtime-error", "error",
          "Building the model or running a dummy input through it failed: it raised, hung, ended its "
          "process or ran out of memory.",
          """
          In --runtime mode the model is built and run in a child process; PyTorch's own message is
          reported at the line of the layer that raised. A model that runs past --runtime-timeout,
          ends its process (os._exit, a signal) or passes the memory limit is reported at the line
          that defines or builds it, saying which and when; the other models are still run.
          """),
    _rule(Code.NOT_ANALYSED, "not-analysed", "info",
          "shapecheck could not analyse this model and checked nothing in it.",
          """
          The note says why, where it stopped: a constructor argument that no file gives decides
          the model's structure (give it with --args, under [tool.shapecheck.args], or build the
          model in a file); the model is built by another package's constructor; the class builds
          layers on a base shapecheck cannot see; an import of the project cannot be followed.
          """),
    _rule(Code.UNUSED_SUPPRESSION, "unused-suppression", "info",
          "A suppression comment suppresses no finding.",
          """
          Reported with --show-unused-suppressions. A `# noqa: SHP101` or `# shapecheck: ignore`
          left behind after a fix would hide the next real finding on that line. A bare `# noqa`
          is not reported: other linters read it too.
          """,
          bad="""
          import torch.nn as nn

          model = nn.Sequential(nn.Flatten(), nn.Linear(64 * 4 * 4, 10))  # noqa: SHP101  # SHP905
          """,
          good="""
          import torch.nn as nn

          model = nn.Sequential(nn.Flatten(), nn.Linear(64 * 4 * 4, 10))
          """),
    _rule(Code.INTERNAL_ERROR, "internal-error", "error",
          "shapecheck itself failed on this statement or file.",
          """
          This is a bug in shapecheck; the message says where. Please report it with the file.
          A shape rule that fails is reported at the layer or tensor operation it was checking:
          that model is unknown from there on, and every other finding of the file is kept.
          Anywhere else, the whole file gives this one finding. With the environment variable
          SHAPECHECK_RAISE_INTERNAL_ERRORS=1 (the test suite sets it) the error is raised instead.
          """),
]}


RAISE_INTERNAL_ERRORS = "SHAPECHECK_RAISE_INTERNAL_ERRORS"


def internal_errors_raise() -> bool:
    """Whether a bug in shapecheck is re-raised instead of becoming an SHP999 finding: set
    ``SHAPECHECK_RAISE_INTERNAL_ERRORS=1`` (the test suite does, so a broken rule fails a test)."""
    return os.environ.get(RAISE_INTERNAL_ERRORS, "") not in ("", "0")


def internal_error_message(error: BaseException) -> str:
    """What SHP999 says: the exception and the place in shapecheck that raised it."""
    where = traceback.extract_tb(error.__traceback__)[-1]
    return f"internal error {type(error).__name__}: {error} (at {os.path.basename(where.filename)}:{where.lineno})"


def markdown_table() -> str:
    """The README's table of codes, one row per entry of the catalogue."""
    rows = ["| Code | Name | Severity | What it means |", "|---|---|---|---|"]
    rows += [f"| `{r.code}` | {r.name} | {r.severity} | {_cell(r.summary)} |" for r in CATALOGUE.values()]
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
