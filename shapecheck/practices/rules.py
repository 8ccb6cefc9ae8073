"""The practice rules: at the events the dataflow reports (a model called, a loss computed, a
``.numpy()``, a loop ended), decide from the facts whether there is a finding, and word it."""

from __future__ import annotations

import ast
import re
from typing import Dict, List, Optional, Tuple

from ..diagnostics import Code, Diagnostic, Span
from .facts import ACCELERATOR, CPU, MODULE, TENSOR, AffineStep, Value

EVAL_DATA = re.compile(r"^(test|val|valid|validation|eval|evaluation)(loader|dl|set|data|dataset|ds|batches)?$")
NOT_LOG_PROBABILITIES = {"logits": "raw logits", "probabilities": "probabilities"}
WHY_ACTIVATION = {"ReLU": "ReLU zeroes every negative score", "Sigmoid": "Sigmoid squashes every score into (0, 1)",
                  "Tanh": "Tanh squashes every score into (-1, 1)"}
HIDDEN = re.compile(r"hidden|hid_|width|units|neurons", re.I)

Operand = Tuple[Value, ast.AST]


class Rules:
    def __init__(self, path: str, program, device_rules: bool = True):
        self.path = path
        self.program = program
        self.device_rules = device_rules
        self.found: Dict[tuple, Diagnostic] = {}

    def findings(self) -> List[Diagnostic]:
        return sorted(self.found.values(), key=lambda d: d.sort_key)

    def report(self, code: str, span: Span, message: str) -> None:
        key = (span.line, span.column, code)
        if key not in self.found:
            self.found[key] = Diagnostic(self.path, span, code, message)

    # -- devices -------------------------------------------------------------------------------

    def on_model_call(self, flow, node: ast.Call, module: Optional[Value], args) -> None:
        if module is not None and self.device_rules:
            for value, argument in zip(args, node.args):
                self._input_device(flow, node, module, value, argument)
        self._evaluation(flow, node, module)

    def _input_device(self, flow, node, module: Value, value: Value, argument: ast.AST) -> None:
        model, where = module.placement, value.placement
        if value.kind != TENSOR or value.dims == "scalar" or model is None or where is None:
            return
        if module.model is not None and module.model.moves_inputs:
            return
        name, text = flow.text(node.func), flow.text(argument)
        if model.where == ACCELERATOR and where.where == CPU:
            self.report(Code.INPUT_DEVICE, flow.span(argument),
                        f"`{text}` is on the CPU{_why(where)} but `{name}` is on `{model.device}`{_why(model)}: "
                        f"PyTorch never moves a module's input, so on a GPU this call raises "
                        f"'Expected all tensors to be on the same device'; use {_moved(argument, text, model.device)}")
        elif model.where == CPU and where.where == ACCELERATOR:
            self.report(Code.INPUT_DEVICE, flow.span(argument),
                        f"`{text}` is on `{where.device}`{_why(where)} but `{name}` is on the CPU{_why(model)}: "
                        f"on a GPU this call raises 'Expected all tensors to be on the same "
                        f"device'; move the model once before using it: `{name}.to({where.device})`")

    def on_mixed(self, flow, node: ast.AST, left: Operand, right: Operand) -> None:
        for (cpu, cpu_node), (other, _) in ((left, right), (right, left)):
            if self._host_batch(cpu) and _on_accelerator(other):
                self._mixed(flow, cpu, cpu_node, other, "this operation")

    def _host_batch(self, value: Value) -> bool:
        return (self.device_rules and value.kind == TENSOR and value.dims == "batch"
                and value.placement is not None and value.placement.where == CPU)

    def _mixed(self, flow, cpu: Value, cpu_node: ast.AST, other: Value, what: str) -> None:
        text = flow.text(cpu_node)
        device = other.placement.device or "the device"
        self.report(Code.MIXED_DEVICES, flow.span(cpu_node),
                    f"`{text}` is on the CPU{_why(cpu.placement)} but the tensor it meets is on `{device}`"
                    f"{_why(other.placement)}: {what} mixes devices, and on a GPU it raises 'Expected all "
                    f"tensors to be on the same device'; use {_moved(cpu_node, text, device)}")

    def on_numpy(self, flow, node: ast.Call, value: Value) -> None:
        if not self.device_rules or not _on_accelerator(value):
            return
        if isinstance(node.func, ast.Attribute):
            receiver = flow.text(node.func.value)
            fix, call = f"{receiver}.cpu().numpy()", f"{receiver}.numpy()"
        else:
            receiver = flow.text(node.args[0])
            call, fix = flow.text(node), flow.text(node).replace(receiver, f"{receiver}.cpu()", 1)
        self.report(Code.NUMPY_ON_DEVICE, flow.span(node),
                    f"`{call}`: `{receiver}` may be on the GPU{_why(value.placement)}, and numpy reads only "
                    f"CPU memory ('can't convert cuda:0 device type tensor to numpy'); use `{fix}`")

    # -- losses --------------------------------------------------------------------------------

    def on_loss(self, flow, node: ast.Call, kind: str, loss: Optional[Value], prediction: Operand,
                target: Operand) -> None:
        value, target_value = prediction[0], target[0]
        if self._host_batch(target_value) and _on_accelerator(value):
            self._mixed(flow, target_value, target[1], value, f"{_loss_name(kind)} of `{flow.text(prediction[1])}`")
        ending = value.ending if value.kind == TENSOR else None
        if ending is None:
            return
        line = node.lineno
        if kind in ("CrossEntropyLoss", "BCEWithLogitsLoss"):
            self._logits_expected(kind, ending, line)
        elif kind == "NLLLoss" and ending.kind in NOT_LOG_PROBABILITIES:
            constructor = loss.span if loss is not None and loss.span else flow.span(node)
            where = ending.span if ending.kind == "probabilities" else constructor
            fix = ("use F.log_softmax instead" if ending.kind == "probabilities"
                   else "use nn.CrossEntropyLoss on them, or end the model with F.log_softmax(x, dim=1)")
            self.report(Code.NLL_LOSS_WITHOUT_LOG_SOFTMAX, where,
                        f"nn.NLLLoss (line {line}) expects log-probabilities but gets "
                        f"{NOT_LOG_PROBABILITIES[ending.kind]} from `{ending.op}` (line {ending.span.line}): it "
                        f"only negates the target's entry, so the loss has no lower bound and the model does not "
                        f"learn; {fix}")

    def _logits_expected(self, kind: str, ending, line: int) -> None:
        name = _loss_name(kind)
        applies = "log_softmax" if kind == "CrossEntropyLoss" else "the sigmoid"
        if ending.kind == "probabilities" or (ending.kind == "activation" and ending.activation == "Sigmoid"
                                              and kind == "BCEWithLogitsLoss"):
            self.report(Code.SOFTMAX_BEFORE_LOGITS_LOSS, ending.span,
                        f"`{ending.op}` turns the scores into probabilities, then {name} (line {line}) applies "
                        f"{applies} again: it expects raw logits, so the squashing happens twice, the gradients "
                        f"shrink and training stalls; return the logits and apply it only for predictions")
        elif ending.kind == "log-probabilities" and kind == "CrossEntropyLoss":
            self.report(Code.LOG_SOFTMAX_BEFORE_CROSS_ENTROPY, ending.span,
                        f"`{ending.op}` before {name} (line {line}) is redundant: the loss applies log_softmax "
                        f"itself (on log-probabilities it changes nothing); use nn.NLLLoss with a model that ends in "
                        f"log_softmax, or return the logits")
        elif ending.kind == "activation":
            why = WHY_ACTIVATION.get(ending.activation, f"{ending.activation} bends the scores")
            self.report(Code.ACTIVATION_ON_LOGITS, ending.span,
                        f"`{ending.op}` is applied to the last layer's logits before {name} (line {line}), which "
                        f"expects them raw: {why}, so the model cannot express confident predictions; drop the "
                        f"activation after the last layer")

    # -- design --------------------------------------------------------------------------------

    def on_collapse(self, flow, previous: AffineStep, step: AffineStep, span: Span) -> None:
        if previous.family != step.family or previous.factored or step.factored or _may_be_factorised(previous, step):
            return
        self.report(Code.STACKED_LINEAR_LAYERS, span,
                    f"`{step.text}` follows `{previous.text}` (line {previous.line}) with no non-linearity "
                    f"between them: two {step.family} layers in a row compose into a single linear map "
                    f"(dropout and batch norm are affine at inference and do not change that); put an "
                    f"activation such as nn.ReLU() between them")

    # -- training and evaluation loops ---------------------------------------------------------

    def on_loop_end(self, flow, frame) -> None:
        if frame.zeroes or frame.touched or not frame.steps:
            return
        if not self.program.has_backward(frame.node, flow.function):
            return
        for node, optimizer in frame.steps:
            name = flow.text(node.func.value) if not node.args else flow.text(node.args[0])
            self.report(Code.MISSING_ZERO_GRAD, flow.span(node),
                        f"`{flow.text(node)}` runs on every pass of the loop at line {frame.node.lineno}, but "
                        f"nothing in that loop zeroes the gradients: backward() adds to .grad, so each step "
                        f"follows the sum of every gradient so far; call `{name}.zero_grad()` in the loop, "
                        f"before loss.backward()")

    def _evaluation(self, flow, node: ast.Call, module: Optional[Value]) -> None:
        context = self.evaluation(flow)
        if context is None:
            return
        kind, where = context
        name = flow.text(node.func)
        if kind != "no_grad" and flow.grad == "on" and not self.program.grad_switched_off:
            self.report(Code.EVALUATION_WITHOUT_NO_GRAD, flow.span(node),
                        f"`{name}(...)` in {where} records the autograd graph: without torch.no_grad() each "
                        f"forward pass keeps its activations for a backward() that never comes, costing memory "
                        f"and time; wrap the evaluation in `with torch.no_grad():`")
        if module is not None and module.kind == MODULE and module.mode == "train" and module.model is not None \
                and module.model.mode_layers and not _samples(flow, node):
            behaviour = _training_behaviour(module.model.mode_layers)
            self.report(Code.EVALUATION_IN_TRAIN_MODE, flow.span(node),
                        f"`{name}` is still in training mode in {where}: {behaviour}, so the results are "
                        f"noisy and wrong; call `{name}.eval()` before evaluating (and `{name}.train()` before "
                        f"training again)")

    def evaluation(self, flow) -> Optional[Tuple[str, str]]:
        """Where a model call evaluates rather than trains: ('function'|'loop'|'no_grad', description)."""
        if not flow.loops and not flow.comprehensions:
            return None  # a single call is a smoke test or one prediction, not an evaluation
        off = flow.grad == "off"
        opened = off and (len(flow.loops) > flow.grad_off_at[0] or flow.comprehensions > flow.grad_off_at[1])
        innermost = flow.loops[-1] if flow.loops else None
        if innermost is not None and self.program.has_backward(innermost.node, flow.function) and not opened:
            return None
        if self.program.is_eval_function(flow.function):
            return "function", f"the evaluation function `{flow.function.name}`"
        for frame in reversed(flow.loops):
            if _evaluates_data(frame.iterable) and not self.program.has_backward(frame.node, flow.function):
                return "loop", f"the loop over `{frame.iterable}` (line {frame.node.lineno})"
        if off:
            return "no_grad", "this torch.no_grad() block"
        return None


