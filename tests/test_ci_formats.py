"""The formats CI systems read, each checked by its consumer: JUnit XML read back by junitparser and
held to Jenkins' JUnit schema, GitLab Code Quality held to GitLab's schema with fingerprints that
survive edits, reviewdog's rdjson held to its schema, pylint's lines, JSON Lines; and
--output-file, which writes one of them and still shows the findings on the terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import xmlschema
from junitparser import Failure, JUnitXml

from test_cli import shapecheck

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
WRONG_LINEAR = "examples/buggy/cifar_wrong_linear.py"
CLEAN = "examples/cifar_cnn.py"
NOTEBOOK = "tests/fixtures_notebooks/cifar10_cnn_kaggle.ipynb"
LINEAR_MESSAGE = ("model.10: Linear expects 4096 input features but receives 1024 = 64×4×4 "
                  "(B×64×4×4 after the three MaxPool2d(2) at lines 5, 6, 7); use nn.Linear(64 * 4 * 4, 10), or keep 4096 and remove one MaxPool2d(2)")

TWO_WRONG_HEADS = """\
import torch
import torch.nn as nn

first = nn.Sequential(nn.Flatten(), nn.Linear(100, 10))
second = nn.Sequential(nn.Flatten(), nn.Linear(100, 10))
first(torch.randn(4, 3, 8, 8))
second(torch.randn(4, 3, 8, 8))
"""


@pytest.fixture(autouse=True)
def at_the_repository_root(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)


def report(capsys, fmt: str, *paths: str):
    status, out, err = shapecheck(capsys, *paths, "-f", fmt, "--no-cache")
    assert err == ""
    return status, out


# --- junit --------------------------------------------------------------------------------------

def junit(capsys, tmp_path, *paths: str) -> JUnitXml:
    status, out = report(capsys, "junit", *paths)
    xmlschema.XMLSchema(str(DATA / "junit-10.xsd")).validate(out)
    (tmp_path / "report.xml").write_text(out, encoding="utf-8")
    return JUnitXml.fromfile(str(tmp_path / "report.xml"))


def test_junit_has_a_testcase_per_file_and_a_failure_per_finding(capsys, tmp_path):
    xml = junit(capsys, tmp_path, WRONG_LINEAR, CLEAN, "examples/buggy/channel_mismatch.py")
    [suite] = list(xml)
    cases = {case.name: case for case in suite}
    assert set(cases) == {WRONG_LINEAR, CLEAN, "examples/buggy/channel_mismatch.py"}
    assert cases[CLEAN].is_passed and cases[CLEAN].result == []
    [failure] = cases[WRONG_LINEAR].result
    assert isinstance(failure, Failure) and failure.type == "SHP101"
    assert failure.message == f"line 9, column 5: SHP101 {LINEAR_MESSAGE}"
    assert failure.text == f"{WRONG_LINEAR}:9:5: SHP101 {LINEAR_MESSAGE}"
    assert cases[WRONG_LINEAR].classname == "examples.buggy.cifar_wrong_linear"
    assert (suite.tests, suite.failures, suite.errors) == (3, 2, 0)
    suite.update_statistics()  # the parser's own count agrees with the one written
    assert (suite.tests, suite.failures, suite.errors) == (3, 2, 0)


def test_junit_lists_every_finding_of_a_file_and_places_notebook_findings_in_their_cell(capsys, tmp_path):
    (tmp_path / "heads.py").write_text(TWO_WRONG_HEADS)
    xml = junit(capsys, tmp_path, str(tmp_path / "heads.py"), NOTEBOOK)
    [suite] = list(xml)
    heads, notebook = list(suite)
    assert [(f.type, f.message.split(":")[0]) for f in heads.result] == \
        [("SHP101", "line 4, column 37"), ("SHP101", "line 5, column 38")]
    [failure] = notebook.result
    assert failure.message.startswith("cell 4, line 8, column 20: SHP101 Net.fc1: Linear expects 4096 input "
                                      "features but receives 1024")
    assert suite.failures == 3


# --- gitlab -------------------------------------------------------------------------------------

def gitlab(capsys, *paths: str) -> list:
    status, out = report(capsys, "gitlab", *paths)
    issues = json.loads(out)
    validator = jsonschema.Draft7Validator(json.loads((DATA / "gitlab-codeclimate.json").read_text()))
    for issue in issues:
        assert [e.message for e in validator.iter_errors(issue)] == []
        # what GitLab's documentation asks beyond its parser's schema
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert re.fullmatch(r"SHP\d{3}", issue["check_name"])
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    return issues


def test_gitlab_issue_for_the_wrong_linear(capsys):
    [issue] = gitlab(capsys, WRONG_LINEAR, CLEAN)
    assert issue["check_name"] == "SHP101" and issue["severity"] == "critical"
    assert issue["description"] == f"SHP101 {LINEAR_MESSAGE}"
    assert issue["location"] == {"path": WRONG_LINEAR, "lines": {"begin": 9, "end": 9}}


def test_gitlab_fingerprints_survive_moved_lines_and_tell_equal_findings_apart(capsys, tmp_path, monkeypatch):
    model = tmp_path / "heads.py"
    model.write_text(TWO_WRONG_HEADS)
    monkeypatch.chdir(tmp_path)
    before = gitlab(capsys, "heads.py")
    model.write_text("# a comment\n\n" + TWO_WRONG_HEADS)
    after = gitlab(capsys, "heads.py")
    assert [i["location"]["lines"]["begin"] for i in before] == [4, 5]
    assert [i["location"]["lines"]["begin"] for i in after] == [6, 7]
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]
    assert before[0]["fingerprint"] != before[1]["fingerprint"]  # the same text on two lines


def test_gitlab_paths_are_from_the_project_dir_in_a_gitlab_job(capsys, monkeypatch):
    monkeypatch.setenv("CI_PROJECT_DIR", str(ROOT / "examples"))
    [issue] = gitlab(capsys, WRONG_LINEAR)
    assert issue["location"]["path"] == "buggy/cifar_wrong_linear.py"


def test_gitlab_places_a_notebook_finding_in_the_notebook_files_lines(capsys):
    [issue] = gitlab(capsys, NOTEBOOK)
    line = (ROOT / NOTEBOOK).read_text().splitlines()[issue["location"]["lines"]["begin"] - 1]
    assert "nn.Linear(64 * 8 * 8, 512)" in line
    assert issue["description"].startswith("SHP101 cell 4, line 8, column 20: Net.fc1: ")


def test_an_empty_gitlab_report_is_an_empty_array(capsys):
    assert report(capsys, "gitlab", CLEAN) == (0, "[]\n")


# --- rdjson -------------------------------------------------------------------------------------

def rdjson(capsys, *paths: str) -> dict:
    status, out = report(capsys, "rdjson", *paths)
    document = json.loads(out)
    schema = json.loads((DATA / "reviewdog-DiagnosticResult.json").read_text())
    assert [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(document)] == []
    return document


def test_rdjson_diagnostic_with_its_fix_as_a_suggestion(capsys):
    document = rdjson(capsys, WRONG_LINEAR, CLEAN)
    assert document["source"]["name"] == "shapecheck"
    [d] = document["diagnostics"]
    assert d["message"] == LINEAR_MESSAGE and d["severity"] == "ERROR" and d["code"] == {"value": "SHP101"}
    assert d["location"] == {"path": WRONG_LINEAR, "range": {"start": {"line": 9, "column": 5},
                                                             "end": {"line": 9, "column": 30}}}
    assert d["suggestions"] == [{"range": {"start": {"line": 9, "column": 15}, "end": {"line": 9, "column": 25}},
                                 "text": "64 * 4 * 4"}]


def test_rdjson_columns_count_utf8_bytes(capsys, tmp_path):
    source = TWO_WRONG_HEADS.replace("first", "réseau_é")  # two more bytes than characters before the call
    (tmp_path / "heads.py").write_text(source, encoding="utf-8")
    first = rdjson(capsys, str(tmp_path / "heads.py"))["diagnostics"][0]
    line = source.splitlines()[3].encode("utf-8")
    start, end = first["location"]["range"]["start"]["column"], first["location"]["range"]["end"]["column"]
    assert (start, end) == (42, 60)
    assert line[start - 1:end - 1] == b"nn.Linear(100, 10)"
    [suggestion] = first["suggestions"]
    s = suggestion["range"]
    assert line[s["start"]["column"] - 1:s["end"]["column"] - 1] == b"100"


# --- pylint and json-lines ----------------------------------------------------------------------

PYLINT_LINE = re.compile(r"(?P<path>[^:]+):(?P<line>\d+): \[(?P<code>SHP\d{3})\] (?P<message>.+)")


def test_pylint_lines(capsys):
    status, out = report(capsys, "pylint", WRONG_LINEAR, NOTEBOOK, CLEAN)
    linear, notebook = (PYLINT_LINE.fullmatch(line).groupdict() for line in out.splitlines())
    assert linear == {"path": WRONG_LINEAR, "line": "9", "code": "SHP101", "message": LINEAR_MESSAGE}
    assert notebook["path"] == NOTEBOOK and notebook["message"].startswith("cell 4, line 8, column 20: Net.fc1: ")
    assert "nn.Linear(64 * 8 * 8, 512)" in (ROOT / NOTEBOOK).read_text().splitlines()[int(notebook["line"]) - 1]


def test_json_lines_are_the_json_diagnostics_one_a_line(capsys):
    status, out = report(capsys, "json-lines", "examples/buggy", NOTEBOOK)
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines == json.loads(report(capsys, "json", "examples/buggy", NOTEBOOK)[1])["diagnostics"]
    assert len(lines) == 5 and lines[1]["code"] == "SHP101" and lines[1]["line"] == 9


# --- --output-file ------------------------------------------------------------------------------

def test_output_file_holds_the_report_and_the_terminal_still_shows_the_findings(capsys, tmp_path):
    target = tmp_path / "reports" / "junit.xml"  # its folder is made
    status, out, err = shapecheck(capsys, WRONG_LINEAR, "-f", "junit", "-o", str(target), "--no-cache")
    assert status == 1 and err == ""
    assert target.read_text(encoding="utf-8") == report(capsys, "junit", WRONG_LINEAR)[1]
    assert out == shapecheck(capsys, WRONG_LINEAR, "--no-cache")[1]
    assert out.startswith(f"{WRONG_LINEAR}:9:5: SHP101 ") and out.endswith("1 model in 1 file checked.\n")


def test_output_file_without_a_format_is_text(capsys, tmp_path):
    target = tmp_path / "report.txt"
    status, out, _ = shapecheck(capsys, WRONG_LINEAR, "--output-file", str(target), "--no-cache")
    assert status == 1 and target.read_text(encoding="utf-8") == out


def test_output_file_is_not_written_where_the_output_is_a_diff_or_the_annotated_source(capsys, tmp_path):
    target = tmp_path / "report.xml"
    for option, shown in (("--diff", "+    nn.Linear(64 * 4 * 4, 10),\n"), ("--annotate", "  # → B×64×4×4\n")):
        status, out, err = shapecheck(capsys, WRONG_LINEAR, option, "-f", "junit", "-o", str(target), "--no-cache")
        assert err.startswith("shapecheck: warning: --output-file is not written with --annotate, --diff or --fix "
                              "of stdin, which print to stdout\n")
        assert shown in out and not target.exists()


def test_output_file_that_cannot_be_written_is_exit_2(capsys, tmp_path):
    (tmp_path / "taken").write_text("a file, not a folder")
    status, out, err = shapecheck(capsys, WRONG_LINEAR, "-o", str(tmp_path / "taken" / "r.xml"), "--no-cache")
    assert status == 2 and out == ""
    assert err.startswith(f"shapecheck: error: --output-file {tmp_path / 'taken' / 'r.xml'}: cannot write it: ")
    assert err.count("\n") == 1


# --- the README's samples -----------------------------------------------------------------------

SAMPLE = re.compile(r"<!-- sample: (?P<command>[^\n]+) -->\n```\w*\n\$ (?P=command)\n(?P<output>.*?)```", re.S)


def readme_samples():
    return [m.groupdict() for m in SAMPLE.finditer((ROOT / "README.md").read_text(encoding="utf-8"))]


def test_the_readme_shows_a_sample_of_each_ci_format():
    shown = {re.search(r"-f (\S+)", s["command"]).group(1) for s in readme_samples()}
    assert {"pylint", "junit", "gitlab", "rdjson", "json-lines"} <= shown


@pytest.mark.parametrize("sample", readme_samples(), ids=lambda s: s["command"])
def test_a_readme_sample_is_the_real_output(capsys, sample):
    argv = sample["command"].split()[1:]
    assert shapecheck(capsys, *argv, "--no-cache")[1] == sample["output"]
