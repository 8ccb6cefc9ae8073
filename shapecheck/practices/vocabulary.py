"""The PyTorch names the practice checks recognise, by their full dotted path, and what each means."""

from __future__ import annotations

import re

from ..rules import lazy  # noqa: F401  (registers the lazy layers' rules)
from ..rules.layers import FUNCTIONAL_FORMS, LAYER_RULES

NN = "torch.nn."
FUNCTIONAL = "torch.nn.functional."


def _kinds(*families: str) -> set:
    """The layer kinds of these families, as their shape rules say (rules/layers.py, LayerRule.family)."""
    return {kind for kind, rule in LAYER_RULES.items() if rule.family in families}


# layers whose output is an affine map of their input: the family says which ones compose into one
AFFINE_FAMILY = {kind: kind[len("Lazy"):] if kind.startswith("Lazy") else kind for kind in _kinds("linear", "conv")}
# layers that produce scores (logits) when they come last
LOGIT_LAYERS = set(AFFINE_FAMILY) | _kinds("bilinear")

ACTIVATIONS = _kinds("activation")
FUNCTIONAL_ACTIVATIONS = {name: kind for name, kind in FUNCTIONAL_FORMS.items() if kind in ACTIVATIONS}

DROPOUTS = _kinds("dropout")
# the lazy and synchronised batch norms have no shape rule: the practices know them all the same
BATCH_NORMS = _kinds("batch_norm") | {"LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d", "SyncBatchNorm"}
# layers that are affine at inference: two affine layers with only these between still collapse
TRANSPARENT = DROPOUTS | BATCH_NORMS | {"Flatten", "Unflatten", "Identity"}
# tensor methods and functions that change the layout, not the values
RESHAPES = {"view", "reshape", "flatten", "squeeze", "unsqueeze", "contiguous", "float", "double", "half",
            "view_as", "reshape_as"}
# tensor methods that keep a batch dimension where there was one
KEEPS_DIMS = (RESHAPES - {"squeeze"}) | {
    "to", "cuda", "cpu", "long", "int", "bool", "type", "clone", "detach", "permute", "transpose",
    "requires_grad_", "pin_memory"}
MODE_LAYER = re.compile(r"^(Lazy)?(Sync)?(Feature)?(Alpha)?(BatchNorm\d?d?|Dropout\d?d?)$")

LOSSES = {"cross_entropy": "CrossEntropyLoss", "nll_loss": "NLLLoss",
          "binary_cross_entropy_with_logits": "BCEWithLogitsLoss", "binary_cross_entropy": "BCELoss",
          "mse_loss": "MSELoss", "l1_loss": "L1Loss", "smooth_l1_loss": "SmoothL1Loss",
          "huber_loss": "HuberLoss", "kl_div": "KLDivLoss"}

FACTORIES = {"zeros", "ones", "empty", "full", "rand", "randn", "randint", "randperm", "arange",
             "linspace", "logspace", "eye", "tensor", "as_tensor", "from_numpy", "zeros_like",
             "ones_like", "empty_like", "full_like", "rand_like", "randn_like", "randint_like",
             "FloatTensor", "LongTensor", "IntTensor", "DoubleTensor", "BoolTensor", "Tensor"}
FROM_DATA = {"tensor", "as_tensor", "from_numpy", "FloatTensor", "LongTensor", "IntTensor",
             "DoubleTensor", "BoolTensor", "Tensor"}

NO_GRAD = {"torch.no_grad", "torch.inference_mode", "torch.autograd.no_grad",
           "torch.autograd.grad_mode.no_grad", "torch.autograd.grad_mode.inference_mode"}
SET_GRAD = {"torch.set_grad_enabled", "torch.autograd.set_grad_enabled"}
ENABLE_GRAD = {"torch.enable_grad", "torch.autograd.enable_grad"}
HARMLESS_DECORATORS = {"staticmethod", "classmethod", "property", "functools.wraps", "functools.lru_cache",
                       "functools.cache", "typing.overload", "abc.abstractmethod"}

DATA_LOADERS = {"torch.utils.data.DataLoader", "torch.utils.data.dataloader.DataLoader"}
SPLITS = {"torch.utils.data.random_split", "torch.utils.data.Subset", "torch.utils.data.dataset.Subset"}
TENSOR_DATASETS = {"torch.utils.data.TensorDataset", "torch.utils.data.dataset.TensorDataset"}
SCALERS = {"torch.cuda.amp.GradScaler", "torch.amp.GradScaler", "torch.amp.grad_scaler.GradScaler"}
WRAPPERS = {"torch.nn.DataParallel", "torch.nn.parallel.DataParallel",
            "torch.nn.parallel.DistributedDataParallel"}
ACCELERATOR_CALLS = {"torch.accelerator.current_accelerator", "torch.cuda.current_device"}
DEFAULT_DEVICE = {"torch.set_default_device", "torch.set_default_tensor_type", "torch.set_default_dtype"}
# nn.Module methods that neither move a module nor change its mode
MODULE_QUERIES = {"parameters", "named_parameters", "buffers", "named_buffers", "children", "named_children",
                  "modules", "named_modules", "state_dict", "load_state_dict", "zero_grad", "register_buffer",
                  "register_parameter", "register_module", "add_module", "register_forward_hook",
                  "register_forward_pre_hook", "register_full_backward_hook", "get_submodule", "get_parameter",
                  "extra_repr"}
# builtins that neither move a module nor change its mode when given one
INERT_BUILTINS = {"print", "len", "str", "repr", "isinstance", "type", "id", "hasattr", "getattr",
                  "format", "sum", "callable"}
ARRAY_ROOTS = ("numpy.", "pandas.")

DEVICE_WORD = re.compile(r"^(cuda|mps|xpu|hpu|npu|mtia|cpu)(:\d+)?$")


def device_where(text: str):
    """'cpu' for the CPU, 'accelerator' for a GPU-like device name, None for anything else."""
    match = DEVICE_WORD.match(text.strip())
    if not match:
        return None
    return "cpu" if match.group(1) == "cpu" else "accelerator"


def layer_kind(qual: str):
    """``Linear`` for torch.nn.Linear (or torch.nn.modules.linear.Linear); None for other names."""
    if not qual.startswith(NN):
        return None
    name = qual.rsplit(".", 1)[1]
    return name if name[:1].isupper() else None


def functional_name(qual: str):
    """``softmax`` for torch.nn.functional.softmax, torch.softmax and torch.special.softmax."""
    for prefix in (FUNCTIONAL, "torch.special.", "torch."):
        if qual.startswith(prefix) and "." not in qual[len(prefix):]:
            return qual[len(prefix):]
    return None


def is_optimizer(qual: str) -> bool:
    return (qual.startswith("torch.optim.") and qual.rsplit(".", 1)[1][:1].isupper()
            and ".lr_scheduler" not in qual and ".swa_utils" not in qual)


def is_loss(kind: str) -> bool:
    return kind.endswith("Loss")
