"""Counts and identifiers are ASCII digits only; strings a file holds never break a run or a terminal.

Python's int() and str.isdigit() accept full-width, Arabic-Indic and (isdigit) superscript digits;
before, a superscript count stopped the check of a QRDA III file with an internal error (F012) and a
full-width TIN passed as nine digits. Each case here is a finding that states the rule, never F012.
"""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.model.digits import MAX_COUNT
from qppfiles.model.digits import ascii_count
from qppfiles.model.digits import foreign_digit
from qppfiles.model.digits import is_ascii_digits

from .conftest import FIXTURES

JSON_FIXTURE = FIXTURES / "2024" / "group-traditional.json"
XML_FIXTURE = FIXTURES / "qrda3" / "2024-group-mips.xml"
RULE = "ASCII digits 0-9 only"
FULL_WIDTH_TIN = "１２３４５６７８９"


def validate(tmp_path, name: str, text: str, *extra):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(path), *extra])
    assert "Traceback" not in result.output
    return result, json.loads(result.stdout)


def codes(report) -> set:
    return {f["code"] for f in report["files"][0]["findings"] if f["severity"] == "error"}


def messages(report, code: str) -> str:
    return " | ".join(f["message"] for f in report["files"][0]["findings"] if f["code"] == code)


def with_first_count(xml: str, value: str) -> str:
    return re.sub(r'(<value value=")\d+(" xsi:type="INT")', lambda m: m.group(1) + value + m.group(2), xml, count=1)


@pytest.mark.parametrize("count", ["1²", "²", "１２", "١٢", "۱۲", "9" * 11, "9" * 400, "9" * 5000])
def test_qrda3_count_in_other_digits_or_too_large_is_x133_stating_the_rule(tmp_path, count):
    result, report = validate(tmp_path, "count.xml", with_first_count(XML_FIXTURE.read_text(), count))
    assert result.exit_code == 1
    assert "F012" not in codes(report) and "X133" in codes(report)
    message = messages(report, "X133")
    assert RULE in message and f"0 to {MAX_COUNT:,}" in message
    assert len(message) < 400  # a 5,000-digit value is cut in the message


def test_qrda3_count_with_plus_sign_and_ascii_digits_still_reads():
    assert ascii_count("+12") == 12 and ascii_count("0012") == 12 and ascii_count(str(MAX_COUNT)) == MAX_COUNT
    assert ascii_count(str(MAX_COUNT + 1)) is None and ascii_count("1²") is None and ascii_count("１２") is None


@pytest.mark.parametrize("start", ["²024", "２０２４", "٢٠٢٤"])
def test_qrda3_period_in_other_digits_is_x124_not_an_internal_error(tmp_path, start):
    xml = XML_FIXTURE.read_text().replace('<low value="2024', f'<low value="{start}', 1)
    result, report = validate(tmp_path, "period.xml", xml)
    assert result.exit_code == 1
    assert "F012" not in codes(report) and "X124" in codes(report)
    assert "ASCII digits" in messages(report, "X124")


def test_full_width_tin_in_qrda3_is_i101_stating_the_rule(tmp_path):
    xml = re.sub(r'(root="2\.16\.840\.1\.113883\.4\.2" extension=")\d+"', rf'\g<1>{FULL_WIDTH_TIN}"',
                 XML_FIXTURE.read_text(), count=1)
    result, report = validate(tmp_path, "tin.xml", xml)
    assert result.exit_code == 1 and "I101" in codes(report)
    assert "'１' is not one of 0-9" in messages(report, "I101") and RULE in messages(report, "I101")


def test_full_width_or_arabic_indic_npi_is_i102(tmp_path):
    doc = json.loads((FIXTURES / "2024" / "individual-traditional.json").read_text())
    doc["nationalProviderIdentifier"] = "١٢٣٤٥٦٧٨٩٣"
    result, report = validate(tmp_path, "npi.json", json.dumps(doc, ensure_ascii=False))
    assert result.exit_code == 1 and "I102" in codes(report) and "F012" not in codes(report)
    assert "'١' is not one of 0-9" in messages(report, "I102")


@pytest.mark.parametrize("digits", [400, 5000])
def test_huge_json_counts_are_f006(tmp_path, digits):
    text = re.sub(r'"performanceMet": \d+', '"performanceMet": ' + "9" * digits, JSON_FIXTURE.read_text(), count=1)
    result, report = validate(tmp_path, "huge.json", text)
    assert result.exit_code == 1 and codes(report) == {"F006"}


# -- strings a file holds: never a crash, never raw on the terminal ------------------------------


def test_duplicate_key_holding_a_lone_surrogate_does_not_abort_the_batch(tmp_path):
    text = JSON_FIXTURE.read_text()
    bad = tmp_path / "a-bad.json"
    bad.write_text(text.replace('"performanceYear": 2024', '"performanceYear": 2024, "\\ud800": 1, "\\ud800": 2', 1))
    good = tmp_path / "b-good.json"
    good.write_text(text)
    for fmt in ("text", "json", "jsonl", "junit", "sarif", "github"):
        result = CliRunner().invoke(main, ["validate", "--format", fmt, str(bad), str(good)])
        assert result.exit_code == 1, (fmt, result.output)
        assert "internal error" not in result.output and "b-good.json" in result.stdout, fmt
    text_run = CliRunner().invoke(main, ["validate", str(bad), str(good)])
    assert "F008 error (rejected at intake) 4:41 /\\ud800: duplicate key '\\ud800'" in text_run.stdout
    lint = CliRunner().invoke(main, ["lint", str(tmp_path)])
    assert lint.exit_code == 1 and "internal error" not in lint.output


def test_control_characters_in_strings_are_shown_escaped(tmp_path):
    text = JSON_FIXTURE.read_text().replace('"measureId": "236"', '"measureId": "23\\u001b[2J6"', 1)
    path = tmp_path / "ctrl.json"
    path.write_text(text)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert "\x1b" not in result.output
    assert "M101" in result.stdout and "measure '23\\x1b[2J6' is not a quality measure" in result.stdout


def test_digit_helpers():
    assert is_ascii_digits("0123") and not is_ascii_digits("") and not is_ascii_digits("１") \
        and not is_ascii_digits("²")
    assert foreign_digit("12３") == "３" and foreign_digit("12a") is None and foreign_digit("x²") == "²"


# -- generate from: the same rule for tables ---------------------------------------------------


@pytest.mark.parametrize("field, value, expected", [
    ("performanceMet", "'１２'", RULE),
    ("performanceMet", "'٣'", RULE),
    ("performanceMet", "99999999999999", "from 0 to 2,147,483,647"),
    ("performanceMet", "'" + "9" * 5000 + "'", "5,000 characters"),
])
def test_generate_from_refuses_other_digits_and_huge_counts(tmp_path, field, value, expected):
    path = tmp_path / "table.yaml"
    path.write_text("year: 2024\nentity_type: group\ntin: '123456789'\n"
                    "quality:\n  submission_method: registry\n  measures:\n"
                    f"    - {{measureId: '236', {field}: {value}, performanceNotMet: 1, eligiblePopulation: 40}}\n")
    result = CliRunner().invoke(main, ["generate", "from", str(path), "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 2, result.output
    assert expected in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out.json").exists()


def test_generate_from_refuses_a_year_in_other_digits(tmp_path):
    path = tmp_path / "table.yaml"
    path.write_text("year: '２０２４'\nentity_type: group\ntin: '123456789'\n")
    result = CliRunner().invoke(main, ["generate", "from", str(path), "-o", str(tmp_path / "out.json")])
    assert result.exit_code == 2 and RULE in result.output
