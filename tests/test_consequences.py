"""Rejected or scored lower: every error says which (cms-corrections B.29), and every code cites a CMS source."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.model.codes import all_codes
from qppfiles.model.codes import get
from qppfiles.report import exit_code

from .conftest import FIXTURES

RULES = FIXTURES / "invalid" / "rules"
POINTS_ONLY = RULES / "P101-no-safer-guides-2024.json"        # P101 alone: accepted, PI scores 0
REJECTED = RULES / "P105-no-cehrt-id.json"                     # the Submissions API refuses a PI set without cehrtId


def test_every_error_code_says_rejected_or_points_and_no_other_code_does():
    for c in all_codes():
        if c.severity == "error":
            assert c.consequence in ("rejected", "points"), c.code
        else:
            assert c.consequence == "", c.code


def test_the_codes_cms_accepts_and_scores_lower():
    # cms-corrections B.29: a PI set missing a required measure (P101), a "no" attestation (P102/P108), a short
    # IA/PI period (Y104/Y105) are accepted by CMS and cost points.
    for code in ("P101", "P102", "P108", "Y104", "Y105", "P110"):
        assert get(code).consequence == "points", code
    # what the converter or the Submissions API refuses
    for code in ("F005", "S001", "I101", "I102", "M101", "A101", "P103", "P104", "P105", "X112", "X131", "Y103"):
        assert get(code).consequence == "rejected", code


def _validate(path, *args):
    result = CliRunner().invoke(main, ["validate", str(path), *args])
    return result


def test_json_report_carries_the_consequence_of_each_error():
    result = _validate(POINTS_ONLY, "--format", "json")
    findings = json.loads(result.output)["files"][0]["findings"]
    assert [(f["code"], f["consequence"]) for f in findings] == [("P101", "points")]
    result = _validate(REJECTED, "--format", "json")
    by_code = {f["code"]: f for f in json.loads(result.output)["files"][0]["findings"]}
    assert by_code["P105"]["consequence"] == "rejected"
    warning = _validate(RULES / "P109-bonus-numerator-zero.json", "--format", "json")
    for f in json.loads(warning.output)["files"][0]["findings"]:
        assert ("consequence" in f) == (f["severity"] == "error")


def test_text_report_shows_the_consequence():
    assert "P101 error (costs points)" in _validate(POINTS_ONLY).output
    assert "P105 error (rejected at intake)" in _validate(REJECTED).output


def _explain(code):
    result = CliRunner().invoke(main, ["explain", code])
    assert result.exit_code == 0
    return " ".join(result.output.split())  # the terminal may wrap lines


def test_explain_shows_consequence_and_source():
    out = _explain("P102")
    assert "Consequence: points" in out and "42 CFR 414.1375(b)" in out and "414.1380(b)(4)" in out
    out = _explain("X112")
    assert "Consequence: rejected" in out and "ProblemCode 25" in out
    assert "Consequence" not in CliRunner().invoke(main, ["explain", "P109"]).output


@pytest.mark.parametrize("fail_on, points_only, rejected", [
    ("rejected", 0, 1), ("error", 1, 1), ("warning", 1, 1)])
def test_fail_on_chooses_which_errors_fail_the_run(fail_on, points_only, rejected):
    assert _validate(POINTS_ONLY, "--fail-on", fail_on).exit_code == points_only
    assert _validate(REJECTED, "--fail-on", fail_on).exit_code == rejected
    assert CliRunner().invoke(main, ["lint", str(POINTS_ONLY), "--fail-on", fail_on, "-j", "1"]).exit_code \
        == points_only
    assert _validate(POINTS_ONLY, "--fail-on", fail_on, "--format", "jsonl").exit_code == points_only


def test_fail_on_rejected_still_fails_on_warnings_never():
    warning_only = RULES / "P109-bonus-numerator-zero.json"
    assert _validate(warning_only, "--fail-on", "rejected").exit_code == 0
    assert _validate(warning_only, "--fail-on", "warning").exit_code == 1


def test_exit_code_function():
    class R:
        internal_error = False
        findings = ()

        def __init__(self, errors, warnings, rejected):
            self.errors, self.warnings, self.rejected = errors, warnings, rejected

    assert exit_code([R(1, 0, 0)], [], "rejected") == 0 and exit_code([R(1, 0, 1)], [], "rejected") == 1
    assert exit_code([R(1, 0, 0)], [], "error") == 1 and exit_code([R(0, 2, 0)], [], "error") == 0
    assert exit_code([R(0, 2, 0)], [], "warning") == 1
    assert exit_code([R(0, 0, 0)], ["missing.json: no such file"], "warning") == 2
    with pytest.raises(ValueError):
        exit_code([], [], "points")


# ------------------------------------------------------------------ sources

REPOSITORY = re.compile(r"\.md\b|year pack|\bseeds?\b|notes|UNCONFIRMED|spec/|shared/|mips-rules|qrda3-notes",
                        re.IGNORECASE)


def test_every_code_cites_a_source_outside_this_repository():
    for c in all_codes():
        assert c.source.strip(), f"{c.code} has no source"
        assert not REPOSITORY.search(c.source), f"{c.code} cites this repository: {c.source}"


def test_converter_codes_name_their_problem_code():
    assert "ProblemCode 24" in get("X110").source
    assert "ProblemCode 6" in get("X131").source
    assert "42 CFR 414.1320" in get("Y104").source


def test_rules_lists_the_consequence_of_each_error():
    listing = json.loads(CliRunner().invoke(main, ["rules", "--format", "json"]).output)
    by_code = {c["code"]: c for c in listing}
    assert by_code["Y105"]["consequence"] == "points" and by_code["S002"]["consequence"] == "rejected"
    assert "consequence" not in by_code["Q101"]
    assert "consequence" in CliRunner().invoke(main, ["rules"]).output


def test_lint_config_takes_fail_on_rejected(tmp_path):
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.qppfiles]\nfail-on = "rejected"\n')
    args = ["lint", str(POINTS_ONLY), "--config", str(config), "-j", "1"]
    assert CliRunner().invoke(main, args).exit_code == 0
    assert CliRunner().invoke(main, ["lint", str(REJECTED), "--config", str(config), "-j", "1"]).exit_code == 1
    config.write_text('[tool.qppfiles]\nfail-on = "points"\n')
    assert CliRunner().invoke(main, args).exit_code == 2
