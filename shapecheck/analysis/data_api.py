"""What the interpreter knows of data pipelines: datasets, DataLoader batches, transforms,
and model-summary calls that state an input size.

A script rarely says "the input is B×3×32×32"; it loads CIFAR-10 or reshapes a CSV, wraps it
in a DataLoader and iterates.  These values carry the shape of one sample through that, so the
model call in the training loop is checked on what it really gets.  The batch dim is ``B``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple

from ..rules import shapes as S
from ..ir import UNKNOWN
from ..rules.shapes import Tensor
from .stdlib import length
from .values import AbstractObject, Instance

# (channels, height, width) of the well-known image datasets, as torchvision gives them
DATASETS: Dict[str, Tuple[int, int, int]] = {
    "MNIST": (1, 28, 28), "FashionMNIST": (1, 28, 28), "KMNIST": (1, 28, 28), "EMNIST": (1, 28, 28),
    "QMNIST": (1, 28, 28), "CIFAR10": (3, 32, 32), "CIFAR100": (3, 32, 32), "SVHN": (3, 32, 32),
    "STL10": (3, 96, 96),
}


@dataclass(eq=False)
class Dataset(AbstractObject):
    """A dataset whose items are tuples of per-sample values (tensors without the batch dim)."""

    sample: Tuple  # e.g. (Tensor((3, 32, 32)), UNKNOWN)
    origin: str = ""

    def call_method(self, interp, name, args, kwargs, node):
        if name == "__getitem__":
            return self.sample
        return UNKNOWN


@dataclass(eq=False)
class Loader(AbstractObject):
    """A DataLoader: iterating it gives batches, each sample's tensors with a leading B."""

    dataset: object

    def batch(self, interp=None):
        if isinstance(self.dataset, Instance) and interp is not None:
            return self._user_batch(interp)
        if not isinstance(self.dataset, Dataset):
            return UNKNOWN
        return tuple(_batched(v, self.dataset.origin) for v in self.dataset.sample)

    def _user_batch(self, interp):
        """A Dataset class of the file: its ``__getitem__`` gives one sample, which the default
        collate stacks (tensors and arrays gain the batch dim B, numbers become B-long tensors)."""
        getitem = interp.get_attribute(self.dataset, "__getitem__")
        if getitem is UNKNOWN:
            return UNKNOWN
        origin = f"{self.dataset.cls.name}.__getitem__"
        return _collated(interp.call(getitem, [0], {}, None), origin)

    def items(self, interp):
        batch = self.batch(interp)
        return UNKNOWN if batch is UNKNOWN else [batch]

    def attribute(self, interp, name):
        if name == "dataset":
            return self.dataset
        return super().attribute(interp, name)


@dataclass(eq=False)
class Transform(AbstractObject):
    """A torchvision transform pipeline, as what it does to (channels, height, width); a dim it
    cannot know is None.  Called on a PIL image, an HWC array or a C×H×W tensor, it gives the
    image or tensor that comes out."""

    steps: Tuple = field(default_factory=tuple)  # functions (c, h, w) -> (c, h, w) or None
    to_tensor: bool = False  # a step (ToTensor, PILToTensor) makes a C×H×W tensor of an image

    def call_method(self, interp, name, args, kwargs, node):
        if name != "__call__" or len(args) != 1:
            return UNKNOWN
        return self.apply(args[0], _origin(interp, node, "transform"))

    def apply(self, image, origin: str = ""):
        chw = _chw_of(image, self.to_tensor)
        for step in self.steps:
            chw = step(chw) if chw is not None else None
        if chw is None:
            return UNKNOWN
        if isinstance(image, Image) and not self.to_tensor:
            return Image(*chw)
        return Tensor(tuple(S.unknown() if v is None else v for v in chw), origin=origin)


