"""qppfiles lint: discovery, pyproject configuration with overrides, machine output, exit codes."""

from __future__ import annotations

import json
import random
import xml.etree.ElementTree as ET

import click
import pytest
import yaml
from click.testing import CliRunner

from qppfiles.cli.lint import lint
from qppfiles.formats import qppjson
from qppfiles.generate import fake_submission
from qppfiles.generate import faults
from qppfiles.intake.config import load_config
from qppfiles.intake.globs import matches

from .conftest import ROOT


@click.group()
def cli():
    pass


cli.add_command(lint)


def run(*args):
    return CliRunner().invoke(cli, ["lint", *map(str, args)], catch_exceptions=False)


def write_valid(path, seed=1, year=2024, level="group"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(qppjson.write(fake_submission(year, level, random.Random(seed))))


def write_broken(path, code, seed=1, year=2024, level="group"):
    path.parent.mkdir(parents=True, exist_ok=True)
    data, applied = faults.inject(fake_submission(year, level, random.Random(seed)), [code], random.Random(seed))
    assert applied == [code]
    path.write_bytes(data)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    write_valid(tmp_path / "subs" / "a.json", 1)
    write_valid(tmp_path / "subs" / "deep" / "b.json", 2)
    write_broken(tmp_path / "subs" / "c.json", "I101", 3)
    (tmp_path / "subs" / "notes.txt").write_text("not a submission")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_lint_finds_files_in_trees_and_exits_1_on_errors(tree):
    result = run("--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    paths = sorted(f["path"].replace("\\", "/") for f in report["files"])
    assert [p.split("subs/")[-1] for p in paths] == ["a.json", "c.json", "deep/b.json"]
    assert report["summary"]["errors"] >= 1


def test_text_output_has_a_summary_table(tree):
    result = run("subs", "-j", "2")
    assert result.exit_code == 1
    assert "Findings by code" in result.output and "I101" in result.output


def test_clean_tree_exits_0(tree):
    (tree / "subs" / "c.json").unlink()
    assert run("subs").exit_code == 0


def test_missing_path_exits_2(tree):
    assert run("nowhere").exit_code == 2


def test_config_include_exclude_and_fail_on(tree):
    (tree / "pyproject.toml").write_text('[tool.qppfiles]\nexclude = ["subs/c.json"]\n')
    assert run("--format", "json").exit_code == 0
    write_broken(tree / "subs" / "warn.json", "V102", 4)  # a warning only
    assert run().exit_code == 0
    (tree / "pyproject.toml").write_text('[tool.qppfiles]\nexclude = ["subs/c.json"]\nfail-on = "warning"\n')
    assert run().exit_code == 1
    assert run("--fail-on", "error").exit_code == 0  # the command line wins
    (tree / "pyproject.toml").write_text('[tool.qppfiles]\ninclude = ["subs/deep/**"]\n')
    report = json.loads(run("--format", "json").output)
    assert [f["path"].replace("\\", "/").split("subs/")[-1] for f in report["files"]] == ["deep/b.json"]


def test_overrides_apply_per_path(tmp_path, monkeypatch):
    # Claims reporting draws a warning (B104) unless the practice is small.
    write_broken(tmp_path / "clinic-a" / "x.json", "B104", 5)
    write_broken(tmp_path / "clinic-b" / "x.json", "B104", 5)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.qppfiles]\nfail-on = "warning"\n\n'
        '[[tool.qppfiles.overrides]]\npaths = ["clinic-a/**"]\nsmall-practice = true\n')
    monkeypatch.chdir(tmp_path)
    report = json.loads(run("--format", "json").output)
    codes = {f["path"].replace("\\", "/").split("/")[-2]: {x["code"] for x in f["findings"]} for f in report["files"]}
    assert "B104" not in codes["clinic-a"] and "B104" in codes["clinic-b"]
    assert run().exit_code == 1
    (tmp_path / "clinic-b" / "x.json").unlink()
    assert run().exit_code == 0


def test_config_is_found_from_a_subdirectory_and_bad_keys_exit_2(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.qppfiles]\nyear = 2024\nsmall-practice = true\n')
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    config = load_config(".")
    assert config.settings == {"year": 2024, "small-practice": True}
    (tmp_path / "pyproject.toml").write_text('[tool.qppfiles]\ncolour = "blue"\n')
    result = run()
    assert result.exit_code == 2 and "colour" in result.output
    (tmp_path / "pyproject.toml").write_text('[tool.qppfiles]\nyear = "2024"\n')
    assert run().exit_code == 2


def test_junit_output(tree, tmp_path):
    out = tmp_path / "junit.xml"
    assert run("subs", "--format", "junit", "-o", out).exit_code == 1
    root = ET.parse(out).getroot()
    cases = root.findall(".//testcase")
    assert len(cases) == 3
    failed = [c.get("name") for c in cases if c.find("failure") is not None]
    assert len(failed) == 1 and failed[0].endswith("c.json")


def test_sarif_output(tree):
    result = run("subs", "--format", "sarif")
    assert result.exit_code == 1
    sarif = json.loads(result.output)
    results = sarif["runs"][0]["results"]
    assert any(r["ruleId"] == "I101" for r in results)


def test_github_output(tree):
    result = run("subs", "--format", "github")
    assert "::error" in result.output and "I101" in result.output


def test_globs():
    assert matches("clinic-a/x/y.json", ["clinic-a/**"])
    assert matches("clinic-a/y.json", ["clinic-a"])
    assert matches("a/b/c.json", ["**/*.json"]) and matches("c.json", ["**/*.json"])
    assert not matches("a/b/c.xml", ["**/*.json"])
    assert not matches("clinic-ab/y.json", ["clinic-a/**"])
    assert matches("x/file.json", ["x/*.json"]) and not matches("x/y/file.json", ["x/*.json"])


def test_pre_commit_hook_definition():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "qppfiles")
    assert hook["entry"] == "qppfiles lint"
    assert hook["files"] == r"\.(json|xml)$"
