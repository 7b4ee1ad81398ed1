"""Every program rule against its invalid fixtures, through the CLI; valid fixtures stay free of errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from qppfiles.checks import rules
from qppfiles.cli import main

from .conftest import FIXTURES

RULE_FIXTURES = FIXTURES / "invalid" / "rules"
CASES = sorted(RULE_FIXTURES.glob("*.json"))
VALID = sorted(FIXTURES.glob("20*/*.json"))


def read_expected(path: Path) -> tuple[list[str], Counter]:
    """(#args flags, Counter of (pointer, code)) from a .expected file."""
    args: list[str] = []
    expected: Counter = Counter()
    for line in path.read_text().splitlines():
        if line.startswith("#args"):
            args = line.split()[1:]
        elif line.strip():
            pointer, code = line.split("\t")
            expected[(pointer, code)] += 1
    return args, expected


def validate_json(path: Path, *args: str) -> dict:
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json", *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)["files"][0]


def test_there_are_rule_fixtures():
    assert len(CASES) >= 60


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_rule_fixture_gives_exactly_its_expected_findings(path):
    args, expected = read_expected(path.with_suffix(".expected"))
    report = validate_json(path, *args)
    got = Counter((f["location"].get("pointer") or "", f["code"])
                  for f in report["findings"] if f["layer"] == "rules")
    assert got == expected
    code = path.stem.split("-")[0]
    assert (code in {c for _, c in got}), f"{path.name} does not produce {code}"


def test_every_rule_code_has_an_invalid_fixture():
    covered = {p.stem.split("-")[0] for p in CASES}
    missing = sorted(r.code.code for r in rules() if r.code.code not in covered)
    assert not missing, f"rule codes without a fixture in {RULE_FIXTURES}: {missing}"


def test_every_fixture_names_a_registered_code():
    codes = {r.code.code for r in rules()} | {"Y001"}
    assert not [p.name for p in CASES if p.stem.split("-")[0] not in codes]


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_valid_fixture_has_no_error(path):
    report = validate_json(path)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == []
    assert report["valid"] is True


def test_every_rule_has_explanation_source_and_example():
    for r in rules():
        c = r.code
        assert c.summary and c.explanation and c.source and c.example, c.code
        assert c.severity in ("error", "warning", "info")


def test_explain_prints_a_rule_page():
    result = CliRunner().invoke(main, ["explain", "Q101"], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Q101" in result.output and "threshold" in result.output and "Source" in result.output


def test_rules_lists_every_rule_code():
    result = CliRunner().invoke(main, ["rules", "--format", "json"], catch_exceptions=False)
    listed = {entry["code"] for entry in json.loads(result.output)}
    assert {r.code.code for r in rules()} <= listed
