"""The reports CI systems read, checked against their consumers' published schemas and rules:
SARIF 2.1.0 (OASIS schema), JUnit (Jenkins xUnit junit-10.xsd), GitLab Code Quality, GitHub annotations."""

from __future__ import annotations

import dataclasses
import io
import json
import random
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from lxml import etree

from qppfiles.cli import main
from qppfiles.formats import qppjson
from qppfiles.generate import fake_submission
from qppfiles.generate import faults
from qppfiles.model import codes
from qppfiles.model.file_report import FileReport
from qppfiles.model.findings import Finding
from qppfiles.model.findings import Location
from qppfiles.report import render
from qppfiles.report.github import escape_data
from qppfiles.report.github import escape_property

from .conftest import ROOT

DATA = Path(__file__).parent / "data"
CI_VARIABLES = ("GITHUB_WORKSPACE", "CI_PROJECT_DIR")


def sarif_schema():
    schema = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["id"].startswith("https://docs.oasis-open.org/sarif/sarif/v2.1.0/")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]
    return schema


def junit_schema():
    return etree.XMLSchema(etree.parse(str(DATA / "junit-10.xsd")))


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write(path: Path, seed: int, fault: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    submission = fake_submission(2024, "group", random.Random(seed))
    if not fault:
        path.write_bytes(qppjson.write(submission))
        return
    data, applied = faults.inject(submission, [fault], random.Random(seed))
    assert applied == [fault]
    path.write_bytes(data)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """subs/ with a clean file, a file with an I101 error, and one with a warning only (Q103)."""
    write(tmp_path / "subs" / "a.json", 1)
    write(tmp_path / "subs" / "deep" / "c.json", 3, "I101")
    clean = json.loads((tmp_path / "subs" / "a.json").read_text())
    quality = next(s for s in clean["measurementSets"] if s["category"] == "quality")
    quality["measurements"] = quality["measurements"][:-1]
    (tmp_path / "subs" / "w.json").write_text(json.dumps(clean))
    for name in CI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def i101_rejected(monkeypatch):
    """I101 registered as refused at intake, whatever the register says today."""
    entry = codes.get("I101")
    monkeypatch.setitem(codes._REGISTRY, "I101", dataclasses.replace(entry, consequence="rejected"))


def findings_by_file(tree):
    report = json.loads(cli("validate", "subs", "--format", "json").output)
    return {f["path"].replace("\\", "/"): f["findings"] for f in report["files"]}


# --- SARIF ---------------------------------------------------------------------------------------------------

def test_the_shipped_sarif_schema_rejects_what_sarif_forbids():
    validator = jsonschema.Draft4Validator(sarif_schema())
    assert not validator.is_valid({"version": "2.0.0", "runs": []})
    assert not validator.is_valid({"version": "2.1.0", "runs": [{"tool": {"driver": {}}}]})
    assert validator.is_valid({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}}]})


def test_sarif_is_valid_and_every_alert_maps_to_a_repository_file(tree):
    result = cli("validate", "subs", "--format", "sarif")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    jsonschema.Draft4Validator(sarif_schema()).validate(doc)
    run = doc["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tree.as_uri() + "/"}}
    assert run["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted({r["id"] for r in rules})
    for rule in rules:
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith(f"**{rule['id']}**")
        assert f"qppfiles explain {rule['id']}" in rule["help"]["text"]
    uris = set()
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["message"]["text"]
        physical = res["locations"][0]["physicalLocation"]
        assert physical["region"]["startLine"] >= 1
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        uris.add(physical["artifactLocation"]["uri"])
    expected = findings_by_file(tree)
    assert uris == {path for path, found in expected.items() if found}
    assert {"subs/deep/c.json", "subs/w.json"} <= uris
    assert len(run["results"]) == sum(len(v) for v in expected.values())
    i101 = next(r for r in run["results"] if r["ruleId"] == "I101")
    assert rules[i101["ruleIndex"]]["defaultConfiguration"] == {"level": "error"}
    prints = [r["partialFingerprints"]["qppfilesFinding/v1"] for r in run["results"]]
    assert len(set(prints)) == len(prints)
    gitlab = json.loads(cli("validate", "subs", "--format", "gitlab").output)
    assert prints == [i["fingerprint"] for i in gitlab]
    q103 = next(r for r in run["results"] if r["ruleId"] == "Q103")
    assert q103["level"] == "warning" and rules[q103["ruleIndex"]]["defaultConfiguration"] == {"level": "warning"}


def test_sarif_paths_are_relative_to_the_github_workspace(tree, monkeypatch):
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tree / "subs"))
    doc = json.loads(cli("validate", "subs", "--format", "sarif").output)
    run = doc["runs"][0]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert {"deep/c.json", "w.json"} <= uris and all(not u.startswith("subs/") for u in uris)
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tree / "subs").as_uri() + "/"


