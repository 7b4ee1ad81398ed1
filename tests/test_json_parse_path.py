"""One parse path for QPP JSON: every way in (``qppfiles.read``, ``validate``, ``convert``, the command line)
reports a broken text with the same finding, whichever parser (orjson or the json module) read it."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import qppfiles
from qppfiles.cli import main
from qppfiles.formats.qppjson import parse as json_parse

from .conftest import FIXTURES

_TEXT = json.dumps(json.loads((FIXTURES / "2024" / "individual-traditional.json").read_text()), indent=2)
_DEEP = "[" * 70 + "]" * 70  # with the top-level object, 71 levels
_SURROGATE = ("F002", "a string holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff): it is not valid Unicode "
                      "and cannot be written as UTF-8")

# name -> (text, code, message, pointer, line, column)
CASES = {
    "duplicate key": (
        _TEXT.replace('"entityType": "individual",', '"entityType": "individual",\n  "entityType": "group",', 1),
        "F008", "duplicate key 'entityType': readers disagree on which value wins; keep one", "/entityType", 3, 3),
    "too deep": (
        _TEXT.replace('"performanceYear": 2024,', f'"performanceYear": 2024,\n  "note": {_DEEP},', 1),
        "F007", "the JSON is nested deeper than 64 levels", "", 1, 1),
    "lone surrogate": (
        _TEXT.replace('"programName": "mips"', '"programName": "mips\\ud800"', 1),
        *_SURROGATE, "/measurementSets/0/programName", 10, 7),
}


@pytest.fixture(params=["orjson", "json"])
def parser(request, monkeypatch):
    if request.param == "json":
        monkeypatch.setattr(json_parse, "_orjson", None)
    elif json_parse._orjson is None:
        pytest.skip("orjson is not installed")


def _file_findings(findings):
    return [(f.code, f.message, f.location.pointer) for f in findings if f.layer == "file"]


@pytest.mark.parametrize("case", CASES)
def test_every_way_in_gives_the_same_finding(parser, case, tmp_path):
    text, code, message, pointer, line, column = CASES[case]
    data = text.encode()
    expected = [(code, message, pointer)]

    parsed = json_parse.parse(data)
    assert (parsed.document is not None) == (code == "F008")  # a file with a duplicate key still parses
    assert _file_findings(parsed.findings) == expected

    report = qppfiles.validate(data)
    assert _file_findings(report.findings) == expected
    located = next(f.location for f in report.findings if f.code == code)
    assert (located.line, located.column) == (line, column)

    with pytest.raises(qppfiles.ReadError) as read_error:
        qppfiles.read(data)
    assert _file_findings(read_error.value.findings) == expected

    with pytest.raises(qppfiles.ReadError) as convert_error:
        qppfiles.convert(data)
    assert _file_findings(convert_error.value.findings) == expected

    source = tmp_path / "submission.json"
    source.write_bytes(data)
    converted = CliRunner().invoke(main, ["convert", str(source)])
    assert converted.exit_code == 2
    assert f"{source}: unreadable: {message}" in converted.stderr
    validated = CliRunner().invoke(main, ["validate", str(source), "--format", "json"])
    assert validated.exit_code == 1
    (finding,) = [f for f in json.loads(validated.stdout)["files"][0]["findings"] if f["layer"] == "file"]
    assert (finding["code"], finding["message"], finding["location"]) == (
        code, message, {"pointer": pointer, "line": line, "column": column})