# PIL's modes by their number of bands
_BANDS = {"1": 1, "L": 1, "P": 1, "I": 1, "F": 1, "I;16": 1, "LA": 2, "RGB": 3, "YCbCr": 3, "LAB": 3, "HSV": 3,
          "RGBA": 4, "CMYK": 4, "RGBX": 4}


@dataclass(eq=False)
class Image(AbstractObject):
    """A PIL image: its bands and size, None where the code does not say (``Image.open`` reads a
    file of any size and mode; ``.convert("RGB")`` makes it three bands)."""

    channels: Optional[int] = None
    height: Optional[int] = None
    width: Optional[int] = None
    entered_as_itself = True  # `with Image.open(path) as img:` binds the image

    def call_method(self, interp, name, args, kwargs, node):
        if name == "convert":
            mode = args[0] if args else kwargs.get("mode")
            return Image(_BANDS.get(mode) if isinstance(mode, str) else None, self.height, self.width)
        if name == "resize":  # PIL sizes are (width, height)
            size = args[0] if args else kwargs.get("size")
            width, height = _pair(size)
            return Image(self.channels, height, width)
        if name == "crop":
            box = args[0] if args else kwargs.get("box")
            known = isinstance(box, (tuple, list)) and len(box) == 4 and all(S.is_int(v) for v in box)
            return Image(self.channels, box[3] - box[1] if known else None, box[2] - box[0] if known else None)
        if name in ("copy", "filter", "transpose") or (name == "rotate" and not kwargs.get("expand")):
            return Image(self.channels, self.height, self.width)
        return UNKNOWN

    def attribute(self, interp, name):
        if name == "size":
            return (self.width, self.height) if self.width and self.height else UNKNOWN
        return super().attribute(interp, name)


def _pair(size) -> Tuple[Optional[int], Optional[int]]:
    if isinstance(size, (tuple, list)) and len(size) == 2 and all(S.is_int(v) for v in size):
        return size[0], size[1]
    return None, None


def _chw_of(image, to_tensor: bool) -> Optional[Tuple]:
    """(channels, height, width) of what a transform is given; ToTensor reads an array as H×W×C."""
    if isinstance(image, Image):
        return image.channels, image.height, image.width
    if not isinstance(image, Tensor) or image.shape is None:
        return None
    dims = tuple(d if S.is_int(d) else None for d in image.shape)
    if image.numpy and to_tensor:
        return (dims[2],) + dims[:2] if len(dims) == 3 else (1,) + dims if len(dims) == 2 else None
    return dims if len(dims) == 3 and not image.numpy else None


def _collated(sample, origin: str):
    if isinstance(sample, Tensor):
        return Tensor((S.sym(S.BATCH),) + tuple(sample.shape), origin=origin) if sample.shape is not None else \
            Tensor(None)
    if isinstance(sample, (int, float)):
        return Tensor((S.sym(S.BATCH),), origin=origin)
    if isinstance(sample, (tuple, list)):
        return tuple(_collated(v, origin) for v in sample)
    if isinstance(sample, dict):
        return {k: _collated(v, origin) for k, v in sample.items()}
    return UNKNOWN


def _batched(value, origin: str):
    if isinstance(value, Tensor) and value.shape is not None:
        return Tensor((S.sym(S.BATCH),) + tuple(value.shape), origin=origin)
    return UNKNOWN


def _sample_of(tensor) -> object:
    """One sample of a tensor whose first dim indexes samples."""
    if isinstance(tensor, Tensor) and tensor.shape:
        return Tensor(tuple(tensor.shape[1:]), origin=tensor.origin)
    return UNKNOWN


def tensor_dataset(interp, args, kwargs, node):
    return Dataset(tuple(_sample_of(t) for t in args), origin=_origin(interp, node, "TensorDataset"))


def data_loader(interp, args, kwargs, node):
    dataset = args[0] if args else kwargs.get("dataset", UNKNOWN)
    return Loader(dataset)


def _origin(interp, node, what: str) -> str:
    return f"{what} at {interp.at_line(node.lineno)}" if node is not None else what