def test_sarif_uris_are_percent_encoded(tree):
    write(tree / "odd dir" / "50%.json", 3, "I101")
    doc = json.loads(cli("validate", "odd dir", "--format", "sarif").output)
    jsonschema.Draft4Validator(sarif_schema()).validate(doc)
    location = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "odd%20dir/50%25.json", "uriBaseId": "%SRCROOT%"}


def test_sarif_invocation_records_unread_inputs_and_fail_on(tree):
    result = cli("validate", "subs", "missing.json", "--format", "sarif")
    assert result.exit_code == 2
    invocation = json.loads(result.stdout)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False and invocation["exitCode"] == 2
    assert "missing.json" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    result = cli("validate", "subs/w.json", "--format", "sarif", "--fail-on", "warning")
    assert result.exit_code == 1
    assert json.loads(result.output)["runs"][0]["invocations"] == [{"executionSuccessful": True, "exitCode": 1}]
    result = cli("validate", "subs/w.json", "--format", "sarif")
    assert result.exit_code == 0
    assert json.loads(result.output)["runs"][0]["invocations"] == [{"executionSuccessful": True, "exitCode": 0}]


def test_sarif_shows_a_consequence_only_when_the_code_has_one(tree, i101_rejected):
    run = json.loads(cli("validate", "subs", "--format", "sarif").output)["runs"][0]
    i101 = next(r for r in run["results"] if r["ruleId"] == "I101")
    assert i101["properties"]["consequence"] == "rejected"
    assert i101["message"]["text"].endswith("(CMS rejects the file at intake.)")
    rule = run["tool"]["driver"]["rules"][i101["ruleIndex"]]
    assert rule["properties"]["consequence"] == "rejected"
    assert "**Consequence:** CMS rejects the file at intake." in rule["help"]["markdown"]
    q103 = next(r for r in run["results"] if r["ruleId"] == "Q103")
    assert "consequence" not in q103["properties"] and "CMS" not in q103["message"]["text"]


def test_lint_writes_the_same_valid_sarif(tree):
    out = tree / "qppfiles.sarif"
    assert cli("lint", "subs", "--format", "sarif", "-j", "1", "-o", out).exit_code == 1
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(sarif_schema()).validate(doc)
    assert doc["runs"][0]["invocations"][0]["exitCode"] == 1


# --- JUnit ---------------------------------------------------------------------------------------------------

def junit(tree, *args):
    out = tree / "junit.xml"
    out.unlink(missing_ok=True)
    code = cli("validate", "subs", "--format", "junit", "-o", out, *args).exit_code
    doc = etree.parse(str(out))
    junit_schema().assertValid(doc)
    return code, doc


