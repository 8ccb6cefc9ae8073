"""The static path never imports torch and never executes the code it analyses."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HOSTILE = '''
import os
import torch
import torch.nn as nn

open({marker!r}, "w").write("the top level ran")
raise SystemExit("the top level ran")

model = nn.Sequential(nn.Conv2d(3, 16, 3), nn.Flatten(), nn.Linear(10, 2))
model(torch.randn(1, 3, 8, 8))

if __name__ == "__main__":
    os.remove({victim!r})
'''


def test_analysing_a_file_runs_none_of_it(tmp_path: Path) -> None:
    marker, victim = tmp_path / "ran.txt", tmp_path / "keep.txt"
    victim.write_text("precious")
    script = tmp_path / "hostile.py"
    script.write_text(HOSTILE.format(marker=str(marker), victim=str(victim)))
    run = subprocess.run([sys.executable, "-m", "shapecheck", str(script)], capture_output=True, text=True,
                         cwd=ROOT)
    assert not marker.exists()
    assert victim.read_text() == "precious"
    # the analysis went on past the statements it must not run: 16×6×6 = 576 features, not 10
    assert "SHP101" in run.stdout and "576" in run.stdout, run.stdout + run.stderr
    assert run.returncode == 1


def test_a_static_run_does_not_import_torch(tmp_path: Path) -> None:
    probe = textwrap.dedent(f"""
        import sys
        from shapecheck.cli.main import main
        try:
            main([{str(ROOT / 'examples')!r}, "--format", "json"])
        except SystemExit:
            pass
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("torch", "numpy", "libcst"))
        print("IMPORTED:", heavy)
    """)
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert "IMPORTED: []" in run.stdout, run.stdout[-2000:] + run.stderr