def _resize(size):
    def step(chw):
        c, h, w = chw
        if isinstance(size, int):
            if h is None or w is None:
                return c, None, None
            # torchvision: the smaller edge becomes `size`, the aspect ratio is kept
            if h <= w:
                return c, size, max(1, int(size * w / h))
            return c, max(1, int(size * h / w)), size
        if isinstance(size, (tuple, list)) and len(size) == 2 and all(isinstance(v, int) for v in size):
            return c, size[0], size[1]
        return None
    return step


def _crop(size):
    def step(chw):
        c, _, _ = chw
        if isinstance(size, int):
            return c, size, size
        if isinstance(size, (tuple, list)) and len(size) == 2 and all(isinstance(v, int) for v in size):
            return c, size[0], size[1]
        return None
    return step


def _grayscale(channels):
    return lambda chw: (channels, chw[1], chw[2]) if isinstance(channels, int) else None


def _unknown_step(chw):
    return None


def transform(kind: str):
    def build(interp, args, kwargs, node):
        if kind == "Compose":
            steps = args[0] if args else kwargs.get("transforms", UNKNOWN)
            if not isinstance(steps, (list, tuple)):
                return Transform((_unknown_step,))
            out = []
            for s in steps:
                out.extend(s.steps if isinstance(s, Transform) else (_unknown_step,))
            return Transform(tuple(out), any(isinstance(s, Transform) and s.to_tensor for s in steps))
        size = args[0] if args else kwargs.get("size", UNKNOWN)
        if kind in ("Resize", "Scale"):  # Scale: the old name of Resize
            return Transform((_resize(size),))
        if kind in ("CenterCrop", "RandomCrop", "RandomResizedCrop"):
            return Transform((_crop(size),))
        if kind in ("Grayscale", "RandomGrayscale"):
            n = args[0] if args else kwargs.get("num_output_channels", 1)
            return Transform((_grayscale(n) if kind == "Grayscale" else (lambda chw: chw),))
        # ToTensor, Normalize, flips, jitter: shape unchanged
        return Transform((lambda chw: chw,), to_tensor=kind in ("ToTensor", "PILToTensor"))
    return build


_SHAPE_KEEPING = ("ToTensor", "Normalize", "RandomHorizontalFlip", "RandomVerticalFlip", "ColorJitter",
                  "RandomRotation", "RandomAffine", "PILToTensor", "ConvertImageDtype", "ToDtype",
                  "RandomErasing", "AutoAugment", "RandAugment", "TrivialAugmentWide", "Lambda")


def image_folder(interp, args, kwargs, node):
    """ImageFolder: RGB images of the files' sizes, each through the transform it is given."""
    pipeline = args[1] if len(args) > 1 else kwargs.get("transform")
    sample = pipeline.apply(Image(3), _origin(interp, node, "ImageFolder")) if isinstance(pipeline, Transform) \
        else UNKNOWN
    return Dataset((sample, UNKNOWN), origin=_origin(interp, node, "ImageFolder"))


def _open_image(interp, args, kwargs, node):
    return Image()


def _image_from_array(interp, args, kwargs, node):
    array = args[0] if args else kwargs.get("obj")
    shape = array.shape if isinstance(array, Tensor) and array.shape is not None else ()
    dims = [d if S.is_int(d) else None for d in shape]
    if len(dims) == 3:
        return Image(dims[2], dims[0], dims[1])
    return Image(1, dims[0], dims[1]) if len(dims) == 2 else Image()


def dataset(name: str):
    def build(interp, args, kwargs, node):
        chw: Optional[Tuple] = DATASETS[name]
        pipeline = kwargs.get("transform", UNKNOWN)
        if pipeline is None:
            return Dataset((UNKNOWN, UNKNOWN))  # PIL images: not tensors yet
        if not isinstance(pipeline, Transform):
            return Dataset((UNKNOWN, UNKNOWN))
        for step in pipeline.steps:
            chw = step(chw) if chw is not None else None
        if chw is None or not all(isinstance(v, int) for v in chw):
            return Dataset((UNKNOWN, UNKNOWN))
        return Dataset((Tensor(tuple(chw)), UNKNOWN), origin=f"{name} at {interp.at_line(node.lineno)}" if node else name)
    return build