def test_junit_is_valid_with_one_case_per_file_and_counts(tree):
    code, doc = junit(tree)
    assert code == 1
    root = doc.getroot()
    cases = root.findall(".//testcase")
    assert sorted(c.get("name").replace("\\", "/") for c in cases) == ["subs/a.json", "subs/deep/c.json",
                                                                        "subs/w.json"]
    suite = root.find("testsuite")
    for element in (root, suite):
        assert (element.get("tests"), element.get("failures"), element.get("errors")) == ("3", "1", "0")
        assert float(element.get("time")) >= 0
    failed = {c.get("name").replace("\\", "/"): c.find("failure") for c in cases if c.find("failure") is not None}
    assert list(failed) == ["subs/deep/c.json"]
    errors = [f for f in findings_by_file(tree)["subs/deep/c.json"] if f["severity"] == "error"]
    assert failed["subs/deep/c.json"].get("message") == f"{len(errors)} error(s): CMS rejects the file at intake"
    assert failed["subs/deep/c.json"].text.splitlines() == [
        f"{f['code']} error {f['location']['line']}:{f['location']['column']} {f['location']['pointer']}: "
        f"{f['message']} [{f['consequence']}]" for f in errors]
    warned = next(c for c in cases if c.get("name").endswith("w.json"))
    assert "Q103 warning" in warned.find("system-out").text


def test_junit_fail_on_warning_makes_warnings_failures(tree):
    code, doc = junit(tree, "--fail-on", "warning")
    assert code == 1
    root = doc.getroot()
    assert root.get("failures") == "2"
    warned = next(c for c in root.iter("testcase") if c.get("name").endswith("w.json"))
    failure = warned.find("failure")
    assert failure.get("type") == "warning" and failure.get("message") == "1 warning(s)"
    assert failure.text.startswith("Q103 warning")


def test_junit_counts_unread_files_as_errors(tree):
    (tree / "subs" / "empty.json").write_bytes(b"")
    (tree / "subs" / "big.json").write_bytes(b" " * 300_000 + b"{}")
    code, doc = junit(tree, "--max-file-size", "200k")
    assert code == 2
    root = doc.getroot()
    error = next(c for c in root.iter("testcase") if c.get("name").endswith("big.json")).find("error")
    assert error.get("type") == "F010"
    assert root.get("errors") == "1"


def test_junit_removes_characters_xml_cannot_carry():
    nasty = "bad \x1b[31m \x00\x08\x0b\x0c\x1f \ud800 \ufffe\uffff end"
    finding = Finding("I101", "error", "rules", f"TIN '{nasty}'", location=Location(pointer="/x", line=2))
    out = io.StringIO()
    render("junit", [FileReport(f"dir/{nasty}.json", "qpp-json", 2024, [finding])], out)
    text = out.getvalue()
    for ch in "\x1b\x00\x08\x0b\x0c\x1f\ud800\ufffe\uffff":
        assert ch not in text
    doc = etree.fromstring(text.encode("utf-8"))
    junit_schema().assertValid(doc)
    case = doc.find(".//testcase")
    assert case.get("name") == "dir/bad [31m    end.json"
    assert "TIN 'bad [31m    end'" in case.find("failure").text


def test_junit_failure_names_the_consequence(tree, i101_rejected):
    _, doc = junit(tree)
    failure = doc.getroot().find(".//failure")
    assert failure.get("type") == "rejected"
    assert failure.get("message").endswith(" error(s): CMS rejects the file at intake")
    assert [line for line in failure.text.splitlines() if line.startswith("I101")][0].endswith("[rejected]")


def test_lint_junit_is_valid_too(tree):
    out = tree / "lint.xml"
    assert cli("lint", "subs", "--format", "junit", "-j", "1", "--fail-on", "warning", "-o", out).exit_code == 1
    doc = etree.parse(str(out))
    junit_schema().assertValid(doc)
    assert doc.getroot().get("failures") == "2"


