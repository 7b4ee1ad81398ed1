"""Limits that keep hostile input bounded: the findings cap (F013), the schema layer's windows and early
stop, one-pass locating, and --max-file-size on every command that reads a submission.

The memory bound is measured in a child process (its own peak, VmHWM), so the parent's state does not
hide or inflate it; time is only a subprocess timeout, never an assertion.
"""

from __future__ import annotations

import copy
import json
import os
import random
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from qppfiles.checks import schema as schema_check
from qppfiles.cli import main
from qppfiles.cli.common import parse_size
from qppfiles.formats.qppjson import JsonLocator
from qppfiles.formats.qppjson.tokens import build as build_positions
from qppfiles.model.options import DEFAULT_MAX_FILE_SIZE
from qppfiles.model.options import DEFAULT_MAX_FINDINGS
from qppfiles.model.options import Options
from qppfiles.pipeline.validate import validate_bytes

from .conftest import FIXTURES
from .conftest import ROOT
from .test_hostile_files import PEAK_RSS

JSON_FIXTURE = FIXTURES / "2024" / "group-traditional.json"
BIG = 200_000
RSS_LIMIT_MB = 400


def _doc() -> dict:
    return json.loads(JSON_FIXTURE.read_text())


def _with_measurements(measurements: list) -> bytes:
    doc = _doc()
    doc["measurementSets"][0]["measurements"] = measurements
    return json.dumps(doc, separators=(",", ":")).encode()


def _negative(i: int) -> dict:
    return {"measureId": "236", "value": {"isEndToEndReported": True, "performanceMet": -1 - i % 7,
                                          "eligiblePopulation": 5}}


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


# ------------------------------------------------------------------ memory and the cap, in a child process

_CHILD = PEAK_RSS + textwrap.dedent("""
    import json, sys
    from collections import Counter
    from qppfiles.pipeline.validate import validate_path
    report = validate_path(sys.argv[1])
    print(json.dumps({
        "codes": Counter(f.code for f in report.findings),
        "layers": Counter(f.layer for f in report.findings),
        "unlocated": sum(1 for f in report.findings if f.location.pointer and f.location.line is None),
        "max_rss_mb": peak_rss_mb(),
    }))
""")


def _validate_in_child(path: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True, timeout=120,
                          env=env, cwd=str(ROOT))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB is Linux behaviour")
@pytest.mark.parametrize("case", ["null measurements", "negative counts"])
def test_a_file_broken_in_every_item_stays_bounded(tmp_path, case):
    if case == "null measurements":  # one schema finding per item
        measurements, layer = [None] * BIG, "schema"
    else:  # schema-valid, one or more rule findings per item
        measurements, layer = [_negative(i) for i in range(BIG)], "rules"
    path = tmp_path / "broken.json"
    path.write_bytes(_with_measurements(measurements))
    result = _validate_in_child(path)
    codes = Counter(result["codes"])
    assert codes.pop("F013") == 1
    assert sum(codes.values()) == DEFAULT_MAX_FINDINGS
    assert result["layers"][layer] == DEFAULT_MAX_FINDINGS
    assert result["unlocated"] == 0
    assert result["max_rss_mb"] < RSS_LIMIT_MB, result


# ------------------------------------------------------------------ the cap in the library and the CLI


def _nulls(n: int) -> bytes:
    return _with_measurements([None] * n)


def test_cap_reports_exactly_the_cap_and_one_note():
    report = validate_bytes(_nulls(50), options=Options(max_findings=10))
    assert len(report.findings) == 11
    note = report.findings[0]  # file layer first
    assert (note.code, note.severity, note.layer) == ("F013", "info", "file")
    assert "10 findings" in note.message and "--max-findings" in note.message
    assert report.errors == 10 and not report.valid


def test_below_the_cap_the_report_is_unchanged():
    unlimited = validate_bytes(_nulls(50), options=Options(max_findings=0)).findings
    assert "F013" not in {f.code for f in unlimited}
    assert len(unlimited) > 50
    for cap in (len(unlimited), len(unlimited) + 1, DEFAULT_MAX_FINDINGS):
        assert validate_bytes(_nulls(50), options=Options(max_findings=cap)).findings == unlimited
    capped = validate_bytes(_nulls(50), options=Options(max_findings=len(unlimited) - 1)).findings
    assert capped[0].code == "F013" and len(capped) == len(unlimited)


def _counting(generate, pulled: list):
    """``generate`` that also appends each item it yields to ``pulled``: how far a caller read."""
    def wrapper(*args):
        for item in generate(*args):
            pulled.append(item)
            yield item

    return wrapper


