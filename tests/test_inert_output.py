"""Text from a file is inert: control, escape and bidi characters are shown escaped, never sent raw to a
terminal or a page, and HTML markup from a file stays text."""

from __future__ import annotations

import json
import os
import random
import re

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.formats import qppjson
from qppfiles.generate import fake_submission
from qppfiles.report.inert import inert

# What must never reach a terminal raw: C0 (newline aside, which the report itself uses), DEL, C1, bidi
# controls, surrogates.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
EVIL_ID = "\x1b[31mEVIL\u202e\x07"
EVIL_TIN = "12\x1b]0;pwned\x07"


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def evil(tmp_path, monkeypatch):
    """A submission whose TIN and first measure id carry terminal escape sequences and a bidi override, in a
    file whose name holds an escape sequence too."""
    data = json.loads(qppjson.write(fake_submission(2024, "group", random.Random(1))))
    data["taxpayerIdentificationNumber"] = EVIL_TIN
    quality = next(s for s in data["measurementSets"] if s["category"] == "quality")
    quality["measurements"][0]["measureId"] = EVIL_ID
    path = tmp_path / "sub\x1b[2Jmission.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return path


def test_inert_escapes_controls_bidi_and_surrogates():
    assert inert("plain text, 50% é ü 中文 \\ ok") == "plain text, 50% é ü 中文 \\ ok"
    assert inert("\x1b[31mred\x1b[0m") == "\\x1b[31mred\\x1b[0m"
    assert inert("a\tb\nc\rd\x00e\x7ff\x85g\x9bh") == "a\\x09b\\x0ac\\x0dd\\x00e\\x7ff\\x85g\\x9bh"
    assert inert("abc\u202edef\u2066\u200f\u061c") == "abc\\u202edef\\u2066\\u200f\\u061c"
    assert inert("x\ud800y\udfffz") == "x\\ud800y\\udfffz"
    assert inert("\u2028\u2029\ufffe\uffff") == "\\u2028\\u2029\\ufffe\\uffff"


def test_validate_text_shows_escape_sequences_escaped(evil):
    result = cli("validate", evil.name)
    assert result.exit_code == 1
    out = result.stdout
    assert RAW.search(out) is None
    assert "sub\\x1b[2Jmission.json" in out
    assert "measure \\x1b[31mEVIL\\u202e\\x07" in out
    assert "TIN '12\\x1b]0;pwned\\x07'" in out


def test_lint_text_shows_escape_sequences_escaped(evil):
    result = cli("lint", ".", "-j", "1")
    assert result.exit_code == 1
    assert RAW.search(result.stdout) is None
    assert "\\x1b[31mEVIL\\u202e\\x07" in result.stdout


def test_ci_reports_show_no_raw_controls(evil, monkeypatch):
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)
    github = cli("validate", evil.name, "--format", "github").stdout
    assert RAW.search(github) is None and "::error file=sub\\x1b[2Jmission.json," in github
    issues = json.loads(cli("validate", evil.name, "--format", "gitlab").stdout)
    assert all(RAW.search(i["description"]) is None for i in issues)
    sarif = json.loads(cli("validate", evil.name, "--format", "sarif").stdout)
    assert all(RAW.search(r["message"]["text"]) is None for r in sarif["runs"][0]["results"])


def test_json_report_keeps_values_exact(evil):
    report = json.loads(cli("validate", evil.name, "--format", "json").stdout)
    assert EVIL_ID in {f["measureId"] for f in report["files"][0]["findings"]}


@pytest.fixture
def evil_score(evil, tmp_path):
    """A scorable submission whose first quality measure id holds markup and escape sequences."""
    data = json.loads(evil.read_text(encoding="utf-8"))
    data["taxpayerIdentificationNumber"] = "123456789"
    quality = next(s for s in data["measurementSets"] if s["category"] == "quality")
    quality["measurements"][0]["measureId"] = "<script>alert(1)</script>" + EVIL_ID
    source = tmp_path / "score.json"
    source.write_text(json.dumps(data), encoding="utf-8")
    return source


def test_score_text_makes_file_values_inert(evil_score):
    text = cli("score", evil_score).stdout
    assert RAW.search(text) is None
    assert "<script>alert(1)</script>\\x1b[31mEVIL\\u202e\\x07" in text


def test_score_html_escapes_markup_and_makes_file_values_inert(evil_score, tmp_path):
    source = evil_score
    page = tmp_path / "score.html"
    assert cli("score", source, "--format", "html", "-o", page).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert RAW.search(html) is None
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[31mEVIL\\u202e\\x07" in html


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "junit", "sarif", "github", "gitlab"])
def test_a_file_name_that_is_not_utf8_is_reported_in_every_format(tmp_path, monkeypatch, fmt):
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    monkeypatch.delenv("CI_PROJECT_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "subs").mkdir()
    name = os.fsdecode(b"subs/bad\xff\x1b.json")
    try:
        with open(name, "w", encoding="utf-8") as handle:
            handle.write('{"entityType": "group"}')
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system takes UTF-8 names only")
    result = cli("validate", "subs", "--format", fmt)
    assert result.exit_code == 1, result.output
    assert RAW.search(result.stdout) is None
    if fmt == "sarif":
        uri = json.loads(result.stdout)["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert uri["artifactLocation"]["uri"] == "subs/bad%FF%1B.json"
    if fmt == "text":
        assert "subs/bad\\udcff\\x1b.json" in result.stdout
