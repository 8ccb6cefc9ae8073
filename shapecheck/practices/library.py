"""What calls into PyTorch, numpy and the builtins give, by their dotted path: the facts they make
(a DataLoader yields CPU batches, ``torch.randn`` allocates on the CPU unless ``device=`` says
otherwise, ``nn.Sequential`` is a model with a known last layer) and the rules they trigger."""

from __future__ import annotations

import ast
from typing import Dict, Optional

from . import vocabulary as V
from .facts import (ACCELERATOR, ARRAY, CPU, DATASET, DEVICE, LOADER, LOSS, MODULE, NOTHING, OPTIMIZER,
                    SCALAR, SCALER, SEQUENCE, TENSOR, TUPLE, AffineStep, ModelInfo, Placement, Value, tensor)

ITERATION = {"iter", "tqdm.tqdm", "tqdm.auto.tqdm", "tqdm.notebook.tqdm", "tqdm.std.tqdm", "reversed"}
HOST_DATA = Value(ARRAY)  # a sample before collation: numpy, PIL, numbers, CPU tensors


class Library:
    """The calls into libraries, for one file's analysis.  Which handler a dotted path gets depends
    on the path alone: it is worked out once per process (``_HANDLERS``), not once per file."""

    def __init__(self, analysis):
        self.analysis = analysis
        self._layers: Dict[tuple, Value] = {}  # by call node and dotted path

    def call(self, flow, node: ast.Call, qual: str, args, keywords) -> Value:
        handler = _HANDLERS.get(qual, _UNSEEN)
        if handler is _UNSEEN:
            handler = _HANDLERS[qual] = _handler(qual)
        if handler is not None:
            return handler(self, flow, node, qual, args, keywords)
        return flow.unknown_call(node, args, keywords)

    # -- Python --------------------------------------------------------------------------------

    def nothing(self, flow, node, qual, args, keywords) -> Value:
        return NOTHING

    def scalar(self, flow, node, qual, args, keywords) -> Value:
        return Value(SCALAR)

    def numbers(self, flow, node, qual, args, keywords) -> Value:
        return Value(SEQUENCE, element=Value(SCALAR))

    def same(self, flow, node, qual, args, keywords) -> Value:
        return args[0] if args else NOTHING

    def enumerate(self, flow, node, qual, args, keywords) -> Value:
        return Value(SEQUENCE, element=Value(TUPLE, items=(Value(SCALAR), _element(args[0] if args else NOTHING))))

    def zip(self, flow, node, qual, args, keywords) -> Value:
        return Value(SEQUENCE, element=Value(TUPLE, items=tuple(_element(a) for a in args)))

    def next(self, flow, node, qual, args, keywords) -> Value:
        return _element(args[0]) if args else NOTHING

    def collect(self, flow, node, qual, args, keywords) -> Value:
        return Value(SEQUENCE, element=_element(args[0])) if args else Value(SEQUENCE, element=None)

    # -- devices and gradients -----------------------------------------------------------------

    def device(self, flow, node, qual, args, keywords) -> Value:
        given = args[0] if args else keywords.get("type", NOTHING)
        return given if given.kind == DEVICE else NOTHING

    def accelerator(self, flow, node, qual, args, keywords) -> Value:
        return Value(DEVICE, placement=Placement(ACCELERATOR, flow.text(node)))

    def set_grad(self, flow, node, qual, args, keywords) -> Value:
        switch = flow.grad_switch(node)
        if switch is not None:
            flow.set_grad(switch)
        return NOTHING

    # -- data ----------------------------------------------------------------------------------

    def data_loader(self, flow, node, qual, args, keywords) -> Value:
        dataset = args[0] if args else keywords.get("dataset", NOTHING)
        collate = keywords.get("collate_fn")
        if dataset.kind != DATASET or (collate is not None and collate.kind != SCALAR):
            return Value(LOADER)
        origin = f"a batch from the DataLoader at line {node.lineno}"
        return Value(LOADER, element=_collated(dataset.element, origin))

    def tensor_dataset(self, flow, node, qual, args, keywords) -> Value:
        rows = tuple(tensor(a.placement, "batch") if a.kind == TENSOR else HOST_DATA if a.kind == ARRAY else NOTHING
                     for a in args)
        return Value(DATASET, element=Value(TUPLE, items=rows))

    def subset(self, flow, node, qual, args, keywords) -> Value:
        dataset = args[0] if args else NOTHING
        if dataset.kind != DATASET:
            return NOTHING
        return Value(SEQUENCE, element=dataset) if qual.endswith("random_split") else dataset

    def host_dataset(self, flow, node, qual, args, keywords) -> Value:
        return Value(DATASET, element=Value(SEQUENCE, element=HOST_DATA))

    def split_arrays(self, flow, node, qual, args, keywords) -> Value:
        first = args[0] if args else NOTHING
        return Value(SEQUENCE, element=first if first.kind in (ARRAY, TENSOR) else NOTHING)

    def array_function(self, flow, node, qual, args, keywords) -> Value:
        name = qual.rsplit(".", 1)[1]
        if name in ("array", "asarray") and args and args[0].kind == TENSOR and flow.reporting:
            flow.rules.on_numpy(flow, node, args[0])
        return Value(ARRAY)

    # -- models, losses, optimizers ------------------------------------------------------------

    def layer(self, flow, node, qual, args, keywords) -> Value:
        """``nn.Conv2d(...)`` and the other layers and losses: what it builds depends on the call
        alone (not on what its arguments hold), so each call of the file is read once, not once a pass."""
        key = (node, qual)
        if key not in self._layers:
            self._layers[key] = self._layer(flow, node, qual)
        return self._layers[key]

    def _layer(self, flow, node: ast.Call, qual: str) -> Value:
        kind = V.layer_kind(qual)
        if V.is_loss(kind):
            return Value(LOSS, name=kind, span=flow.span(node))
        info = ModelInfo(kind, node.lineno, span=flow.span(node), text=flow.text(node),
                         step=_affine_step(flow, node, kind), mode_layers=(kind,) if V.MODE_LAYER.match(kind) else ())
        return self._new_module(node, info)

    def sequential(self, flow, node, qual, args, keywords) -> Value:
        given = tensor()
        for value, argument in zip(args, node.args):
            if value.kind != MODULE or isinstance(argument, ast.Starred):
                given = tensor()
                continue
            ending, affine = flow.through(value.model, given, flow.text(argument), flow.span(argument), argument.lineno)
            given = tensor(ending=ending, affine=affine)
        layers = sorted({k for v in args if v.kind == MODULE and v.model for k in v.model.mode_layers})
        known = bool(node.args) and all(v.kind == MODULE for v in args) and not node.keywords
        info = ModelInfo("Sequential", node.lineno, ending=given.ending if known else None, mode_layers=tuple(layers),
                         span=flow.span(node), text="nn.Sequential")
        placements = {v.placement.where if v.kind == MODULE and v.placement else None for v in args}
        module = self._new_module(node, info)
        if not known or placements != {CPU}:
            module = module.but(placement=None)
        return module

    def pretrained(self, flow, node, qual, args, keywords) -> Value:
        return self._new_module(node, ModelInfo(qual.rsplit(".", 1)[1], node.lineno))

    def _new_module(self, node: ast.Call, info: ModelInfo) -> Value:
        placement = Placement(CPU, "", f"built at line {node.lineno} and never moved")
        return Value(MODULE, placement=placement, model=info, mode="train")

    def optimizer(self, flow, node, qual, args, keywords) -> Value:
        return Value(OPTIMIZER, name=qual.rsplit(".", 1)[1], span=flow.span(node))

    def scaler(self, flow, node, qual, args, keywords) -> Value:
        return Value(SCALER)

    def functional_loss(self, flow, node, qual, args, keywords) -> Value:
        return flow.loss_call(node, V.LOSSES[qual[len(V.FUNCTIONAL):]], None, args, keywords)

    # -- tensors -------------------------------------------------------------------------------

    def factory(self, flow, node, qual, args, keywords) -> Value:
        name = qual[len("torch."):]
        first = args[0] if args else NOTHING
        return tensor(self._placement(flow, node, name, first, keywords), _factory_dims(node, name, first))

    def _placement(self, flow, node, name: str, first: Value, keywords) -> Optional[Placement]:
        argument = next((k.value for k in node.keywords if k.arg == "device"), None)
        if argument is not None and not (isinstance(argument, ast.Constant) and argument.value is None):
            device = keywords["device"]
            if device.kind == DEVICE and device.placement is not None:
                text = flow.text(argument)
                return Placement(device.placement.where, text, f"created with device={text} at line {node.lineno}")
            return None
        if name.endswith("_like") or (name in ("tensor", "as_tensor") and first.kind == TENSOR):
            return first.placement if first.kind == TENSOR else None
        if name in ("tensor", "as_tensor") and first.kind not in (ARRAY, SCALAR, TUPLE, SEQUENCE):
            return None
        return Placement(CPU, "", f"made by torch.{name} at line {node.lineno}, on the CPU")

    def tensor_function(self, flow, node, qual, args, keywords) -> Value:
        name = V.functional_name(qual)
        first = args[0] if args else NOTHING
        if name in ("softmax", "log_softmax") or name in V.FUNCTIONAL_ACTIVATIONS:
            return flow.normalised(node, first, name)
        if first.kind == TENSOR and (name in V.RESHAPES or name.startswith("dropout") or name == "alpha_dropout"):
            return first.but(dims=None)
        tensors = [a for a in args if a.kind == TENSOR]
        tensors += [e for a in args if a.kind in (TUPLE, SEQUENCE) for e in _members(a) if e.kind == TENSOR]
        if not tensors:
            return NOTHING
        placements = {t.placement for t in tensors}
        return tensor(tensors[0].placement if len(placements) == 1 else None)


