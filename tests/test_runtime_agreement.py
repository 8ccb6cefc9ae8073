"""Static and runtime agree, layer by layer, on every fixture model (runtime mode on cpu and meta).

A disagreement (SHP902) means a static rule is wrong; the suite keeps the count at zero.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("torch")

from shapecheck.api import check_source  # noqa: E402
from shapecheck.runtime.compare import compare_file, concrete_input, dim_at_batch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted((ROOT / "tests" / "fixtures").glob("*.py")) + sorted((ROOT / "examples").rglob("*.py"))


def runtime_result(path: Path, device: str):
    source = path.read_text(encoding="utf-8")
    result = check_source(source, str(path))
    compare_file(result, source, device, "float32")
    return result


@pytest.mark.parametrize("device", ["cpu", "meta"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_static_and_runtime_agree(path: Path, device: str) -> None:
    result = runtime_result(path, device)
    disagreements = [d.message for d in result.diagnostics if d.code == "SHP902"]
    assert disagreements == []
    buggy = "# expect:" in path.read_text(encoding="utf-8") or "buggy" in path.parts
    for model in result.models:
        if concrete_input(model) is None or model.runtime["status"] == "unknown":
            continue
        if not buggy:
            assert model.runtime["status"] == "ok", model.runtime["message"]
            ran = [layer for layer in model.runtime["layers"] if layer["kind"] not in ("Sequential", "ModuleList")]
            assert [layer.name for layer in model.layers] == [layer["name"] for layer in ran]
            batch = concrete_input(model)[0]
            static = [tuple(dim_at_batch(d, batch) for d in layer.output_shape) for layer in model.layers]
            assert static == [tuple(layer["output_shape"]) for layer in ran]


def test_a_buggy_model_fails_at_runtime_where_the_static_pass_points() -> None:
    result = runtime_result(ROOT / "examples" / "buggy" / "cifar_wrong_linear.py", "cpu")
    (static,) = result.diagnostics  # torch raised at the static finding's line: one finding, confirmed
    assert (static.code, static.span.line, static.confirmed_on) == ("SHP101", 9, "cpu")
    assert static.message.endswith("; torch on cpu raised too: mat1 and mat2 shapes cannot be multiplied "
                                   "(2x1024 and 4096x10)")
