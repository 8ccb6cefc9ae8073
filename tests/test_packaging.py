"""The package metadata a user's installer and license scanners read."""

import tomllib
from pathlib import Path

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