@dataclass(eq=False)
class DataFrame(AbstractObject):
    """A pandas DataFrame as its (rows, columns), with the column names when the code gives them.
    Without names, a change in place (``df[c] = ...``, ``insert``) makes the column count unknown:
    a column may be new or replaced, and guessing would invent errors."""

    rows: object
    columns: object
    names: Optional[Tuple] = None

    def call_method(self, interp, name, args, kwargs, node):
        if name == "to_numpy":
            return self.array()
        if name in ("astype", "copy", "fillna", "reset_index"):
            return self
        if name == "drop":
            return self.drop(args, kwargs)
        if name == "__getitem__" and args and isinstance(args[0], str):
            return Series(self.rows)
        if name == "__getitem__" and args and isinstance(args[0], list):
            return DataFrame(self.rows, len(args[0]), tuple(args[0]))
        if name == "insert" and len(args) >= 2:
            self._add(args[1])
        elif name == "__setitem__" and args:
            self._add(args[0])
        elif name not in _READ_ONLY:  # assign, pop, rename...: the columns may have changed
            self.columns, self.names = UNKNOWN, None
        return UNKNOWN

    def _add(self, column) -> None:
        if self.names is None or not isinstance(column, str) or not S.is_int(self.columns):
            self.columns, self.names = UNKNOWN, None
        elif column not in self.names:
            self.columns, self.names = self.columns + 1, self.names + (column,)

    def attribute(self, interp, name):
        if name == "values":
            return self.array()
        if name == "shape":
            return (self.rows, self.columns)
        if name == "iloc":
            return _ILoc(self)
        return super().attribute(interp, name)

    def array(self) -> Tensor:
        return Tensor((_dim(self.rows), _dim(self.columns)), numpy=True)

    def drop(self, args, kwargs) -> "DataFrame":
        columns = kwargs.get("columns", args[0] if args and kwargs.get("axis", 0) in (1, "columns") else None)
        if columns is None:
            return DataFrame(UNKNOWN, self.columns, self.names)  # rows dropped: count unknown
        dropped = tuple(columns) if isinstance(columns, (list, tuple)) else (columns,)
        if self.names is None or not all(c in self.names for c in dropped):
            return DataFrame(self.rows, UNKNOWN)
        kept = tuple(c for c in self.names if c not in dropped)
        return DataFrame(self.rows, len(kept), kept)


@dataclass(eq=False)
class Series(AbstractObject):
    rows: object

    def call_method(self, interp, name, args, kwargs, node):
        if name == "to_numpy":
            return Tensor((_dim(self.rows),), numpy=True)
        return self if name in ("astype", "copy", "fillna") else UNKNOWN

    def attribute(self, interp, name):
        if name == "values":
            return Tensor((_dim(self.rows),), numpy=True)
        return super().attribute(interp, name)


def _int_slice(part: slice) -> bool:
    return all(v is None or S.is_int(v) for v in (part.start, part.stop, part.step)) and part.step != 0


@dataclass(eq=False)
class _ILoc(AbstractObject):
    frame: DataFrame

    def call_method(self, interp, name, args, kwargs, node):
        if name != "__getitem__" or not args:
            return UNKNOWN
        key = args[0]
        if isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], slice) and _int_slice(key[1]):
            columns = self.frame.columns
            width = length(range(columns)[key[1]]) if S.is_int(columns) else UNKNOWN
            return DataFrame(self.frame.rows, width)
        return UNKNOWN


_READ_ONLY = {"__getitem__", "head", "tail", "describe", "info", "sum", "mean", "count", "nunique", "isnull",
              "isna", "value_counts", "corr", "max", "min", "std", "groupby"}


