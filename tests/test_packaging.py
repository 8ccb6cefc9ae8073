"""The package metadata a user's installer and license scanners read."""

from pathlib import Path

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the tomli that pyproject.toml requires there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def test_license_is_an_spdx_string_with_its_file():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License")
    assert "Permission is hereby granted, free of charge" in text


def test_version_flag_prints_the_installed_version(capsys):
    import pytest

    from shapecheck import __version__
    from shapecheck.cli.main import main

    for flag in ("-V", "--version"):
        with pytest.raises(SystemExit) as exit:
            main([flag])
        assert exit.value.code == 0
        assert capsys.readouterr().out == f"shapecheck {__version__}\n"


def test_check_subcommand_is_the_plain_form(tmp_path, capsys):
    import pytest

    from shapecheck.cli.main import main

    model = tmp_path / "m.py"
    model.write_text(
        "import torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.conv = nn.Conv2d(3, 8, 3)\n"
        "        self.bn = nn.BatchNorm2d(4)\n\n    def forward(self, x):\n"
        "        return self.bn(self.conv(x))\n"
    )
    outputs = []
    for argv in (["--no-cache", str(model)], ["check", "--no-cache", str(model)]):
        with pytest.raises(SystemExit) as exit:
            main(argv)
        assert exit.value.code == 1
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    assert f"{model}:7:19: SHP102" in outputs[1]
