"""Usage errors are exit 2 with one line on stderr, never a per-file finding; standard input as a path;
one exit-code rule for validate and lint."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from qppfiles.cli import main

from .conftest import FIXTURES

JSON_FIXTURE = FIXTURES / "2024" / "group-traditional.json"
QRDA_FIXTURE = FIXTURES / "qrda3" / "2024-group-mips.xml"


def invoke(*args, **kwargs):
    return CliRunner().invoke(main, [str(a) for a in args], **kwargs)


def assert_usage_error(result, *words):
    assert result.exit_code == 2, result.output
    assert result.stdout == ""  # no report, no per-file finding
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in lines[0] and "internal error" not in lines[0]
    for word in words:
        assert word in lines[0]


@pytest.fixture(autouse=True)
def no_ig_from_the_shell(monkeypatch):
    monkeypatch.delenv("QPPFILES_IG", raising=False)


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_missing_ig_directory(tmp_path, command):
    assert_usage_error(invoke(command, QRDA_FIXTURE, "--ig", tmp_path / "nope"), "--ig", "no such directory")
    assert_usage_error(invoke(command, QRDA_FIXTURE, "--profile", "strict", "--ig", tmp_path / "nope"), "--ig")


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_strict_profile_without_ig(command):
    assert_usage_error(invoke(command, QRDA_FIXTURE, "--profile", "strict"), "--profile strict", "--ig")


def test_strict_profile_from_lint_configuration_without_ig(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.qppfiles]\nprofile = "strict"\n')
    (tmp_path / "a.xml").write_bytes(QRDA_FIXTURE.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert_usage_error(invoke("lint", "a.xml"), "--profile strict")


def test_a_stale_ig_variable_does_not_stop_the_accept_profile(tmp_path, monkeypatch):
    monkeypatch.setenv("QPPFILES_IG", str(tmp_path / "gone"))
    assert invoke("validate", JSON_FIXTURE).exit_code == 0


@pytest.mark.parametrize("command", ["validate", "lint"])
@pytest.mark.parametrize("year", ["2010", "2099"])
def test_unsupported_year(command, year):
    assert_usage_error(invoke(command, JSON_FIXTURE, "--year", year), f"--year {year}", "2017")


def test_supported_year_is_still_checked():
    result = invoke("validate", JSON_FIXTURE, "--year", "2025", "--format", "json")
    assert result.exit_code in (0, 1) and json.loads(result.stdout)["files"][0]["performanceYear"] == 2025


def test_empty_input_directory(tmp_path):
    (tmp_path / "notes.txt").write_text("no submission here")
    assert_usage_error(invoke("validate", tmp_path), str(tmp_path), "no .json or .xml")


def test_lint_of_a_directory_with_nothing_to_lint(tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "a.json").write_bytes(JSON_FIXTURE.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert_usage_error(invoke("lint", "subs", "empty"), "empty", "no submission file")
    assert invoke("lint", "subs").exit_code == 0


@pytest.mark.parametrize("command", ["validate", "lint", "convert", "score"])
def test_output_into_missing_directory(tmp_path, command):
    args = [command, JSON_FIXTURE, "-o", tmp_path / "missing" / "out"]
    assert_usage_error(invoke(*args), "does not exist")


def test_validate_reads_standard_input_and_names_it():
    data = JSON_FIXTURE.read_bytes()
    result = invoke("validate", "-", "--stdin-filename", "clinic/sub.json", "--format", "json", input=data)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert [f["path"] for f in report["files"]] == ["clinic/sub.json"]
    from_file = json.loads(invoke("validate", JSON_FIXTURE, "--format", "json").stdout)["files"][0]
    assert report["files"][0]["findings"] == from_file["findings"]


def test_validate_standard_input_with_errors_and_default_name():
    broken = json.loads(JSON_FIXTURE.read_text())
    broken["performanceYear"] = "2024"
    result = invoke("validate", "-", "--format", "json", input=json.dumps(broken).encode())
    assert result.exit_code == 1
    file = json.loads(result.stdout)["files"][0]
    assert file["path"] == "<stdin>" and any(f["code"] == "S002" for f in file["findings"])


def test_standard_input_alone_and_within_the_size_limit():
    assert_usage_error(invoke("validate", "-", JSON_FIXTURE, input=b"{}"), "standard input")
    assert_usage_error(invoke("validate", "-", "--max-file-size", "1k", input=b" " * 5000), "--max-file-size")


def test_score_and_convert_read_standard_input(tmp_path):
    from .test_outputs import convertible_json

    data = JSON_FIXTURE.read_bytes()
    from_file = invoke("score", JSON_FIXTURE, "--format", "json")
    from_stdin = invoke("score", "-", "--format", "json", input=data)
    assert from_stdin.exit_code == 0 and json.loads(from_stdin.stdout) == json.loads(from_file.stdout)
    source = tmp_path / "in.json"
    source.write_bytes(convertible_json())
    # The document time is pinned, so the two conversions cannot fall on either side of a second.
    pinned = {"SOURCE_DATE_EPOCH": "1735689600"}
    converted = invoke("convert", "-", "--to", "qrda3", input=source.read_bytes(), env=pinned)
    assert converted.exit_code == 0
    assert converted.stdout == invoke("convert", source, "--to", "qrda3", env=pinned).stdout


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_internal_error_exits_2_in_validate_and_lint(tmp_path, monkeypatch, command):
    import qppfiles.pipeline.validate as validate_module

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(validate_module, "rule_findings", explode)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.json").write_bytes(JSON_FIXTURE.read_bytes())
    result = invoke(command, "a.json", "--format", "json", *(["-j", "1"] if command == "lint" else []))
    assert result.exit_code == 2
    assert json.loads(result.stdout)["files"][0]["findings"][0]["code"] == "F012"


def test_exit_status_rule():
    from qppfiles.report import exit_code as exit_status

    class R:
        def __init__(self, errors=0, warnings=0, internal=False):
            self.errors, self.warnings, self.internal_error = errors, warnings, internal

    assert exit_status([R(), R()], [], "error") == 0
    assert exit_status([R(warnings=1)], [], "error") == 0
    assert exit_status([R(warnings=1)], [], "warning") == 1
    assert exit_status([R(errors=1)], [], "error") == 1
    assert exit_status([R(errors=1), R(internal=True)], [], "error") == 2
    assert exit_status([R()], ["x: no such file"], "error") == 2