L = Library
EXACT = {"enumerate": L.enumerate, "zip": L.zip, "next": L.next, "list": L.collect, "tuple": L.collect,
         "sorted": L.collect, "range": L.numbers, "len": L.scalar, "int": L.scalar, "float": L.scalar,
         "round": L.scalar, "abs": L.scalar, "isinstance": L.scalar, "torch.device": L.device,
         "torch.compile": L.same, "torch.nn.Sequential": L.sequential, "torch.nn.Parameter": L.same,
         "sklearn.model_selection.train_test_split": L.split_arrays}
EXACT.update({q: L.same for q in ITERATION})
EXACT.update({q: L.accelerator for q in V.ACCELERATOR_CALLS})
EXACT.update({q: L.set_grad for q in V.SET_GRAD})
EXACT.update({q: L.data_loader for q in V.DATA_LOADERS})
EXACT.update({q: L.tensor_dataset for q in V.TENSOR_DATASETS})
EXACT.update({q: L.subset for q in V.SPLITS})
EXACT.update({q: L.scaler for q in V.SCALERS})
EXACT.update({q: L.nothing for q in V.INERT_BUILTINS})
UNKNOWN_CALLS = V.WRAPPERS | {"torch.nn.ModuleList", "torch.nn.ModuleDict", "torch.nn.ParameterList",
                              "torch.nn.ParameterDict", "torch.nn.Module"}
