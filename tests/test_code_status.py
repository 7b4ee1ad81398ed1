"""A status per code, as ruff keeps them: stable, preview, removed, redirected.

The register has no removed or redirected code yet, so these tests register temporary ones (Q9xx) and
take them out again; Q101 (data completeness) is the real code they redirect to or mark preview.
"""

from __future__ import annotations

import dataclasses
import json
from contextlib import ExitStack

import pytest
from click.testing import CliRunner

from qppfiles import checks
from qppfiles.checks import Hit
from qppfiles.checks import RuleCodeError
from qppfiles.checks import rule
from qppfiles.cli import main
from qppfiles.model import codes
from qppfiles.model.codes import STATUSES
from qppfiles.model.codes import RegisterError
from qppfiles.model.codes import all_codes
from qppfiles.model.codes import extra_entries
from qppfiles.model.codes import get
from qppfiles.model.findings import ERROR
from qppfiles.model.findings import WARNING
from qppfiles.model.findings import Finding
from qppfiles.model.findings import UnregisteredCode

from .conftest import FIXTURES

Q101_FILE = FIXTURES / "invalid" / "rules" / "Q101-data-completeness-71-percent.json"
VALID_FILE = FIXTURES / "2024" / "individual-traditional.json"


@pytest.fixture
def register():
    """Register entries for codes that exist only during the test."""
    with ExitStack() as stack:
        def add(code: str, **keywords):
            entry = {"severity": WARNING, "layer": "rules", "summary": f"A temporary code {code}.",
                     "explanation": "Registered by a test.", "source": "a test", **keywords}
            return stack.enter_context(extra_entries({code: entry}))[code]

        yield add


@pytest.fixture
def renamed(register):
    """Q901 was renamed Q101; Q902 was removed."""
    register("Q901", status="redirected", redirect_to="Q101")
    register("Q902", status="removed", summary="A check that was withdrawn.")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def codes_of(result) -> list[str]:
    return sorted({f["code"] for report in json.loads(result.stdout)["files"] for f in report["findings"]})


def test_every_code_has_a_status_and_the_real_register_is_all_stable():
    assert {c.status for c in all_codes()} == {"stable"}
    assert all(c.redirect_to == "" for c in all_codes())


def test_the_register_checks_status_and_redirect(register):
    with pytest.raises(RegisterError, match="Q905 in the register: status 'deprecated' is not one of"):
        register("Q905", status="deprecated")
    with pytest.raises(RegisterError, match="Q905 in the register: .*redirect_to"):
        register("Q905", status="redirected")
    with pytest.raises(RegisterError, match="Q905 in the register: .*redirect_to"):
        register("Q905", redirect_to="Q101")
    with pytest.raises(RegisterError, match="Q905 in the register: redirect_to names Q999, which is not in"):
        register("Q905", status="redirected", redirect_to="Q999")
    assert get("Q905") is None
    assert set(STATUSES) == {"stable", "preview", "removed", "redirected"}


def test_a_temporary_entry_is_gone_after_its_block():
    with extra_entries({"Q907": {"severity": WARNING, "layer": "rules", "summary": "On trial.",
                                 "explanation": "Registered by a test.", "source": "a test"}}):
        assert get("Q907").summary == "On trial."
        assert Finding.of("Q907").severity == WARNING
    assert get("Q907") is None
    q101 = get("Q101")
    with pytest.raises(RegisterError, match="Q101 is already in the register"):
        with extra_entries({"Q101": {"severity": WARNING, "layer": "rules", "summary": "Again.",
                                     "explanation": "Registered by a test.", "source": "a test"}}):
            pass
    assert get("Q101") == q101


def test_a_rule_names_only_its_code_and_the_register_gives_the_rest():
    with pytest.raises(TypeError):
        rule("Q101", ERROR)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        rule("Q101", summary="Positional.")  # type: ignore[call-arg]
    with pytest.raises(RuleCodeError, match="Q906 is not in the register"):
        rule("Q906")
    with pytest.raises(RuleCodeError, match="F001 is of the file layer"):
        rule("F001")
    with pytest.raises(RuleCodeError, match="Q101 is already taken"):
        rule("Q101")
    assert get("Q906") is None


def test_finding_of_reports_a_redirected_code_under_its_target_and_never_a_removed_one(renamed):
    f = Finding.of("Q901", "71% reported")
    assert (f.code, f.severity, f.layer) == ("Q101", get("Q101").severity, "rules")
    with pytest.raises(UnregisteredCode, match="Q902 was removed"):
        Finding.of("Q902", "never")


