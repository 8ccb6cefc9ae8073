"""How fast shapecheck is, each figure as a ratio against a peer timed on the same machine in the
same run (absolute times differ from machine to machine; the ratios travel):

1. cold start: `shapecheck examples/cifar_cnn.py` in a fresh interpreter, against
   `python -c "import torch"`;
2. a whole tree, with the default settings of both tools: shapecheck against flake8 over the
   installed torch package's .py files, over a generated tree of model files, and over a generated
   project whose models live in packages and are built and fed by training scripts that import them
   (each model checked with the input its script gives it);
3. the runtime mode on ResNet-50 (benchmarks/resnet50.py, input 1×3×224×224), on `meta` and `cpu`,
   against torchinfo.summary building and running the same model; torch is imported once first;
4. `--diff` on one big file (about 830 KB: one fixable bug among correct models), against a plain
   check of the same file: fixing must cost a few checks of the file, not more.

Each figure is the median of several runs, the two tools' runs interleaved.  shapecheck runs with
an empty cache each time (the `warm cache` rows show a second run over the same tree).  The README
quotes the last figures.

    python benchmarks/bench.py [--runs 5] [--tree-runs 3] [--runtime-runs 15] [--only cold,torch,models,project,runtime,diff]
                               [--diff-kb 830] [--json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
RESNET50 = Path(__file__).resolve().parent / "resnet50.py"
RESNET50_INPUT = (1, 3, 224, 224)
ROWS = ("cold", "torch", "models", "project", "runtime", "diff")


@dataclass
class Row:
    name: str
    shapecheck_s: Optional[float]
    peer: str
    peer_s: Optional[float]
    target: Optional[float]  # the largest acceptable ratio; None for rows shown for information
    runs: int
    note: str = ""
    samples: dict = field(default_factory=dict)

    @property
    def ratio(self) -> Optional[float]:
        if self.shapecheck_s is None or not self.peer_s:
            return None
        return self.shapecheck_s / self.peer_s

    @property
    def met(self) -> Optional[bool]:
        return None if self.target is None or self.ratio is None else self.ratio <= self.target


# Subprocess timing

def child_env(cache_dir: Optional[Path] = None) -> dict:
    """The environment of the timed commands: bytecode may be written (an installed package has its
    .pyc files), colours off, and shapecheck's cache where the benchmark says."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["NO_COLOR"] = "1"
    if cache_dir is not None:
        env["SHAPECHECK_CACHE_DIR"] = str(cache_dir)
    return env