def test_rules_past_the_cap_are_not_computed(monkeypatch):
    from qppfiles import checks

    pulled = []
    monkeypatch.setattr(checks, "run", _counting(checks.run, pulled))
    data = _with_measurements([_negative(i) for i in range(2000)])
    report = validate_bytes(data, options=Options(max_findings=25))
    assert [f.code for f in report.findings].count("F013") == 1
    assert len(pulled) == 26  # the cap, and one more to know that there is more
    pulled.clear()
    assert len(validate_bytes(data, options=Options(max_findings=0)).findings) > 2000
    assert len(pulled) > 2000


def test_max_findings_option_of_validate(tmp_path):
    path = tmp_path / "nulls.json"
    path.write_bytes(_nulls(40))
    capped = invoke("validate", str(path), "--format", "json", "--max-findings", "5")
    assert capped.exit_code == 1
    findings = json.loads(capped.stdout)["files"][0]["findings"]
    assert [f["code"] for f in findings] == ["F013"] + ["S002"] * 5
    unlimited = json.loads(invoke("validate", str(path), "--format", "json", "--max-findings", "0").stdout)
    assert "F013" not in [f["code"] for f in unlimited["files"][0]["findings"]]
    assert [f["code"] for f in unlimited["files"][0]["findings"]].count("S002") == 40
    text = invoke("validate", str(path), "--max-findings", "3").stdout
    assert "F013" in text and "--max-findings" in text
    bad = invoke("validate", str(path), "--max-findings", "-1")
    assert bad.exit_code == 2


def test_max_findings_option_of_lint(tmp_path, monkeypatch):
    (tmp_path / "nulls.json").write_bytes(_nulls(40))
    monkeypatch.chdir(tmp_path)
    capped = invoke("lint", ".", "--format", "json", "--max-findings", "7")
    findings = json.loads(capped.stdout)["files"][0]["findings"]
    assert capped.exit_code == 1 and len(findings) == 8 and findings[0]["code"] == "F013"
    default = json.loads(invoke("lint", ".", "--format", "json").stdout)["files"][0]["findings"]
    assert "F013" not in [f["code"] for f in default]


def test_convert_caps_the_findings_it_prints(tmp_path):
    path = tmp_path / "negative.json"
    path.write_bytes(_with_measurements([_negative(i) for i in range(300)]))
    result = invoke("convert", str(path), "--to", "json", "--max-findings", "12")
    assert result.exit_code == 0 and json.loads(result.stdout)["measurementSets"]
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(path))]
    assert len(lines) == 13 and sum(" F013 " in line for line in lines) == 1


def test_f013_is_registered_and_explained():
    explained = invoke("explain", "F013")
    assert explained.exit_code == 0 and "--max-findings" in explained.stdout
    listed = invoke("rules", "--format", "json").stdout
    assert "F013" in listed


# ------------------------------------------------------------------ the schema layer


def _mutated_docs(seed: int, count: int):
    """Fixture documents with long arrays and random damage in their items, sets and strata."""
    rng = random.Random(seed)
    bases = [json.loads(p.read_text()) for p in sorted((FIXTURES / "2024").glob("*.json"))[:4]]
    damage = [None, "x", 1.5, -3, [], {}, True, {"bogus": 1}]
    for _ in range(count):
        doc = copy.deepcopy(rng.choice(bases))
        sets = doc.get("measurementSets", [])
        for ms in sets:
            measurements = ms.get("measurements", [])
            ms["measurements"] = [copy.deepcopy(rng.choice(measurements)) for _ in range(rng.randint(0, 40))] \
                if measurements else []
        sets.extend(copy.deepcopy(rng.choice(sets)) for _ in range(rng.randint(0, 3)) if sets)
        containers = []
        stack = [doc]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                containers.append(node)
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        for node in rng.sample(containers, min(len(containers), rng.randint(1, 12))):
            key = rng.choice(list(node) + ["unknownField"])
            if rng.random() < 0.3 and key in node:
                del node[key]
            else:
                node[key] = copy.deepcopy(rng.choice(damage))
        yield doc


def _errors(iter_errors, doc):
    return sorted((tuple(map(str, e.instance_path)), e.message) for e in iter_errors(doc))


@pytest.mark.skipif("jsonschema_rs" not in schema_check.available_backends(), reason="needs jsonschema-rs")
@pytest.mark.parametrize("budget", [1, 3, 8, 50])
def test_windows_give_exactly_the_errors_of_one_call(budget):
    validator = schema_check._validator("jsonschema_rs")
    for doc in _mutated_docs(budget, 60):
        whole = _errors(validator.iter_errors, doc)
        windowed = sorted((tuple(map(str, path)), e.message)
                          for path, e in schema_check._windows(validator.iter_errors, doc, budget))
        assert windowed == whole


