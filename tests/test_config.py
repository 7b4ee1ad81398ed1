"""One configuration for validate, lint and score: qppfiles.toml or [tool.qppfiles], QPPFILES_*
environment variables, --select/--ignore and per-file-ignores; command line > environment > file."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.generate import fake_submission
from qppfiles.generate import faults
from qppfiles.intake.config import load_config
from qppfiles.model.codes import is_selected

from .conftest import FIXTURES

VALID = FIXTURES / "2024" / "group-traditional.json"


def invoke(*args, env=None):
    result = CliRunner(env=env or {}).invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def broken(path, code, seed=3):
    data, applied = faults.inject(fake_submission(2024, "group", random.Random(seed)), [code], random.Random(seed))
    assert applied == [code]
    path.write_bytes(data)


def codes_of(result):
    return sorted({f["code"] for file in json.loads(result.stdout)["files"] for f in file["findings"]})


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "subs").mkdir()
    broken(tmp_path / "subs" / "warn.json", "V102", 4)  # a warning only
    (tmp_path / "subs" / "group.json").write_bytes(VALID.read_bytes())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_qppfiles_toml_wins_over_pyproject_in_the_same_directory(project):
    (project / "pyproject.toml").write_text('[tool.qppfiles]\nyear = 2023\n')
    assert load_config(".").settings == {"year": 2023}
    (project / "qppfiles.toml").write_text('year = 2025\nfail-on = "warning"\n')
    config = load_config(str(project / "subs"))
    assert config.settings == {"year": 2025} and config.fail_on == "warning"
    assert config.source == str(project / "qppfiles.toml") and config.root == str(project)


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_fail_on_from_file_then_environment_then_command_line(project, command):
    warn = "subs/warn.json"
    assert invoke(command, warn).exit_code == 0
    (project / "qppfiles.toml").write_text('fail-on = "warning"\n')
    assert invoke(command, warn).exit_code == 1
    assert invoke(command, warn, env={"QPPFILES_FAIL_ON": "error"}).exit_code == 0
    assert invoke(command, warn, "--fail-on", "warning", env={"QPPFILES_FAIL_ON": "error"}).exit_code == 1


@pytest.mark.parametrize("command", ["validate", "lint"])
def test_year_and_format_from_file_and_environment(project, command):
    (project / "pyproject.toml").write_text('[tool.qppfiles]\nyear = 2016\nformat = "json"\n')
    result = invoke(command, "subs/group.json")
    assert result.exit_code == 2 and "2016" in result.output  # an unsupported year is a usage error
    result = invoke(command, "subs/group.json", env={"QPPFILES_YEAR": "2024"})
    assert result.exit_code == 0 and json.loads(result.stdout)["files"][0]["performanceYear"] == 2024
    sarif = invoke(command, "subs/group.json", env={"QPPFILES_YEAR": "2024", "QPPFILES_FORMAT": "sarif"})
    assert json.loads(sarif.stdout)["version"] == "2.1.0"
    text = invoke(command, "subs/group.json", "--format", "text", "--year", "2024", env={"QPPFILES_YEAR": "2016"})
    assert text.exit_code == 0 and "valid" in text.stdout


def test_select_and_ignore_by_code_or_prefix(project):
    broken(project / "subs" / "bad.json", "I101")
    everything = codes_of(invoke("validate", "subs", "--format", "json"))
    assert everything == ["I101", "Q106", "S004", "V102"]
    assert codes_of(invoke("validate", "subs", "--format", "json", "--select", "Q,V")) == ["Q106", "V102"]
    only_i = invoke("validate", "subs", "--format", "json", "--ignore", "Q10", "--select", "I", "--select", "V1")
    assert codes_of(only_i) == ["I101", "V102"] and only_i.exit_code == 1
    no_errors = invoke("validate", "subs", "--format", "json", "--ignore", "I101,S004")
    assert codes_of(no_errors) == ["Q106", "V102"] and no_errors.exit_code == 0  # the exit code follows
    env = invoke("lint", "subs", "--format", "json", env={"QPPFILES_SELECT": "V"})
    assert codes_of(env) == ["V102"]
    (project / "qppfiles.toml").write_text('ignore = ["Q106", "V"]\n')
    assert codes_of(invoke("lint", "subs", "--format", "json")) == ["I101", "S004"]
    assert codes_of(invoke("validate", "subs", "--format", "json", "--ignore", "I")) == ["Q106", "S004", "V102"]


def test_the_most_specific_prefix_decides():
    assert is_selected("Q101") and not is_selected("Q101", ignore=["Q"])
    assert not is_selected("Q101", ["Q"], ["Q10"]) and is_selected("Q201", ["Q"], ["Q10"])
    assert is_selected("Q101", ["Q101"], ["Q"]) and not is_selected("P001", ["Q"])


def test_errors_reading_the_file_cannot_be_deselected(project):
    (project / "subs" / "cut.json").write_bytes(VALID.read_bytes()[:200])
    result = invoke("validate", "subs/cut.json", "--format", "json", "--select", "Q")
    assert result.exit_code == 1 and codes_of(result) == ["F005"]


def test_per_file_ignores(project):
    broken(project / "subs" / "bad.json", "I101")
    (project / "pyproject.toml").write_text('[tool.qppfiles.per-file-ignores]\n"subs/bad*" = ["I1", "S", "Q"]\n')
    result = invoke("validate", "subs", "--format", "json")
    by_file = {f["path"].split("/")[-1]: {x["code"] for x in f["findings"]} for f in json.loads(result.stdout)["files"]}
    assert by_file["bad.json"].isdisjoint({"I101", "S004", "Q106"}) and "Q106" in by_file["group.json"]
    assert result.exit_code == 0
    assert json.loads(invoke("lint", "--format", "json").stdout)["summary"]["errors"] == 0


@pytest.mark.parametrize("text, word", [
    ('select = ["ZZ9"]\n', "ZZ9"),
    ('ignore = "Q10"\nformat = "pdf"\n', "format"),
    ('[per-file-ignores]\n"x/**" = ["NOPE"]\n', "NOPE"),
    ('colour = "blue"\n', "colour"),
])
def test_bad_settings_exit_2_with_the_reason(project, text, word):
    (project / "qppfiles.toml").write_text(text)
    for command in ("validate", "lint"):
        result = invoke(command, "subs/group.json")
        assert result.exit_code == 2 and word in result.output


def test_an_unknown_code_on_the_command_line_exits_2(project):
    result = invoke("validate", "subs/group.json", "--ignore", "XQ1")
    assert result.exit_code == 2 and "XQ1" in result.output


def test_score_reads_the_configuration(project):
    def final(*args, env=None):
        result = invoke("score", "subs/group.json", "--format", "json", *args, env=env)
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    plain, small = final(), final("--small-practice")
    assert plain["finalScore"] != small["finalScore"]
    (project / "qppfiles.toml").write_text("small-practice = true\nyear = 2025\n")
    configured = final()
    assert configured["performanceYear"] == 2025
    assert configured["finalScore"] == final("--small-practice", "--year", "2025", "--config",
                                             str(project / "qppfiles.toml"))["finalScore"]
    assert final(env={"QPPFILES_YEAR": "2024"})["performanceYear"] == 2024
    assert final(env={"QPPFILES_FORMAT": "sarif"})["performanceYear"] == 2025  # not a score format: unused


def test_the_developers_environment_does_not_leak(project, monkeypatch):
    monkeypatch.setenv("QPPFILES_YEAR", "2016")
    assert invoke("validate", "subs/group.json").exit_code == 2  # read when the test asks: 2016 is a usage error
    assert invoke("validate", "subs/group.json", env={"QPPFILES_YEAR": None}).exit_code == 0


def test_a_named_file_outside_the_project_is_linted(project, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere") / "other.json"
    elsewhere.write_bytes(VALID.read_bytes()[:200])
    (project / "qppfiles.toml").write_text('include = ["subs/**"]\n')
    result = invoke("lint", elsewhere, "--format", "json")
    assert result.exit_code == 1 and codes_of(result) == ["F005"]
    assert invoke("lint", "--format", "json").exit_code == 0  # the globs still choose inside the project