def test_rules_shows_the_status_of_every_code(renamed):
    listing = {c["code"]: c for c in json.loads(run("rules", "--format", "json").stdout)}
    assert listing["Q101"]["status"] == "stable" and "redirectTo" not in listing["Q101"]
    assert (listing["Q901"]["status"], listing["Q901"]["redirectTo"]) == ("redirected", "Q101")
    assert listing["Q902"]["status"] == "removed"
    table = run("rules").stdout
    q901 = next(line for line in table.splitlines() if "Q901" in line)
    q902 = next(line for line in table.splitlines() if "Q902" in line)
    assert "redirected to Q101" in q901 and "removed" in q902


def test_explain_shows_the_status(renamed):
    stable = run("explain", "Q101")
    assert stable.exit_code == 0 and "Status: stable" in stable.stdout
    moved = run("explain", "q901")
    assert moved.exit_code == 0
    assert "Q901 was renamed Q101" in moved.stdout and "Status: redirected" in moved.stdout
    assert get("Q101").summary in moved.stdout  # the explanation is the target's
    gone = run("explain", "Q902")
    assert gone.exit_code == 0 and "Status: removed" in gone.stdout and "withdrawn" in gone.stdout


def test_select_of_a_redirected_code_acts_on_its_target_with_a_warning(renamed):
    assert "Q101" in codes_of(run("validate", str(Q101_FILE), "--format", "json"))
    selected = run("validate", str(Q101_FILE), "--format", "json", "--select", "Q901")
    assert codes_of(selected) == ["Q101"]
    warnings = [line for line in selected.stderr.splitlines() if "Q901" in line]
    assert len(warnings) == 1 and "warning" in warnings[0] and "Q101" in warnings[0]
    ignored = run("validate", str(Q101_FILE), "--format", "json", "--ignore", "Q901")
    assert "Q101" not in codes_of(ignored) and "renamed 'Q101'" in ignored.stderr


@pytest.mark.parametrize("option", ["--select", "--ignore"])
def test_naming_a_removed_code_is_a_usage_error(renamed, option):
    result = run("validate", str(VALID_FILE), option, "Q902")
    assert result.exit_code == 2
    assert "'Q902' was removed" in result.stderr
    assert result.stdout == ""


def test_the_configuration_file_follows_redirects_and_refuses_removed_codes(renamed, tmp_path):
    config = tmp_path / "qppfiles.toml"
    config.write_text('select = ["Q901"]\n', encoding="utf-8")
    result = run("validate", str(Q101_FILE), "--format", "json", "--config", str(config))
    assert codes_of(result) == ["Q101"] and "renamed 'Q101'" in result.stderr
    config.write_text('[per-file-ignores]\n"**" = ["Q902"]\n', encoding="utf-8")
    refused = run("validate", str(VALID_FILE), "--config", str(config))
    assert refused.exit_code == 2 and "'Q902' was removed" in refused.stderr


@pytest.fixture
def own_rules(monkeypatch, register):
    """Rules registered by the test run with the real ones, and are gone afterwards with their codes."""
    monkeypatch.setattr(checks, "_RULES", checks.rules())
    return register


def test_a_removed_rule_is_never_run_and_a_preview_rule_is(own_rules):
    def everywhere(ctx):
        yield Hit("", "said of every file")

    own_rules("Q903", summary="A withdrawn check.", status="removed")
    own_rules("Q904", summary="A check on trial.", status="preview")
    rule("Q903")(everywhere)
    rule("Q904")(everywhere)
    found = codes_of(run("validate", str(VALID_FILE), "--format", "json", "--show-info"))
    assert "Q904" in found and "Q903" not in found


def test_a_preview_code_is_marked_in_sarif_rule_metadata(monkeypatch):
    entry = get("Q101")
    monkeypatch.setitem(codes._REGISTRY, "Q101", dataclasses.replace(entry, status="preview"))
    sarif = json.loads(run("validate", str(Q101_FILE), "--format", "sarif").stdout)
    rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "preview" in rules["Q101"]["properties"]["tags"]
    assert rules["Q101"]["properties"]["status"] == "preview"
    assert all("status" not in r["properties"] for code, r in rules.items() if code != "Q101")
    listing = {c["code"]: c for c in json.loads(run("rules", "--format", "json").stdout)}
    assert listing["Q101"]["status"] == "preview"
    assert "Status: preview" in run("explain", "Q101").stdout