def _evaluates_data(name: str) -> bool:
    return any(EVAL_DATA.match(token) for token in re.split(r"[_\W]+", name.lower()) if token)


def _samples(flow, node: ast.Call) -> bool:
    """The call repeats the same input in a counted loop, as Monte Carlo dropout does on purpose."""
    counted = flow.repeats[-1] if flow.repeats else None
    if counted is None:
        return False
    used = {n.id for a in node.args for n in ast.walk(a) if isinstance(n, ast.Name)}
    return not counted & used


def _training_behaviour(layers) -> str:
    behaviour = []
    if any("Dropout" in layer or "dropout" in layer for layer in layers):
        behaviour.append("its dropout keeps zeroing activations")
    if any("BatchNorm" in layer for layer in layers):
        behaviour.append("its batch norm normalises with each batch's own statistics")
    return " and ".join(behaviour) or f"its {', '.join(layers)} behave as in training"


def _why(placement) -> str:
    return f" ({placement.origin})" if placement.origin else ""


def _on_accelerator(value: Value) -> bool:
    return value.kind == TENSOR and value.placement is not None and value.placement.where == ACCELERATOR


def _moved(argument: ast.AST, text: str, device: str) -> str:
    if isinstance(argument, ast.Name):
        return f"`{text} = {text}.to({device})` first"
    return f"`{text}.to({device})`"


def _loss_name(kind: str) -> str:
    return f"nn.{kind}"


def _may_be_factorised(previous: AffineStep, step: AffineStep) -> bool:
    """Linear(a, b) then Linear(b, c) with b below both a and c is a low-rank factorisation, and a 1×1
    convolution before a wider one a channel reduction: both may be deliberate.  Unless the sizes as
    written show otherwise (or name a hidden width), assume they are."""
    if previous.kernel == "1":
        return True
    outer_in, middle, outer_out = previous.sizes[0], previous.sizes[1], step.sizes[1]
    if middle.isdigit():
        known = [int(s) for s in (outer_in, outer_out) if s.isdigit()]
        return not any(int(middle) >= size for size in known)
    return HIDDEN.search(middle) is None