def test_lint_junit_follows_fail_on_from_the_configuration(tree):
    (tree / "pyproject.toml").write_text('[tool.qppfiles]\nfail-on = "warning"\n')
    out = tree / "lint.xml"
    assert cli("lint", "subs", "--format", "junit", "-j", "1", "-o", out).exit_code == 1
    assert etree.parse(str(out)).getroot().get("failures") == "2"
    out.unlink()
    assert cli("lint", "subs", "--format", "junit", "-j", "1", "--fail-on", "error", "-o", out).exit_code == 1
    assert etree.parse(str(out)).getroot().get("failures") == "1"


# --- GitLab Code Quality -------------------------------------------------------------------------------------

def test_gitlab_code_quality_issues(tree):
    result = cli("validate", "subs", "--format", "gitlab")
    assert result.exit_code == 1
    issues = json.loads(result.output)
    expected = findings_by_file(tree)
    assert len(issues) == sum(len(v) for v in expected.values())
    for issue in issues:
        assert set(issue) == {"type", "description", "check_name", "fingerprint", "severity", "categories",
                              "location"}
        assert issue["type"] == "issue" and issue["categories"] == ["Bug Risk"]
        assert set(issue["location"]) == {"path", "lines"} and set(issue["location"]["lines"]) == {"begin"}
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert len(issue["fingerprint"]) == 64 and int(issue["fingerprint"], 16) >= 0
        assert issue["location"]["lines"]["begin"] >= 1
        assert issue["description"].startswith(issue["check_name"] + ": ")
    i101 = next(i for i in issues if i["check_name"] == "I101")
    source = next(f for f in expected["subs/deep/c.json"] if f["code"] == "I101")
    assert i101["location"] == {"path": "subs/deep/c.json", "lines": {"begin": source["location"]["line"]}}
    assert i101["severity"] == "blocker"                    # an error CMS refuses the file for at intake
    assert i101["description"].startswith("I101: " + source["message"])
    q103 = next(i for i in issues if i["check_name"] == "Q103")
    assert q103["severity"] == "minor" and q103["location"]["path"] == "subs/w.json"
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    again = json.loads(cli("validate", "subs", "--format", "gitlab").output)
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]


def test_gitlab_fingerprint_changes_with_place_and_message():
    from qppfiles.report import fingerprint

    f = Finding("I101", "error", "rules", "TIN bad", location=Location(pointer="/tin", line=3, column=5))
    base = fingerprint("a.json", f)
    assert fingerprint("a.json", f) == base
    assert fingerprint("b.json", f) != base
    assert fingerprint("a.json", dataclasses.replace(f, message="TIN worse")) != base
    assert fingerprint("a.json", dataclasses.replace(f, code="I102")) != base
    assert fingerprint("a.json", f.located(Location(pointer="/tin", line=4, column=5))) != base
    assert fingerprint("a.json", f, 1) != base


def test_gitlab_severity_follows_the_consequence(tree, i101_rejected, monkeypatch):
    issues = json.loads(cli("validate", "subs", "--format", "gitlab").output)
    i101 = next(i for i in issues if i["check_name"] == "I101")
    assert i101["severity"] == "blocker" and i101["description"].endswith(". CMS rejects the file at intake.")
    entry = codes.get("I101")
    monkeypatch.setitem(codes._REGISTRY, "I101", dataclasses.replace(entry, consequence="points"))
    issues = json.loads(cli("validate", "subs", "--format", "gitlab").output)
    assert next(i for i in issues if i["check_name"] == "I101")["severity"] == "critical"


def test_gitlab_paths_follow_ci_project_dir_and_lint_takes_the_format(tree, monkeypatch):
    monkeypatch.setenv("CI_PROJECT_DIR", str(tree / "subs"))
    result = cli("lint", "subs", "--format", "gitlab", "-j", "1")
    assert result.exit_code == 1
    paths = {i["location"]["path"] for i in json.loads(result.output)}
    assert {"deep/c.json", "w.json"} <= paths and all(not p.startswith("subs/") for p in paths)


# --- GitHub annotations --------------------------------------------------------------------------------------