def _dim(value):
    return value if S.is_int(value) else S.unknown()


def data_frame(interp, args, kwargs, node):
    data = args[0] if args else kwargs.get("data", UNKNOWN)
    columns = kwargs.get("columns")
    names = tuple(columns) if isinstance(columns, (list, tuple)) and all(isinstance(c, str) for c in columns) \
        else None
    if isinstance(data, Tensor) and data.shape is not None and len(data.shape) == 2:
        if names is not None and S.same(data.shape[1], len(names)) is False:
            names = None
        return DataFrame(data.shape[0], data.shape[1], names)
    return DataFrame(UNKNOWN, UNKNOWN)


def read_table(interp, args, kwargs, node):
    return DataFrame(UNKNOWN, UNKNOWN)


@dataclass(eq=False)
class ArgumentParser(AbstractObject):
    """argparse as the script runs with no arguments: each option holds its default."""

    defaults: Dict[str, object] = field(default_factory=dict)

    def call_method(self, interp, name, args, kwargs, node):
        if name == "add_argument":
            flags = [a for a in args if isinstance(a, str)]
            long = next((f for f in flags if f.startswith("--")), flags[0] if flags else "")
            dest = kwargs.get("dest") or long.lstrip("-").replace("-", "_")
            if dest:
                default = kwargs.get("default", False if kwargs.get("action") == "store_true" else None)
                self.defaults[dest] = UNKNOWN if kwargs.get("required") else _converted(default, kwargs.get("type"))
            return UNKNOWN
        if name in ("parse_args", "parse_known_args"):
            namespace = Namespace(dict(self.defaults))
            return namespace if name == "parse_args" else (namespace, [])
        return UNKNOWN


def _converted(default, kind):
    """argparse passes a string default through ``type`` (``default="20", type=int`` is 20)."""
    name = getattr(kind, "name", None)
    if not isinstance(default, str) or name not in ("int", "float"):
        return default
    try:
        return int(default) if name == "int" else float(default)
    except ValueError:
        return UNKNOWN  # argparse would stop the program: nothing is known


@dataclass(eq=False)
class Namespace(AbstractObject):
    values: Dict[str, object]

    def attribute(self, interp, name):
        return self.values.get(name, UNKNOWN)


def summary(batch_included: bool):
    """torchsummary.summary(model, (3, 32, 32)) and torchinfo.summary(model, input_size=(64, 3, 32, 32))
    state the input size: check the model on it."""
    def call(interp, args, kwargs, node):
        model = args[0] if args else kwargs.get("model", UNKNOWN)
        size = args[1] if len(args) > 1 else kwargs.get("input_size", UNKNOWN)
        if isinstance(size, list) and batch_included:
            size = tuple(size)
        if not isinstance(size, tuple) or not size or not all(S.is_int(v) and v > 0 for v in size):
            return UNKNOWN
        dims = size if batch_included else (2,) + size
        what = "torchinfo.summary" if batch_included else "torchsummary.summary"
        interp.checker.script_call(model, [Tensor(dims)], {}, node, source=f"{what} at {interp.at_line(node.lineno)}")
        return UNKNOWN
    return call


@dataclass(eq=False)
class LoadedData(AbstractObject):
    """What ``pickle.load`` or ``np.load`` read from a file: a dict of arrays (a CIFAR batch, an
    .npz) or an array, of unknown shapes.  The code that follows often spells the layout out
    (``batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)``): the trailing dims are then
    known and the first is the batch."""

    def call_method(self, interp, name, args, kwargs, node):
        if name == "__getitem__":
            return _unknown_array()
        return interp.call_method(_unknown_array(), name, args, kwargs, node)

    def attribute(self, interp, name):
        if name in ("shape", "ndim", "T", "size", "dtype"):
            return UNKNOWN
        return super().attribute(interp, name)