_UNSEEN = object()
_HANDLERS: dict = {}  # dotted path -> Library method, or None for a call nothing is known of


def _handler(qual: str):
    """The handler for a dotted path: exact names first, then families of names."""
    if qual in EXACT:
        return EXACT[qual]
    if qual in UNKNOWN_CALLS:
        return None
    families = [
        (qual.startswith("torchvision.datasets."), L.host_dataset),
        (V.layer_kind(qual) is not None, L.layer),
        (V.is_optimizer(qual), L.optimizer),
        (qual.startswith("torchvision.models.") or qual == "timm.create_model", L.pretrained),
        (qual.startswith(V.FUNCTIONAL) and qual[len(V.FUNCTIONAL):] in V.LOSSES, L.functional_loss),
        (qual.startswith("torch.") and qual[len("torch."):] in V.FACTORIES, L.factory),
        (qual.startswith("torch.") and V.functional_name(qual) is not None, L.tensor_function),
        (qual.startswith(V.ARRAY_ROOTS), L.array_function),
    ]
    return next((handler for matches, handler in families if matches), None)


def _element(value: Value) -> Value:
    from .flow import element_of
    return element_of(value)


def _members(value: Value):
    if value.items is not None:
        return value.items
    return [value.element] if value.element is not None else []


def _collated(sample: Optional[Value], origin: str) -> Value:
    """A batch as the default collate_fn builds it: numpy arrays and numbers become CPU tensors, tensors
    are stacked where they are, and tuples and dicts keep their structure."""
    if sample is None:
        return NOTHING
    if sample.kind == ARRAY or sample.kind == SCALAR:
        return tensor(Placement(CPU, "", origin), "batch")
    if sample.kind == TENSOR:
        placement = sample.placement
        if placement is not None and placement.where == CPU:
            placement = Placement(CPU, "", origin)
        return tensor(placement, "batch")
    if sample.kind == TUPLE and sample.items is not None:
        return Value(TUPLE, items=tuple(_collated(i, origin) for i in sample.items))
    if sample.kind == SEQUENCE:
        return Value(SEQUENCE, element=_collated(sample.element, origin))
    return NOTHING