@pytest.mark.skipif("jsonschema_rs" not in schema_check.available_backends(), reason="needs jsonschema-rs")
def test_windows_keep_each_backend_call_small(monkeypatch):
    validator = schema_check._validator("jsonschema_rs")
    per_call = []

    def counting(doc):
        errors = list(validator.iter_errors(doc))
        per_call.append(len(errors))
        return iter(errors)

    doc = json.loads(_nulls(20_000))
    found = list(schema_check._windows(counting, doc, 500))
    assert len(found) == 20_000
    assert max(per_call) <= 501 and len(per_call) >= 40
    per_call.clear()
    monkeypatch.setattr(schema_check, "BUDGET", 500)
    original = schema_check._validator
    monkeypatch.setattr(schema_check, "_validator",
                        lambda backend: _Spy(original(backend), per_call) if backend == "jsonschema_rs"
                        else original(backend))
    check = schema_check.check_document(doc, limit=10, backend="jsonschema_rs")
    assert len(check.problems) == 10 and not check.complete
    assert len(per_call) == 1  # stopped in the first window: the other 39 were never checked


class _Spy:
    def __init__(self, validator, per_call):
        self.validator, self.per_call = validator, per_call

    def is_valid(self, doc):
        return self.validator.is_valid(doc)

    def iter_errors(self, doc):
        errors = list(self.validator.iter_errors(doc))
        self.per_call.append(len(errors))
        return iter(errors)


@pytest.mark.parametrize("backend", schema_check.available_backends())
def test_check_document_limit(backend, monkeypatch):
    monkeypatch.setattr(schema_check, "BUDGET", 7)  # windows on, for jsonschema-rs
    for doc in _mutated_docs(99, 25):
        full = schema_check.validate_document(doc, backend=backend)
        for limit in (len(full), len(full) + 1):
            check = schema_check.check_document(doc, limit=limit, backend=backend)
            assert ([(p.pointer, p.message) for p in check.problems], check.complete) == (full, True)
        if len(full) > 1:
            limit = len(full) // 2
            check = schema_check.check_document(doc, limit=limit, backend=backend)
            assert len(check.problems) == limit and not check.complete
            assert {p.pointer for p in check.problems} <= {p for p, _ in full}


def test_python_backend_stops_reading_at_the_limit(monkeypatch):
    pulled = []
    monkeypatch.setattr(schema_check, "_errors_py", _counting(schema_check._errors_py, pulled))
    check = schema_check.check_document(json.loads(_nulls(5000)), limit=10, backend="jsonschema")
    assert len(check.problems) == 10 and not check.complete
    assert len(pulled) == 11


def test_available_backends_are_looked_up_once(monkeypatch):
    import builtins

    first = schema_check.available_backends()
    schema_check.validate_document({})  # the first check builds (and imports) the validator
    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name in schema_check.BACKENDS:
            raise AssertionError(f"{name} imported again")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    assert schema_check.available_backends() is first
    assert schema_check.validate_document({"entityType": "group"})  # still checks, without importing


# ------------------------------------------------------------------ one-pass locating


def _texts():
    for path in sorted(FIXTURES.rglob("*.json"))[:12]:
        try:
            doc = json.loads(path.read_text())
        except ValueError:
            continue
        yield json.dumps(doc, indent=2)
        yield json.dumps(doc, separators=(",", ":"))
    yield '{"a/b": {"c~d": [1, {"é": [true, null]}]}, "a": 1, "a": {"x": 2}, "\\u00e9t\\u00e9": "s"}'


class _OnePass(JsonLocator):
    """The locator with every batch of pointers placed in one pass, however few."""

    ONE_PASS_ABOVE = 0


def _full_map(text: str) -> JsonLocator:
    return JsonLocator(text, positions=build_positions(text))


def test_one_pass_agrees_with_the_position_map():
    for text in _texts():
        offsets = build_positions(text).offsets
        assert _OnePass(text).find_all(offsets) == {pointer: (offset, True) for pointer, offset in offsets.items()}


def test_line_columns_agree_with_the_position_map():
    for text in _texts():
        full = _full_map(text)  # lines by bisecting the indexed line starts
        counted = JsonLocator(text)  # lines by counting newlines
        offsets = list(build_positions(text).offsets.values()) + [0, len(text) - 1]
        placed = counted.line_columns(offsets)
        for offset in offsets:
            assert placed[offset] == full.line_col(offset) == counted.line_col(offset)