def _unknown_array() -> Tensor:
    return Tensor(None, numpy=True)


def _from_file(interp, args, kwargs, node):
    """np.fromfile: a flat array of unknown length (STL-10's binaries, raw MNIST files)."""
    return Tensor((S.unknown(),), numpy=True)


@dataclass(eq=False)
class Trainer(AbstractObject):
    """A Lightning Trainer: ``fit(model, datamodule=dm)`` runs ``model.training_step`` on the
    batches of ``dm.train_dataloader()`` (after ``dm.setup("fit")``), or of the loader it is given;
    ``validate``/``test``/``predict`` their own steps and loaders."""

    def call_method(self, interp, name, args, kwargs, node):
        stage = _STAGES.get(name)
        if stage is None:
            return UNKNOWN
        model = args[0] if args else kwargs.get("model", UNKNOWN)
        step, loader_name, keyword = stage
        loader = args[1] if len(args) > 1 else kwargs.get(keyword, kwargs.get("dataloaders", UNKNOWN))
        datamodule = kwargs.get("datamodule", loader if isinstance(loader, Instance) else UNKNOWN)
        if isinstance(datamodule, Instance):  # trainer.fit(model, datamodule=dm) or trainer.fit(model, dm)
            interp.call(interp.get_attribute(datamodule, "setup"), [name], {}, node)
            loader = interp.call(interp.get_attribute(datamodule, loader_name), [], {}, node)
        batches = interp.iterate(loader) if loader is not UNKNOWN else UNKNOWN
        if batches is UNKNOWN or not batches:
            return UNKNOWN
        interp.call(interp.get_attribute(model, step), [batches[0], 0], {}, node)
        return UNKNOWN


# trainer method -> (the model's step, the DataModule's loader, the keyword that gives a loader)
_STAGES = {"fit": ("training_step", "train_dataloader", "train_dataloaders"),
           "validate": ("validation_step", "val_dataloader", "dataloaders"),
           "test": ("test_step", "test_dataloader", "dataloaders"),
           "predict": ("predict_step", "predict_dataloader", "dataloaders")}


CALLS = {
    "argparse.ArgumentParser": lambda interp, args, kwargs, node: ArgumentParser(),
    "pandas.DataFrame": data_frame,
    "pandas.read_csv": read_table,
    "pandas.read_parquet": read_table,
    "pandas.read_excel": read_table,
    "torchsummary.summary": summary(batch_included=False),
    "torchinfo.summary": summary(batch_included=True),
    "pickle.load": lambda interp, args, kwargs, node: LoadedData(),
    "pickle.loads": lambda interp, args, kwargs, node: LoadedData(),
    "numpy.load": lambda interp, args, kwargs, node: LoadedData(),
    "numpy.fromfile": _from_file,
    "PIL.Image.open": _open_image,
    "PIL.Image.fromarray": _image_from_array,
    "torchvision.datasets.ImageFolder": image_folder,
    "torchvision.datasets.folder.ImageFolder": image_folder,
    "torch.utils.data.TensorDataset": tensor_dataset,
    "torch.utils.data.dataset.TensorDataset": tensor_dataset,
    "torch.utils.data.DataLoader": data_loader,
    "torch.utils.data.dataloader.DataLoader": data_loader,
}
for _prefix in ("torchvision.transforms", "torchvision.transforms.v2"):
    for _kind in ("Compose", "Resize", "Scale", "CenterCrop", "RandomCrop", "RandomResizedCrop", "Grayscale",
                  "RandomGrayscale") + _SHAPE_KEEPING:
        CALLS[f"{_prefix}.{_kind}"] = transform(_kind)
for _name in DATASETS:
    CALLS[f"torchvision.datasets.{_name}"] = dataset(_name)
for _package in ("lightning", "lightning.pytorch", "pytorch_lightning"):
    CALLS[f"{_package}.Trainer"] = lambda interp, args, kwargs, node: Trainer()
