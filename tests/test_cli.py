"""The command line as users run it: validate, measures, rules, explain, --version."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from qppfiles import __version__
from qppfiles.cli import main

from .conftest import FIXTURES

VALID = {
    "entityType": "individual",
    "taxpayerIdentificationNumber": "000456789",
    "nationalProviderIdentifier": "1234567893",
    "performanceYear": 2024,
    "measurementSets": [],
}


def invoke(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content, indent=2).encode())
    return str(path)


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_help_lists_commands_with_examples():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("validate", "measures", "rules", "explain"):
        assert command in result.output
    assert "Examples" in invoke("validate", "--help").output


@pytest.mark.parametrize("content, code", [
    (b"", "F001"),
    (b"\x00\x01\x02binary", "F004"),
    (b'{"performanceYear": 2024, "entityType": "gro', "F005"),
    (b"[]", "F009"),
    (b'{"performanceYear": 2024, "performanceYear": 2025}', "F008"),
])
def test_bad_files_give_one_file_finding_and_exit_1(tmp_path, content, code):
    path = write(tmp_path, "bad.json", content)
    result = invoke("validate", path, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    findings = report["files"][0]["findings"]
    assert [f["code"] for f in findings] == [code]
    assert findings[0]["layer"] == "file"
    assert findings[0]["location"]["line"] is not None or code == "F001"
    assert report["summary"] == {"files": 1, "errors": 1, "warnings": 0}


def test_wrong_type_and_unknown_key_are_schema_findings_with_lines(tmp_path):
    doc = dict(VALID, performanceYear="2024", colour="blue")
    path = write(tmp_path, "typed.json", doc)
    result = invoke("validate", path, "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.output)["files"][0]["findings"]
    by_pointer = {f["location"]["pointer"]: f for f in findings if f["layer"] == "schema"}
    assert by_pointer["/performanceYear"]["code"] == "S002"
    assert by_pointer["/colour"]["code"] == "S003"
    text = open(path).read().splitlines()
    assert '"colour"' in text[by_pointer["/colour"]["location"]["line"] - 1]


def test_json_output_keys(tmp_path):
    path = write(tmp_path, "x.json", b"[]")
    report = json.loads(invoke("validate", path, "--format", "json").output)
    assert set(report) == {"version", "tool", "files", "summary"}
    assert report["version"] == "1" and report["tool"] == {"name": "qppfiles", "version": __version__}
    file = report["files"][0]
    assert set(file) == {"path", "format", "performanceYear", "valid", "findings"}
    assert file["format"] == "qpp-json" and file["valid"] is False
    assert set(file["findings"][0]) == {"code", "severity", "layer", "message", "measureId", "location",
                                        "consequence"}
    assert file["findings"][0]["consequence"] == "rejected"


def test_missing_path_exits_2_with_one_line(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "no such file" in result.output


def test_bad_option_exits_2():
    result = CliRunner().invoke(main, ["validate", "--format", "yaml", "x.json"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_continues_past_bad_files(tmp_path):
    paths = [write(tmp_path, f"{i}.json", b"{" if i % 2 else b"[]") for i in range(6)]
    result = invoke("validate", *paths, "--format", "json")
    report = json.loads(result.output)
    assert report["summary"]["files"] == 6 and report["summary"]["errors"] == 6


def test_directory_is_walked(tmp_path):
    write(tmp_path, "a.json", b"[]")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "b.json", b"{")
    write(tmp_path, "notes.txt", b"not a submission")
    report = json.loads(invoke("validate", str(tmp_path), "--format", "json").output)
    assert sorted(f["path"].rsplit("/", 1)[-1] for f in report["files"]) == ["a.json", "b.json"]


@pytest.mark.parametrize("fmt, marker", [
    ("junit", "<testsuites"), ("sarif", '"version": "2.1.0"'), ("github", "::error file="), ("jsonl", '"summary"'),
    ("text", "1 file(s) checked"),
])
def test_other_output_formats(tmp_path, fmt, marker):
    path = write(tmp_path, "bad.json", b'{"a": 1, "a": 2}')
    result = invoke("validate", path, "--format", fmt)
    assert result.exit_code == 1
    assert marker in result.output
    assert "F008" in result.output


def test_output_file(tmp_path):
    path = write(tmp_path, "bad.json", b"[]")
    out = tmp_path / "report.json"
    result = invoke("validate", path, "--format", "json", "-o", str(out))
    assert result.exit_code == 1 and json.loads(out.read_text())["summary"]["errors"] == 1


def test_max_file_size(tmp_path):
    path = write(tmp_path, "big.json", b" " * 2048 + b"{}")
    result = invoke("validate", path, "--format", "json", "--max-file-size", "1k")
    report = json.loads(result.stdout)
    assert [f["code"] for f in report["files"][0]["findings"]] == ["F010"]
    assert result.exit_code == 2  # refused unread: like any unreadable input


def test_parallel_run_matches_serial(tmp_path):
    paths = [write(tmp_path, f"{i}.json", b"[]" if i % 3 else b"{") for i in range(9)]
    serial = json.loads(invoke("validate", *paths, "--format", "json").output)
    parallel = json.loads(invoke("validate", *paths, "--format", "json", "-j", "2").output)
    assert serial == parallel


def test_parallel_json_lines_match_serial(tmp_path):
    fixtures = sorted(str(p) for p in (FIXTURES / "2024").glob("*.json"))
    paths = fixtures + [write(tmp_path, "broken.json", b"{"), str(tmp_path / "missing.json")]
    serial = invoke("validate", *paths, "--format", "jsonl")
    parallel = invoke("validate", *paths, "--format", "jsonl", "-j", "2")
    assert parallel.stdout == serial.stdout
    assert parallel.exit_code == serial.exit_code == 2  # the missing path
    lines = [json.loads(line) for line in parallel.stdout.splitlines()]
    assert [r["path"] for r in lines[:-1]] == paths[:-1]
    assert lines[-1]["summary"]["files"] == len(paths) - 1


def test_measures_search_and_json():
    result = invoke("measures", "--year", "2024", "--category", "quality", "--format", "json", "diabetes")
    data = json.loads(result.output)
    ids = {m["measure_id"] for m in data["measures"]}
    assert "001" in ids and all("iabetes" in m["title"] for m in data["measures"])
    table = invoke("measures", "--year", "2024", "--category", "ia")
    assert "106 measure(s)" in table.output


def test_measures_mvp_filter_and_show():
    data = json.loads(invoke("measures", "--year", "2024", "--mvp", "M0001", "--format", "json").output)
    assert data["measures"] and any(m["category"] == "quality" for m in data["measures"])
    shown = json.loads(invoke("measures", "show", "001", "--year", "2024", "--format", "json").output)
    assert shown["emeasure_id"] == "CMS122v12" and shown["benchmarks"]
    text = invoke("measures", "show", "001", "--year", "2024")
    assert "CMS122v12" in text.output


def test_measures_unknown_id_and_year_exit_2():
    assert CliRunner().invoke(main, ["measures", "show", "XYZ", "--year", "2024"]).exit_code == 2
    assert CliRunner().invoke(main, ["measures", "--year", "1999"]).exit_code == 2
    assert CliRunner().invoke(main, ["measures", "--year", "2024", "--mvp", "NOPE"]).exit_code == 2


def test_rules_and_explain():
    listing = json.loads(invoke("rules", "--format", "json").output)
    codes = {c["code"] for c in listing}
    assert {"F001", "F008", "S001", "I103", "M101", "A103"} <= codes
    explained = invoke("explain", "i103")
    assert explained.exit_code == 0 and "Luhn" in explained.output and "Source" in explained.output
    assert CliRunner().invoke(main, ["explain", "Z999"]).exit_code == 2


def test_bundled_example_is_valid():
    path = FIXTURES / "2024" / "group-traditional.json"
    if not path.exists():
        pytest.fail("the README's example fixture is missing")
    result = invoke("validate", str(path))
    assert result.exit_code == 0, result.output


def test_internal_error_is_a_finding_exit_2_and_the_run_goes_on(tmp_path, monkeypatch):
    import qppfiles.pipeline.validate as validate_module

    good = FIXTURES / "2024" / "group-traditional.json"
    calls = {"n": 0}
    real = validate_module.rule_findings

    def explode_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("boom")
        return real(*args, **kwargs)

    monkeypatch.setattr(validate_module, "rule_findings", explode_once)
    result = CliRunner().invoke(main, ["validate", str(good), str(good), "--format", "json"])
    assert result.exit_code == 2
    files = json.loads(result.stdout)["files"]
    assert [f["code"] for f in files[0]["findings"]] == ["F012"]
    assert "boom" in files[0]["findings"][0]["message"] and "report" in files[0]["findings"][0]["message"]
    assert files[1]["valid"] is True