def test_one_pass_falls_back_to_the_nearest_ancestor():
    text = '{\n  "sets": [\n    {"m": [1, 2]},\n    {"m": []}\n  ]\n}'
    full = _full_map(text)
    asked = ["/sets/1/m/5", "/sets/7", "/nothing/here", "/sets/0/m/1/deeper", ""]
    found = _OnePass(text).positions(asked)
    for pointer in asked:
        assert found[pointer] == full.position(pointer), pointer


def test_many_findings_are_located_like_a_few():
    data = _nulls(200)
    doc = _doc()
    doc["measurementSets"][0]["measurements"] = [None] * 200
    pretty = json.dumps(doc, indent=2).encode()
    for blob in (data, pretty):
        many = validate_bytes(blob, options=Options(max_findings=0)).findings
        few = validate_bytes(blob, options=Options(max_findings=20)).findings  # located one by one
        located = {(f.code, f.location.pointer): f.location for f in many}
        assert len([f for f in few if f.code != "F013"]) == 20
        for f in few:
            if f.code != "F013":
                assert located[(f.code, f.location.pointer)] == f.location
        assert all(f.location.line is not None for f in many if f.location.pointer is not None)


# ------------------------------------------------------------------ sizes


@pytest.mark.parametrize("text, size", [("4096", 4096), ("500k", 500 * 1024), ("200M", 200 * 1024 ** 2),
                                        ("1.5G", 3 * 1024 ** 3 // 2), (" 2MB ", 2 * 1024 ** 2), ("1kb", 1024)])
def test_parse_size(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "lots", "0", "-1", "0.0001", "inf", "nan", "1e400", "M"])
def test_parse_size_refuses(text):
    with pytest.raises(click.BadParameter):
        parse_size(text)


@pytest.mark.parametrize("command", [["convert", "--to", "json"], ["score"]])
def test_convert_and_score_take_max_file_size(tmp_path, command):
    size = JSON_FIXTURE.stat().st_size
    refused = invoke(*command, str(JSON_FIXTURE), "--max-file-size", str(size - 1))
    assert refused.exit_code == 2
    assert f"{size:,}" in refused.stderr and "above the limit" in refused.stderr and refused.stdout == ""
    accepted = invoke(*command, str(JSON_FIXTURE), "--max-file-size", str(size))  # inclusive
    assert accepted.exit_code == 0 and accepted.stdout
    bad = invoke(*command, str(JSON_FIXTURE), "--max-file-size", "lots")
    assert bad.exit_code == 2 and "is not a size" in bad.output


def test_every_size_option_has_the_same_parser():
    for command in ("validate", "convert", "score"):
        result = invoke(command, str(JSON_FIXTURE), "--max-file-size", "inf")
        assert result.exit_code == 2 and "is not a size" in result.output, command
        help_text = invoke(command, "--help").stdout
        assert "--max-file-size" in help_text and "200M" in help_text, command


def test_file_above_the_limit_exits_2_in_validate_and_lint(tmp_path, monkeypatch):
    big = tmp_path / "big.json"
    big.write_bytes(JSON_FIXTURE.read_bytes())
    small = tmp_path / "fine.json"
    small.write_bytes(b"{}")
    result = invoke("validate", str(big), str(small), "--format", "json", "--max-file-size", "1k")
    assert result.exit_code == 2
    files = json.loads(result.stdout)["files"]
    assert [f["code"] for f in files[0]["findings"]] == ["F010"]
    assert files[1]["findings"]  # the other file is still checked and reported
    assert "big.json" in result.stderr and "above the limit" in result.stderr
    with open(big, "r+b") as fh:  # sparse: above lint's default limit without writing 200 MB; a submission's head
        fh.truncate(DEFAULT_MAX_FILE_SIZE + 1)
    monkeypatch.chdir(tmp_path)
    linted = invoke("lint", ".", "--format", "json")
    assert linted.exit_code == 2 and "above the limit" in linted.stderr


@pytest.mark.skipif("jsonschema_rs" not in schema_check.available_backends(), reason="needs jsonschema-rs")
def test_checking_a_file_imports_only_the_preferred_schema_backend():
    import subprocess
    import sys

    code = ("import sys; from qppfiles.pipeline.validate import validate_bytes; "
            "r = validate_bytes(b'{\"entityType\": 5}'); "
            "print(sorted({f.code for f in r.findings}), 'jsonschema' in sys.modules, 'jsonschema_rs' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    codes, python_backend, rust_backend = out.rsplit(" ", 2)
    assert "S00" in codes  # the schema was checked
    assert (python_backend, rust_backend.strip()) == ("False", "True")