def timed(command: Sequence[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    return time.perf_counter() - started


def shapecheck_command() -> List[str]:
    script = Path(sys.executable).with_name("shapecheck")
    return [str(script)] if script.exists() else [sys.executable, "-m", "shapecheck"]


def interleaved(runs: int, ours: Callable[[], float], peer: Callable[[], float]):
    """Medians of ``runs`` alternating runs of each, and every sample."""
    mine, theirs = [], []
    for _ in range(runs):
        mine.append(ours())
        theirs.append(peer())
    return statistics.median(mine), statistics.median(theirs), {"shapecheck": mine, "peer": theirs}


def with_fresh_cache(command: Sequence[str]) -> Callable[[], float]:
    def run() -> float:
        cache = Path(tempfile.mkdtemp(prefix="shapecheck-bench-cache-"))
        try:
            return timed(command, child_env(cache))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    return run


def prepare() -> None:
    """Byte-compile shapecheck once, as an installed package is, so no timed run compiles it."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "shapecheck")],
                   stdout=subprocess.DEVNULL, env=child_env())


def read_all(folder: Path) -> int:
    """Read every .py file once, so that neither tool pays for a cold disk cache."""
    count = 0
    for path in folder.rglob("*.py"):
        path.read_bytes()
        count += 1
    return count


# 1. cold start

def cold_start(runs: int) -> Row:
    example = "examples/cifar_cnn.py"
    ours = with_fresh_cache(shapecheck_command() + [example])
    peer = lambda: timed([sys.executable, "-c", "import torch"], child_env())  # noqa: E731
    ours(), peer()  # warm-up: the OS file cache
    mine, theirs, samples = interleaved(runs, ours, peer)
    return Row(f"cold start: shapecheck {example}", mine, 'python -c "import torch"', theirs, 0.15, runs,
               samples=samples)


# 2. a whole tree

def tree_rows(name: str, folder: Path, runs: int) -> List[Row]:
    files = read_all(folder)
    command = shapecheck_command() + [str(folder)]
    flake8 = lambda: timed([sys.executable, "-m", "flake8", str(folder)], child_env())  # noqa: E731
    mine, theirs, samples = interleaved(runs, with_fresh_cache(command), flake8)
    rows = [Row(f"tree: {name} ({files} files)", mine, "flake8", theirs, 0.5, runs, samples=samples)]
    cache = Path(tempfile.mkdtemp(prefix="shapecheck-bench-cache-"))
    try:
        timed(command, child_env(cache))
        warm = [timed(command, child_env(cache)) for _ in range(runs)]
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    rows.append(Row(f"tree: {name}, warm cache", statistics.median(warm), "flake8", theirs, None, runs,
                    note="a second run over the unchanged tree", samples={"shapecheck": warm}))
    return rows


def torch_folder() -> Optional[Path]:
    spec = importlib.util.find_spec("torch")
    return Path(spec.origin).parent if spec and spec.origin else None


CIFAR_CNN = '''"""A {blocks}-block CNN for {size}x{size} {dataset} images."""
import torch
import torch.nn as nn

model = nn.Sequential(
{layers}
    nn.Flatten(),
    nn.Linear({features}, {hidden}),
    nn.ReLU(),
    nn.Dropout({dropout}),
    nn.Linear({hidden}, {classes}),
)

if __name__ == "__main__":
    images = torch.randn({batch}, {channels}, {size}, {size})
    print(model(images).shape)
'''

LENET = '''import torch
import torch.nn as nn
import torch.nn.functional as F


# shapecheck: input=(B, {channels}, {size}, {size})
class LeNet{index}(nn.Module):
    def __init__(self, num_classes={classes}):
        super().__init__()
        self.conv1 = nn.Conv2d({channels}, {c1}, {k})
        self.conv2 = nn.Conv2d({c1}, {c2}, {k})
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear({c2} * {side} * {side}, {h1})
        self.fc2 = nn.Linear({h1}, {h2})
        self.fc3 = nn.Linear({h2}, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, {c2} * {view_side} * {view_side})
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def train(model, loader, epochs={epochs}, lr={lr}):
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(epochs):
        model.train()
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            loss = criterion(model(images), labels)
            loss.backward()
            optimizer.step()
    return model
'''

RESNET = '''"""A small ResNet for {size}x{size} inputs: {stages} stages of BasicBlocks."""
import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d({bn2})
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + self.shortcut(x))


class ResNet{index}(nn.Module):
    def __init__(self, num_classes={classes}):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, {width}, 3, padding=1, bias=False), nn.BatchNorm2d({width}), nn.ReLU())
        blocks = []
        in_planes = {width}
        for i, planes in enumerate({widths}):
            blocks.append(BasicBlock(in_planes, planes, stride=1 if i == 0 else 2))
            in_planes = planes
        self.blocks = nn.Sequential(*blocks)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear({fc_in}, num_classes)

    def forward(self, x):
        x = self.blocks(self.stem(x))
        x = torch.flatten(self.pool(x), 1)
        return self.fc(x)


if __name__ == "__main__":
    net = ResNet{index}()
    print(net(torch.randn({batch}, 3, {size}, {size})).shape)
'''


def cifar_cnn(rng: random.Random, index: int, buggy: bool) -> str:
    size = rng.choice([28, 32, 64, 96])
    channels = 1 if size == 28 else 3
    blocks = rng.randint(2, 4 if size >= 64 else 3)
    widths = [rng.choice([16, 32, 48, 64]) * 2 ** i for i in range(blocks)]
    lines, previous = [], channels
    for width in widths:
        lines.append(f"    nn.Conv2d({previous}, {width}, 3, padding=1), nn.BatchNorm2d({width}), nn.ReLU(), "
                     "nn.MaxPool2d(2),")
        previous = width
    side = size // 2 ** (blocks - 1 if buggy else blocks)
    return CIFAR_CNN.format(blocks=blocks, size=size, dataset="RGB" if channels == 3 else "grey",
                            layers="\n".join(lines), features=f"{widths[-1]} * {side} * {side}",
                            hidden=rng.choice([128, 256, 512]), dropout=rng.choice([0.25, 0.5]),
                            classes=rng.choice([10, 100]), batch=rng.choice([8, 32, 64]), channels=channels)


def lenet(rng: random.Random, index: int, buggy: bool) -> str:
    size, k = rng.choice([(28, 5), (32, 5), (32, 3), (64, 5)])
    side = ((size - k + 1) // 2 - k + 1) // 2
    return LENET.format(index=index, channels=rng.choice([1, 3]), size=size, k=k, c1=rng.choice([6, 8, 16]),
                        c2=rng.choice([16, 32]), side=side, view_side=side + 1 if buggy else side,
                        h1=rng.choice([120, 256]), h2=rng.choice([84, 128]), classes=rng.choice([10, 47]),
                        epochs=rng.randint(2, 20), lr=rng.choice([0.1, 0.01, 0.001]))


def resnet(rng: random.Random, index: int, buggy: bool) -> str:
    width = rng.choice([16, 32, 64])
    stages = rng.randint(2, 4)
    widths = [width * 2 ** i for i in range(stages)]
    return RESNET.format(index=index, size=rng.choice([32, 64]), stages=stages, width=width, widths=widths,
                         bn2="in_planes" if buggy else "planes", fc_in=widths[-1], classes=rng.choice([10, 100]),
                         batch=rng.choice([2, 16]))


TEMPLATES = (cifar_cnn, lenet, resnet)


def generate_models(folder: Path, count: int, seed: int = 8) -> Path:
    """``count`` model files in folders of 100, one in eight with a shape bug."""
    rng = random.Random(seed)
    for index in range(count):
        template = TEMPLATES[index % len(TEMPLATES)]
        package = folder / f"project_{index // 100:02d}"
        package.mkdir(parents=True, exist_ok=True)
        source = template(rng, index, buggy=rng.random() < 0.125)
        (package / f"{template.__name__}_{index:04d}.py").write_text(source)
    return folder


PROJECT_BLOCKS = '''"""Blocks shared by the networks of this experiment."""
import torch.nn as nn


def conv_block(in_channels, out_channels):
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.BatchNorm2d(out_channels),
                         nn.ReLU(), nn.MaxPool2d(2))


class Head(nn.Module):
    def __init__(self, features, num_classes):
        super().__init__()
        self.fc1 = nn.Linear(features, 256)
        self.fc2 = nn.Linear(256, num_classes)

    def forward(self, x):
        return self.fc2(self.fc1(x.flatten(1)).relu())
'''

PROJECT_CONFIG = '''IMAGE_SIZE = {size}
NUM_CLASSES = {classes}
BATCH_SIZE = {batch}
WIDTHS = {widths}
'''

PROJECT_MODEL = '''"""Network {index} of this experiment, for IMAGE_SIZE x IMAGE_SIZE images."""
import torch.nn as nn

from .blocks import Head, conv_block
from .config import WIDTHS


class Net{index}(nn.Module):
    def __init__(self, num_classes, in_channels=3):
        super().__init__()
        layers, previous = [], in_channels
        for width in WIDTHS:
            layers.append(conv_block(previous, width))
            previous = width
        self.features = nn.Sequential(*layers)
        self.head = Head({features}, num_classes)

    def forward(self, x):
        return self.head(self.features(x))
'''

PROJECT_TRAIN = '''"""Train one network of {package} on CIFAR-10, resized to the experiment's IMAGE_SIZE."""
import argparse

import torch
from torch.utils.data import DataLoader
from torchvision import datasets, transforms

from {package} import {nets}
from {package}.config import BATCH_SIZE, IMAGE_SIZE, NUM_CLASSES

NETWORKS = {{{table}}}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--arch", default="{arch}", choices=sorted(NETWORKS))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args()
    transform = transforms.Compose([transforms.Resize((IMAGE_SIZE, IMAGE_SIZE)), transforms.ToTensor()])
    loader = DataLoader(datasets.CIFAR10("data", train=True, download=True, transform=transform),
                        batch_size=BATCH_SIZE, shuffle=True)
    model = NETWORKS[args.arch](num_classes=NUM_CLASSES)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    for epoch in range(args.epochs):
        for images, labels in loader:
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()


if __name__ == "__main__":
    main()
'''

PROJECT_EVALUATE = '''import torch

from {package}.config import IMAGE_SIZE, NUM_CLASSES
from {package}.{module} import {net}

model = {net}(num_classes=NUM_CLASSES)
model.eval()
with torch.no_grad():
    print(model(torch.randn(1, 3, IMAGE_SIZE, IMAGE_SIZE)).argmax(1))
'''

NETS_PER_PACKAGE = 16  # with __init__.py, blocks.py, config.py and the two scripts: 21 files per experiment


def generate_project(folder: Path, count: int, seed: int = 13) -> Path:
    """A project of about ``count`` files that splits models from training, as repositories do:
    experiments, each a package of shared blocks, a config of constants and 16 networks re-exported
    by its ``__init__``, with a training script that builds the one its ``--arch`` default names
    and feeds it CIFAR images, and an evaluation script that builds another; one network in eight
    has a wrong Linear (found where a script builds it, or for the input sizes its layers allow)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text("[project]\nname = 'experiments'\n")
    for experiment in range(max(count // (NETS_PER_PACKAGE + 5), 1)):
        package = f"exp_{experiment:03d}"
        (folder / package).mkdir(parents=True)
        (folder / package / "blocks.py").write_text(PROJECT_BLOCKS)
        size, widths = rng.choice([32, 64]), [rng.choice([16, 32]) * 2 ** i for i in range(rng.randint(2, 3))]
        (folder / package / "config.py").write_text(PROJECT_CONFIG.format(
            size=size, classes=rng.choice([10, 100]), batch=rng.choice([32, 128]), widths=widths))
        nets = [f"Net{index}" for index in range(NETS_PER_PACKAGE)]
        for index, net in enumerate(nets):
            side = size // 2 ** (len(widths) - (rng.random() < 0.125))
            (folder / package / f"net_{index}.py").write_text(
                PROJECT_MODEL.format(index=index, features=f"{widths[-1]} * {side} * {side}"))
        (folder / package / "__init__.py").write_text(
            "".join(f"from .net_{index} import {net}\n" for index, net in enumerate(nets)))
        table = ", ".join(f'"{net.lower()}": {net}' for net in nets)
        (folder / f"train_{package}.py").write_text(PROJECT_TRAIN.format(
            package=package, nets=", ".join(nets), table=table, arch=rng.choice(nets).lower()))
        evaluated = rng.randrange(NETS_PER_PACKAGE)
        (folder / f"evaluate_{package}.py").write_text(PROJECT_EVALUATE.format(
            package=package, module=f"net_{evaluated}", net=nets[evaluated]))
    return folder


# 3. the runtime mode

def runtime_call(tool: str, device: str) -> Callable[[], float]:
    """One timed build-and-run of ResNet-50: shapecheck's runtime mode on the file, or torchinfo on
    the class; torch is imported before, not timed."""
    import torch

    if tool == "shapecheck":
        from shapecheck.runtime import run as runtime

        source, request = RESNET50.read_text(), [runtime.RuntimeRequest("ResNet50", RESNET50_INPUT)]

        def call() -> float:
            started = time.perf_counter()
            outcome = runtime.run_file(str(RESNET50), source, request, device=device)
            if outcome[0].status != "ok":
                raise RuntimeError(f"ResNet-50 did not run on {device}: {outcome[0].message}")
            return time.perf_counter() - started
        return call

    import torchinfo

    sys.path.insert(0, str(RESNET50.parent))
    import resnet50

    def call() -> float:
        started = time.perf_counter()
        with torch.device(device):
            model = resnet50.ResNet50()
        torchinfo.summary(model, input_size=RESNET50_INPUT, device=device, verbose=0)
        return time.perf_counter() - started
    return call


def first_call(tool: str, device: str) -> float:
    """The call in a fresh process that has just imported torch: what one `--runtime` run pays,
    torch's lazy imports included."""
    run = subprocess.run([sys.executable, __file__, "--first-call", tool, device], capture_output=True, text=True,
                         env=child_env(), cwd=ROOT)
    return float(run.stdout.split()[-1]) if run.returncode == 0 else float("nan")


def runtime_rows(runs: int) -> List[Row]:
    has_torchinfo = importlib.util.find_spec("torchinfo") is not None
    rows = []
    for device in ("meta", "cpu"):
        name = f"runtime: ResNet-50 on {device}"
        ours = runtime_call("shapecheck", device)
        if not has_torchinfo:
            ours()
            mine = statistics.median([ours() for _ in range(runs)])
            rows.append(Row(name, mine, "torchinfo.summary", None, 1.0, runs,
                            note="torchinfo is not installed (pip install torchinfo): no ratio"))
            continue
        peer = runtime_call("torchinfo", device)
        ours(), peer()  # the first call in a process pays torch's lazy imports: measured apart, below
        mine, theirs, samples = interleaved(runs, ours, peer)
        firsts = first_call("shapecheck", device), first_call("torchinfo", device)
        rows.append(Row(name, mine, "torchinfo.summary", theirs, 1.0, runs, samples=samples,
                        note=f"first call in a fresh process after import torch: {firsts[0]:.2f} s vs "
                             f"{firsts[1]:.2f} s"))
    return rows


# The report

# 4. --diff on a big file

def big_fixable_file(folder: Path, kilobytes: int) -> Path:
    """One wrong Linear, then copies of a correct CNN up to ``kilobytes``."""
    bug = (ROOT / "examples" / "buggy" / "cifar_wrong_linear.py").read_text(encoding="utf-8")
    correct = (ROOT / "examples" / "cifar_cnn.py").read_text(encoding="utf-8")
    parts, size = [bug], len(bug)
    while size < kilobytes * 1000:
        parts.append(correct.replace("model", f"model{len(parts)}"))
        size += len(parts[-1]) + 1
    path = folder / "big_model_file.py"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def diff_row(runs: int, kilobytes: int) -> Row:
    with tempfile.TemporaryDirectory(prefix="shapecheck-bench-diff-") as tmp:
        path = big_fixable_file(Path(tmp), kilobytes)
        size = path.stat().st_size
        check = shapecheck_command() + ["--no-cache", str(path)]
        ours = lambda: timed(check + ["--diff"], child_env())  # noqa: E731
        peer = lambda: timed(check, child_env())  # noqa: E731
        mine, theirs, samples = interleaved(runs, ours, peer)
    return Row(f"--diff on one {size // 1000} KB file", mine, "a plain check of it", theirs, 4.0, runs,
               note="the fix path re-checks the file after each round", samples=samples)


def machine() -> dict:
    def version(name: str) -> str:
        from importlib import metadata

        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "shapecheck": version("shapecheck"), "torch": version("torch"), "flake8": version("flake8"),
            "torchinfo": version("torchinfo"), "load_average": list(os.getloadavg())}


def table(rows: Sequence[Row], about: dict) -> str:
    def seconds(value: Optional[float]) -> str:
        return "—" if value is None else f"{value:.2f}"

    header = ("", "shapecheck s", "peer", "peer s", "ratio", "target", "")
    body = []
    for row in rows:
        ratio = "—" if row.ratio is None else f"{row.ratio:.2f}×"
        target = "" if row.target is None else f"≤ {row.target:g}×"
        verdict = {True: "met", False: "NOT met", None: ""}[row.met]
        body.append((row.name, seconds(row.shapecheck_s), row.peer, seconds(row.peer_s), ratio, target, verdict))
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    right = {1, 3, 4}
    lines = ["  ".join(cell.rjust(w) if i in right else cell.ljust(w) for i, (cell, w) in
                       enumerate(zip(line, widths))).rstrip() for line in [header, *body]]
    lines.insert(1, "-" * len(lines[0]))
    notes = [f"  {row.name}: {row.note}" for row in rows if row.note]
    load = ", ".join(f"{x:.1f}" for x in about["load_average"])
    lines += ["", f"{about['cpus']} CPUs, {about['platform']}, Python {about['python']}, torch {about['torch']}, "
                  f"flake8 {about['flake8']}, torchinfo {about['torchinfo']}; load average at the start {load}",
              "medians of interleaved runs (runs per row: " +
              ", ".join(f"{row.runs}" for row in rows) + ")"]
    return "\n".join(lines + (["notes:"] + notes if notes else []))


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument("--tree-runs", type=int, default=3,
                        help="runs per figure for the whole trees, where flake8 takes minutes (default 3)")
    parser.add_argument("--runtime-runs", type=int, default=15,
                        help="runs per runtime figure: a fraction of a second each, and noisy (default 15)")
    parser.add_argument("--only", default=",".join(ROWS), help=f"rows to measure, of {','.join(ROWS)}")
    parser.add_argument("--files", type=int, default=2000, help="model files in the generated tree")
    parser.add_argument("--diff-kb", type=int, default=830, help="size of the big file of the diff row")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    parser.add_argument("--first-call", nargs=2, metavar=("TOOL", "DEVICE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.first_call:
        print(runtime_call(*args.first_call)())
        return 0
    only = set(args.only.split(","))
    about = machine()
    prepare()
    rows: List[Row] = []
    if "cold" in only:
        rows.append(cold_start(args.runs))
    if "torch" in only:
        folder = torch_folder()
        if folder is None:
            rows.append(Row("tree: torch package", None, "flake8", None, 0.5, 0, note="torch is not installed"))
        else:
            rows += tree_rows("the torch package", folder, args.tree_runs)
    if "models" in only:
        with tempfile.TemporaryDirectory(prefix="shapecheck-bench-models-") as tmp:
            rows += tree_rows(f"{args.files} generated model files",
                              generate_models(Path(tmp), args.files), args.tree_runs)
    if "project" in only:
        with tempfile.TemporaryDirectory(prefix="shapecheck-bench-project-") as tmp:
            rows += tree_rows(f"a generated project of {args.files} files (models in packages, trained by scripts "
                              "that import them)", generate_project(Path(tmp), args.files), args.tree_runs)
    if "runtime" in only:
        rows += runtime_rows(args.runtime_runs)
    if "diff" in only:
        rows.append(diff_row(args.runs, args.diff_kb))
    if args.json:
        out = {"machine": about, "command": "python benchmarks/bench.py " + " ".join(argv or sys.argv[1:]),
               "rows": [dict(asdict(r), ratio=r.ratio, met=r.met) for r in rows]}
        print(json.dumps(out, indent=2))
    else:
        print(table(rows, about))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
