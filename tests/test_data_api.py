"""Data evidence the static pass follows: argparse defaults, pandas frames, torchvision datasets."""

from __future__ import annotations

import textwrap

from shapecheck.api import check_source


def findings(source: str):
    result = check_source(textwrap.dedent(source), "script.py")
    return [(d.span.line, d.code, d.message) for d in result.diagnostics if d.severity == "error"], result


def test_argparse_defaults_are_the_values_of_a_run_without_arguments() -> None:
    errors, _ = findings("""
        import argparse
        import torch.nn as nn
        parser = argparse.ArgumentParser()
        parser.add_argument("--ndf", type=int, default=64)
        opt = parser.parse_args()
        netD = nn.Sequential(nn.Conv2d(3, opt.ndf, 4, 2, 1), nn.Conv2d(opt.ndf * 2, 1, 4))
    """)
    assert [(line, code) for line, code, _ in errors] == [(7, "SHP102")]
    assert "expects 128 input channels" in errors[0][2] and "receives 64" in errors[0][2]


def test_a_required_option_stays_unknown() -> None:
    errors, _ = findings("""
        import argparse
        import torch.nn as nn
        parser = argparse.ArgumentParser()
        parser.add_argument("--width", type=int, required=True)
        opt = parser.parse_args()
        net = nn.Sequential(nn.Conv2d(3, opt.width, 3), nn.Conv2d(64, 8, 3))
    """)
    assert errors == []


def test_a_column_added_in_place_is_counted() -> None:
    errors, result = findings("""
        import numpy as np
        import pandas as pd
        import torch
        import torch.nn as nn
        cols = [f"pixel{i}" for i in range(784)]
        df = pd.DataFrame(np.zeros((100, 784)), columns=cols)
        df.insert(0, "label", np.zeros(100))
        X = df.drop(columns="label").to_numpy().reshape(-1, 1, 28, 28)
        model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.Flatten(), nn.Linear(8 * 26 * 26, 10))
        model(torch.tensor(X))
    """)
    assert errors == []
    assert result.models[0].input_shape == ("B", 1, 28, 28)


def test_an_unnamed_column_added_in_place_makes_the_width_unknown() -> None:
    errors, _ = findings("""
        import numpy as np
        import pandas as pd
        df = pd.DataFrame(np.zeros((100, 1024)))
        df["label"] = 0
        X = df.drop(columns="label").to_numpy().reshape(-1, 1, 32, 32)
    """)
    assert errors == []


def test_a_resized_dataset_reaches_the_model_in_the_loop() -> None:
    errors, result = findings("""
        import torch.nn as nn
        from torch.utils.data import DataLoader
        from torchvision import datasets, transforms
        tf = transforms.Compose([transforms.Resize(32), transforms.ToTensor()])
        loader = DataLoader(datasets.MNIST("data", transform=tf), batch_size=64)
        model = nn.Sequential(nn.Conv2d(1, 8, 3), nn.Flatten(), nn.Linear(8 * 26 * 26, 10))
        for xb, yb in loader:
            out = model(xb)
    """)
    assert [(line, code) for line, code, _ in errors] == [(7, "SHP101")]
    assert "receives 7200 = 8×30×30" in errors[0][2]
    assert result.models[0].input_source == "call at line 9, data from MNIST at line 6"


def test_np_newaxis_adds_a_dim_and_a_library_index_is_not_guessed() -> None:
    """MorvanZhou's GAN: np.random.uniform(1, 2, size=64)[:, np.newaxis] is 64×1; an index that is
    another library's name (its kind not known) leaves the shape unknown, never an error."""
    errors, result = findings("""
        import numpy as np
        import torch
        import torch.nn as nn
        from somewhere import PICK
        a = np.random.uniform(1, 2, size=64)[:, np.newaxis]
        b = torch.randn(64)[:, PICK]
        net = nn.Linear(1, 8)
        out = net(torch.from_numpy(a).float())
    """)
    assert errors == []
    (model,) = result.models
    assert model.input_shape[1:] == (1,) and model.output_shape[1:] == (8,)
