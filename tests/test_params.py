"""The parameter counts of the model summary equal what torch counts on the real model."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from shapecheck.api import check_path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORRECT = [p for p in sorted((ROOT / "tests" / "fixtures").glob("*.py")) if "# expect:" not in p.read_text()]
CORRECT += sorted((ROOT / "examples").glob("*.py"))


def real_model(namespace: dict, name: str):
    value = namespace.get(name)
    if isinstance(value, torch.nn.Module):
        return value
    if isinstance(value, type) and issubclass(value, torch.nn.Module):
        instances = [v for v in namespace.values() if isinstance(v, value)]
        if instances:
            return instances[0]
        try:
            return value()
        except TypeError:  # built with arguments somewhere torch's namespace does not show
            return None
    if callable(value):
        return value()
    return None  # e.g. a factory's result bound only to a local name


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.name)
def test_summary_parameter_total_matches_torch(path: Path, monkeypatch) -> None:
    result = check_path(str(path))
    models = [m for m in result.models if m.params is not None]
    if not models:
        pytest.skip("no model with a known parameter count")
    torch.set_num_threads(1)
    monkeypatch.setattr(sys, "argv", [str(path)])
    namespace = runpy.run_path(str(path), run_name="__main__")  # builds the models as the file does
    compared = 0
    for report in models:
        model = real_model(namespace, report.name)
        if model is None:
            continue
        assert report.params == sum(p.numel() for p in model.parameters()), report.name
        compared += 1
    if not compared:
        pytest.skip("the models are built where the namespace does not show them")