def _factory_dims(node: ast.Call, name: str, first: Value) -> Optional[str]:
    if name in V.FROM_DATA:
        if name == "from_numpy" or first.kind in (ARRAY, TUPLE, SEQUENCE):
            return "batch"
        if first.kind == SCALAR:
            return "scalar"
        return first.dims if first.kind == TENSOR else None
    if name.endswith("_like"):
        return first.dims if first.kind == TENSOR else None
    if not node.args:
        return None
    head = node.args[0]
    if isinstance(head, (ast.Tuple, ast.List)) and not head.elts:
        return "scalar"
    return "batch"


def _affine_step(flow, node: ast.Call, kind: str) -> Optional[AffineStep]:
    family = V.AFFINE_FAMILY.get(kind)
    if family is None:
        return None
    linear = family == "Linear"
    names = ["in_features", "out_features", "bias"] if linear else \
        ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias"]
    if kind.startswith("Lazy"):
        names = names[1:]
    given = dict(zip(names, node.args))
    given.update({k.arg: k.value for k in node.keywords if k.arg})
    sizes = (_size_text(flow, given.get(names[0]) if not kind.startswith("Lazy") else None),
             _size_text(flow, given.get("out_features" if linear else "out_channels")))
    kernel = "" if linear else _kernel_text(flow, given.get("kernel_size"))
    return AffineStep(family, flow.text(node), node.lineno, sizes, _factored(given), kernel)


def _size_text(flow, argument: Optional[ast.AST]) -> str:
    if argument is None:
        return ""
    number = _fold(argument)
    return str(number) if number is not None else flow.text(argument)


def _kernel_text(flow, argument: Optional[ast.AST]) -> str:
    """"1" for 1 and (1, 1); the size as written otherwise."""
    if isinstance(argument, (ast.Tuple, ast.List)) and argument.elts and all(_fold(e) == 1 for e in argument.elts):
        return "1"
    return _size_text(flow, argument)


def _fold(node: ast.AST) -> Optional[int]:
    """The value of a constant integer expression such as ``64 * 8 * 8``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.FloorDiv)):
        left, right = _fold(node.left), _fold(node.right)
        if left is None or right is None or (isinstance(node.op, ast.FloorDiv) and right == 0):
            return None
        return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right,
                ast.FloorDiv: left // right if right else 0}[type(node.op)]
    return None


def _factored(given) -> bool:
    """bias=False or groups: a layer built as one factor of a deliberate factorisation."""
    bias, groups = given.get("bias"), given.get("groups")
    if isinstance(bias, ast.Constant) and bias.value is False:
        return True
    return groups is not None and not (isinstance(groups, ast.Constant) and groups.value == 1)
