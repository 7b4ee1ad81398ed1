"""QRDA III fixtures: valid files are current writer output and pass every rule; each invalid
file yields exactly the structural (X1xx) findings its .expected file lists."""

from __future__ import annotations

import json
import re
from datetime import datetime
from datetime import timezone

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.formats import qppjson
from qppfiles.formats.qrda3 import read
from qppfiles.formats.qrda3 import write
from qppfiles.model.codes import all_codes

from .conftest import FIXTURES

QRDA = FIXTURES / "qrda3"
VALID = sorted(QRDA.glob("*.xml"))
SOURCES = QRDA / "source"
INVALID = sorted((QRDA / "invalid").glob("*.xml"))
LEVELS = ("individual", "group", "subgroup", "apm", "virtualGroup")

# Structural codes no fixture file carries, and why.
NOT_FROM_A_FIXTURE = {
    "X101": "the size limit is a run option (--max-file-size); any file trips it when the limit is set low",
    "X161": "said by the strict profile only, which needs the IG packages (tests/test_qrda3_strict.py)",
}
NEAR_MISS = sorted((QRDA / "near-miss").glob("*.xml"))
# CMS intake checks that have a near-miss file: a file that comes close and must stay clean.
NEAR_MISS_CODES = {f"X{n}" for n in range(160, 177) if n not in (161,)} | {"X112", "X133", "X141"}


def created(year: int) -> datetime:
    """The fixed creation time the valid fixtures are written with: mid-January after the year."""
    return datetime(year + 1, 1, 15, 12, 0, tzinfo=timezone.utc)


def validate(path):
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    (report,) = json.loads(result.stdout)["files"]
    return report


def year_of(path) -> int:
    return int(path.name[:4])


# -- valid files ----------------------------------------------------------------------


def test_every_valid_file_has_its_json_source_and_the_reverse():
    assert VALID and {p.stem for p in VALID} == {p.stem for p in SOURCES.glob("*.json")}


@pytest.mark.parametrize("xml", VALID, ids=lambda p: p.name)
def test_valid_file_has_no_error(xml):
    report = validate(xml)
    assert report["format"] == "qrda3" and report["performanceYear"] == year_of(xml)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert errors == [] and report["valid"] is True
    assert not [f for f in report["findings"] if f["code"].startswith("X")]


@pytest.mark.parametrize("xml", VALID, ids=lambda p: p.name)
def test_valid_file_is_current_writer_output_of_its_source(xml):
    source = SOURCES / f"{xml.stem}.json"
    loaded = qppjson.read(source.read_bytes(), str(source))
    assert loaded.findings == []
    assert write(loaded.submission, created=created(year_of(xml))) == xml.read_bytes(), (
        f"regenerate {xml.name} from source/{source.name}")


def as_cms_converts(source: dict) -> dict:
    """The JSON CMS's converter gives for the file written from ``source``: every set marked as
    coming from QRDA III, and in 2024 the CEHRT id on the PI set only."""
    out = json.loads(json.dumps(source))
    for mset in out["measurementSets"]:
        mset["source"] = "qrda3"
        if out["performanceYear"] == 2024 and mset["category"] != "pi":
            mset.pop("cehrtId", None)
    return out


@pytest.mark.parametrize("xml", VALID, ids=lambda p: p.name)
def test_valid_file_reads_back_to_its_source(xml):
    source = json.loads((SOURCES / f"{xml.stem}.json").read_text())
    result = read(xml.read_bytes(), str(xml))
    assert result.findings == []
    converted = json.loads(qppjson.write(result.submission))
    assert converted == as_cms_converts(source)
    assert all(s["source"] == "qrda3" for s in converted["measurementSets"])
    if year_of(xml) == 2024:
        assert [s["category"] for s in converted["measurementSets"] if "cehrtId" in s] in ([], ["pi"])


@pytest.mark.parametrize("year", [2024, 2025])
def test_every_level_is_covered_for_the_year(year):
    seen = {}
    for path in SOURCES.glob(f"{year}-*.json"):
        doc = json.loads(path.read_text())
        programs = {s["programName"] for s in doc["measurementSets"]}
        seen.setdefault(doc["entityType"], set()).update(programs)
        quality = [s for s in doc["measurementSets"] if s["category"] == "quality"]
        assert quality and all(s["submissionMethod"] == "electronicHealthRecord" for s in quality)
    assert set(LEVELS) <= set(seen)
    assert any(re.fullmatch(r"[GM]\d{4}", p) for p in seen["subgroup"])


def test_2026_cannot_be_written_until_the_catalog_has_ecqm_uuids(tmp_path):
    # When CMS publishes 2026 eCQM identifiers this fails: then add 2026 fixtures.
    source = FIXTURES / "2026" / "group-traditional.json"
    result = CliRunner().invoke(main, ["convert", str(source), "--to", "qrda3", "-o", str(tmp_path / "o.xml")])
    assert result.exit_code == 1
    assert "2026 measures catalog has no eCQM GUID" in result.stderr
    assert not list(QRDA.glob("2026-*.xml"))


# -- invalid files ----------------------------------------------------------------------


def expected(xml):
    pairs = set()
    for line in xml.with_suffix(".expected").read_text().splitlines():
        if line.strip():
            xpath, code = line.split("\t")
            pairs.add((xpath, code))
    return pairs


def test_every_invalid_file_has_its_expectation_and_the_reverse():
    assert INVALID
    assert {p.stem for p in INVALID} == {p.stem for p in (QRDA / "invalid").glob("*.expected")}


@pytest.mark.parametrize("xml", INVALID, ids=lambda p: p.name)
def test_invalid_file_gives_exactly_its_structural_findings(xml):
    report = validate(xml)
    structural = [f for f in report["findings"] if f["code"].startswith("X")]
    assert {(f["location"]["xpath"], f["code"]) for f in structural} == expected(xml)
    assert len(structural) == len(expected(xml)), "a finding is repeated"
    assert all(isinstance(f["location"]["line"], int) and f["location"]["line"] > 0 for f in structural)
    assert xml.name.split("-")[0] in {code for _, code in expected(xml)}, "file named after a code it lacks"


def test_every_structural_code_a_file_can_produce_has_a_fixture():
    readable = {c.code for c in all_codes() if re.fullmatch(r"X1\d\d", c.code)}
    covered = {code for xml in INVALID for _, code in expected(xml)}
    assert readable - covered == set(NOT_FROM_A_FIXTURE)
    assert not covered - readable


# -- near misses: one edit short of an intake check, so they must stay clean --------------


@pytest.mark.parametrize("xml", NEAR_MISS, ids=lambda p: p.name)
def test_near_miss_file_stays_clean(xml):
    report = validate(xml)
    assert report["valid"] is True and report["performanceYear"] == 2025
    assert [f for f in report["findings"] if f["code"].startswith("X")] == []


def test_every_intake_check_has_an_invalid_and_a_near_miss_file():
    assert {p.name.split("-")[0] for p in NEAR_MISS} == NEAR_MISS_CODES
    assert NEAR_MISS_CODES <= {p.name.split("-")[0] for p in INVALID}