def test_github_annotations_use_workspace_relative_paths(tree, monkeypatch):
    lines = cli("validate", str(tree / "subs"), "--format", "github").output.splitlines()
    assert any(line.startswith("::error file=subs/deep/c.json,line=") and "title=I101::" in line for line in lines)
    assert any(line.startswith("::warning file=subs/w.json,") for line in lines)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tree / "subs"))
    lines = cli("validate", "subs", "--format", "github").output.splitlines()
    assert any(line.startswith("::error file=deep/c.json,line=") for line in lines)


def test_github_escapes_follow_the_workflow_command_rules(monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    finding = Finding("I101", "error", "rules", "100% wrong\nhere", location=Location(line=2, column=3))
    out = io.StringIO()
    render("github", [FileReport("/elsewhere/x: y,z.json", "qpp-json", 2024, [finding])], out)
    first = out.getvalue().splitlines()[0]
    assert first == "::error file=/elsewhere/x%3A y%2Cz.json,line=2,col=3,title=I101::100%25 wrong\\x0ahere [rejected]"


def test_reports_on_every_broken_fixture_are_valid(tmp_path, monkeypatch):
    """Every kind of finding the invalid fixtures raise (file, schema, rules, QRDA III) fits both schemas."""
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.chdir(ROOT)
    sarif = json.loads(cli("validate", "fixtures/invalid", "fixtures/qrda3", "--format", "sarif").stdout)
    jsonschema.Draft4Validator(sarif_schema()).validate(sarif)
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"][0] for r in results} >= {"F", "S", "A", "M"}
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("fixtures/")
               for r in results)
    out = tmp_path / "junit.xml"
    cli("validate", "fixtures/invalid", "fixtures/qrda3", "--format", "junit", "-o", out)
    doc = etree.parse(str(out))
    junit_schema().assertValid(doc)
    assert int(doc.getroot().get("failures")) == sum(1 for c in doc.iter("testcase") if c.find("failure") is not None)


# --- README recipes ------------------------------------------------------------------------------------------

def readme_yaml(heading: str):
    import yaml

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(heading):]
    block = section[section.index("```yaml\n") + 8:]
    return yaml.safe_load(block[:block.index("```")])


def qppfiles_commands(lines):
    import shlex

    for line in lines:
        words = shlex.split(line.split(" || ")[0], comments=True)
        if words and words[0] == "qppfiles":
            yield words[1:]


def test_readme_gitlab_recipe_writes_the_report_gitlab_reads(tree, monkeypatch):
    job = readme_yaml("#### GitLab CI")["qppfiles"]
    report = job["artifacts"]["reports"]["codequality"]
    commands = list(qppfiles_commands(job["script"]))
    assert commands == [["lint", "--format", "gitlab", "-o", report]]
    monkeypatch.setenv("CI_PROJECT_DIR", str(tree))
    assert cli(*commands[0], "-j", "1").exit_code == 1
    issues = json.loads((tree / report).read_text(encoding="utf-8"))
    assert {"subs/deep/c.json", "subs/w.json"} <= {i["location"]["path"] for i in issues}


def test_readme_github_recipe_uploads_the_sarif_it_writes(tree, monkeypatch):
    job = readme_yaml("#### GitHub Actions")["jobs"]["qppfiles"]
    assert job["permissions"]["security-events"] == "write"
    upload = next(s for s in job["steps"] if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif"))
    commands = list(qppfiles_commands(s["run"] for s in job["steps"] if "run" in s))
    assert commands[0] == ["lint", "--format", "sarif", "-o", upload["with"]["sarif_file"]]
    assert commands[1] == ["lint", "--format", "github"]
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tree))
    assert cli(*commands[0], "-j", "1").exit_code == 1
    doc = json.loads((tree / upload["with"]["sarif_file"]).read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(sarif_schema()).validate(doc)
    lines = cli(*commands[1], "-j", "1").output.splitlines()
    assert any(line.startswith("::error file=subs/deep/c.json,") for line in lines)
