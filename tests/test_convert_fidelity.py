"""`qppfiles convert` never changes a number and never turns a valid file into one CMS refuses.

JSON -> QRDA III -> JSON over every valid fixture and over generated submissions: each round trip
either gives back every count identical, or is refused (exit 1, nothing written) with F014 (a number
would change) or F015 (the format has no place for the submission).
"""

from __future__ import annotations

import dataclasses
import json
import random
import re
from collections import Counter

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.formats import qppjson
from qppfiles.generate.fake import fake_submission
from qppfiles.generate.fake import levels_for
from qppfiles.model.submission import Counts
from qppfiles.model.submission import Measurement
from qppfiles.model.submission import MeasurementSet
from qppfiles.model.submission import SingleRateValue
from qppfiles.model.submission import Submission
from qppfiles.pipeline.conversion import changed_numbers

from .conftest import FIXTURES

VALID_JSON = sorted(p for p in FIXTURES.glob("20*/*.json"))
VALID_QRDA = sorted((FIXTURES / "qrda3").glob("*.xml"))
# An absent exclusion or exception is zero: QRDA III carries one only for a measure defining that population.
ZERO_WHEN_ABSENT = ("eligiblePopulationExclusion", "eligiblePopulationException", "numeratorExclusion")
COUNT_FIELDS = ("performanceMet", "performanceNotMet", "eligiblePopulation", "performanceRate", "numerator",
                "denominator", "observationInstances", "denominatorException") + ZERO_WHEN_ABSENT


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def numbers(doc: dict) -> dict:
    """{(category, measureId, stratum): {field: number}} of a QPP JSON document, written independently
    of the code under test."""
    doc = doc.get("data", {}).get("submission", doc)
    sets = doc.get("measurementSets", [doc] if "measurements" in doc else [])
    out = {}
    for mset in sets:
        for m in mset["measurements"]:
            value = m["value"]
            blocks = [(s.get("stratum"), s) for s in value["strata"]] if isinstance(value, dict) and \
                "strata" in value else [(None, value)]
            for stratum, block in blocks:
                if isinstance(block, dict):
                    fields = {k: block.get(k, 0 if k in ZERO_WHEN_ABSENT else None) for k in COUNT_FIELDS}
                    if stratum is None and "strata" in value:
                        fields["performanceRate"] = value.get("performanceRate")
                else:
                    fields = {"value": block}
                out[(mset["category"], m["measureId"], stratum)] = fields
    return out


def incomplete(doc: dict) -> bool:
    """Some eCQM count block reports fewer patients than its eligible population."""
    for (category, _, _), f in numbers(doc).items():
        if category == "quality" and f.get("eligiblePopulation") is not None:
            reported = sum(f[k] or 0 for k in ("performanceMet", "performanceNotMet",
                                                "eligiblePopulationExclusion", "eligiblePopulationException"))
            if reported < f["eligiblePopulation"]:
                return True
    return False


def round_trip(tmp_path, source) -> str:
    """Convert JSON -> QRDA III -> JSON; return "same" or the refusal code, asserting the contract."""
    xml, back = tmp_path / "out.xml", tmp_path / "back.json"
    there = invoke("convert", source, "--to", "qrda3", "-o", xml)
    assert "Traceback" not in there.output
    if there.exit_code != 0:
        assert there.exit_code == 1, there.output
        codes = set(re.findall(r": (F01[45]) error", there.stderr))
        assert codes, there.stderr
        assert not xml.exists()
        if "F014" in codes:
            assert incomplete(json.loads(source.read_text())) == ("not reported" in there.stderr)
        return "F014" if "F014" in codes else "F015"
    home = invoke("convert", xml, "--to", "json", "-o", back)
    assert home.exit_code == 0, home.stderr
    assert numbers(json.loads(back.read_text())) == numbers(json.loads(source.read_text()))
    return "same"


def test_every_valid_fixture_round_trips_identically_or_is_refused(tmp_path):
    outcomes = Counter()
    for path in VALID_JSON:
        work = tmp_path / path.parent.name / path.stem
        work.mkdir(parents=True)
        outcomes[round_trip(work, path)] += 1
    # eCQM sets below 100% data completeness, and years or registry measures QRDA III cannot hold.
    assert outcomes["F014"] >= 9 and outcomes["F015"] > 0 and outcomes["same"] == 0, outcomes


@pytest.mark.parametrize("xml", VALID_QRDA, ids=lambda p: p.name)
def test_valid_qrda3_fixtures_as_json_round_trip_identically(tmp_path, xml):
    source = tmp_path / "source.json"
    assert invoke("convert", xml, "--to", "json", "-o", source).exit_code == 0
    assert round_trip(tmp_path, source) == "same"


@pytest.mark.parametrize("target", ["json", "qrda3"])
def test_generated_submissions_round_trip_identically_or_are_refused(tmp_path, target):
    outcomes = Counter()
    for year in (2022, 2023, 2024, 2025):
        for level in levels_for(year):
            for seed in range(2):
                sub = fake_submission(year, level, random.Random(seed), target=target)
                source = tmp_path / f"{year}-{level}-{seed}.json"
                source.write_bytes(qppjson.write(sub))
                work = tmp_path / source.stem
                work.mkdir()
                outcomes[round_trip(work, source)] += 1
    if target == "qrda3":
        assert outcomes == Counter(same=sum(outcomes.values()))  # made for QRDA III: every one converts
    else:
        assert outcomes["F014"] > 0 and outcomes["F015"] > 0, outcomes


def test_unreported_patients_are_refused_with_the_numbers(tmp_path):
    doc = json.loads((FIXTURES / "2024" / "group-traditional.json").read_text())
    quality = next(s for s in doc["measurementSets"] if s["category"] == "quality")
    m236 = next(m for m in quality["measurements"] if m["measureId"] == "236")["value"]
    assert (m236["performanceMet"], m236["performanceNotMet"], m236["eligiblePopulation"]) == (196, 85, 315)
    source = tmp_path / "in.json"
    source.write_text(json.dumps(doc))
    out = tmp_path / "out.xml"
    result = invoke("convert", source, "--to", "qrda3", "-o", out)
    assert result.exit_code == 1 and not out.exists()
    assert "F014 error" in result.stderr
    assert "eCQM 236" in result.stderr and "reports 281 of its 315 eligible patients" in result.stderr
    assert "data completeness 89.2%" in result.stderr
    assert "performanceNotMet 119 instead of 85" in result.stderr


def test_complete_measures_convert(tmp_path):
    doc = json.loads((FIXTURES / "2024" / "group-traditional.json").read_text())
    quality = next(s for s in doc["measurementSets"] if s["category"] == "quality")
    for m in quality["measurements"]:
        for block in m["value"].get("strata", [m["value"]]):
            block["performanceNotMet"] = (block["eligiblePopulation"] - block["performanceMet"]
                                          - block.get("eligiblePopulationExclusion", 0)
                                          - block.get("eligiblePopulationException", 0))
    source = tmp_path / "in.json"
    source.write_text(json.dumps(doc))
    assert round_trip(tmp_path, source) == "same"


def test_more_patients_than_eligible_and_numerator_exclusions_are_refused(tmp_path):
    doc = json.loads((FIXTURES / "2024" / "group-traditional.json").read_text())
    quality = next(s for s in doc["measurementSets"] if s["category"] == "quality")
    value = next(m for m in quality["measurements"] if m["measureId"] == "236")["value"]
    value["performanceNotMet"] = 200  # 196 + 200 > 315
    source = tmp_path / "over.json"
    source.write_text(json.dumps(doc))
    result = invoke("convert", source, "--to", "qrda3")
    assert result.exit_code == 1 and "F014 error" in result.stderr and result.stdout == ""
    assert "more patients than its eligible population 315" in result.stderr
    assert "performanceNotMet as 119 instead of 200" in result.stderr


# -- the library comparison the command relies on ---------------------------------------------


def _sub(counts: Counts) -> Submission:
    return Submission(2024, "group", "123456789", None, None, (MeasurementSet(
        "quality", "electronicHealthRecord", None, None, "2024-01-01", "2024-12-31",
        (Measurement("236", SingleRateValue(counts, is_end_to_end=True)),)),))


def test_changed_numbers_names_each_change_and_treats_absent_exclusions_as_zero():
    before = _sub(Counts(196, 85, 315, 0, 0))
    assert changed_numbers(before, _sub(Counts(196, 85, 315, None, None))) == []
    assert changed_numbers(before, _sub(Counts(196, 119, 315, 0, 0))) == [
        "quality measure 236: performanceNotMet 85 would become 119"]
    assert changed_numbers(before, _sub(Counts(196, 85, 315, 3, 0))) == [
        "quality measure 236: eligiblePopulationExclusion 0 would become 3"]
    emptied = dataclasses.replace(before, measurement_sets=())
    assert changed_numbers(before, emptied) == ["quality measure 236 would be lost"]


# -- a valid input never becomes an output its own validate rejects ---------------------------


def qrda_json(tmp_path) -> dict:
    """The 2024 group QRDA III fixture as QPP JSON: a valid submission that converts back exactly."""
    out = tmp_path / "group.json"
    assert invoke("convert", FIXTURES / "qrda3" / "2024-group-mips.xml", "-o", out).exit_code == 0
    return json.loads(out.read_text())


def validate_exit(path) -> int:
    return invoke("validate", path).exit_code


def test_improvement_activity_without_id_in_qrda3_is_refused(tmp_path):
    xml = (FIXTURES / "qrda3" / "2024-group-mips.xml").read_text()
    xml = re.sub(r'(root="2\.16\.840\.1\.113883\.3\.7034") extension="[^"]*"', r"\1", xml, count=1)
    source = tmp_path / "ia.xml"
    source.write_text(xml)
    assert validate_exit(source) == 0  # a warning only: CMS's converter leaves the measureId out
    out = tmp_path / "ia.json"
    result = invoke("convert", source, "-o", out)
    assert result.exit_code == 1 and not out.exists()
    assert "F015 error" in result.stderr and "the converted file would not be: S002" in result.stderr


def test_improvement_activity_without_id_in_json_is_refused_by_the_writer(tmp_path):
    doc = qrda_json(tmp_path)
    ia = next(s for s in doc["measurementSets"] if s["category"] == "ia")
    ia["measurements"][0]["measureId"] = ""
    source = tmp_path / "ia.json"
    source.write_text(json.dumps(doc))
    result = invoke("convert", source, "-o", tmp_path / "ia.xml")
    assert result.exit_code == 1 and "F015 error" in result.stderr
    assert "An improvement activity has no measureId" in result.stderr


def assert_valid_but_refused(tmp_path, doc: dict, reason: str) -> None:
    """``doc`` validates, yet converting it to QRDA III is refused with F015 for ``reason``, writing nothing."""
    source, out = tmp_path / "in.json", tmp_path / "out.xml"
    source.write_text(json.dumps(doc))
    assert validate_exit(source) == 0
    result = invoke("convert", source, "-o", out)
    assert result.exit_code == 1 and not out.exists()
    assert "F015 error" in result.stderr and reason in result.stderr


def test_empty_quality_set_is_refused(tmp_path):
    doc = qrda_json(tmp_path)
    next(s for s in doc["measurementSets"] if s["category"] == "quality")["measurements"] = []
    assert_valid_but_refused(tmp_path, doc, "quality measurement set has no measures")


def test_virtual_group_without_tin_is_refused(tmp_path):
    doc = qrda_json(tmp_path)
    doc.update(entityType="virtualGroup", entityId="VG-12345")
    del doc["taxpayerIdentificationNumber"]
    assert_valid_but_refused(tmp_path, doc, "virtualGroup submission needs a TIN")


@pytest.mark.parametrize("direction", ["json-to-qrda3", "qrda3-to-json"])
def test_full_width_tin_is_carried_exactly_and_rejected_on_both_sides(tmp_path, direction):
    tin = "１２３４５６７８９"
    doc = qrda_json(tmp_path)
    doc["taxpayerIdentificationNumber"] = tin
    source = tmp_path / "fw.json"
    source.write_text(json.dumps(doc, ensure_ascii=False))
    if direction == "qrda3-to-json":
        xml = tmp_path / "fw.xml"
        assert invoke("convert", source, "-o", xml).exit_code == 0
        source = xml
    out = tmp_path / ("out.xml" if direction == "json-to-qrda3" else "out.json")
    assert validate_exit(source) == 1  # I101: the input is not valid either
    result = invoke("convert", source, "-o", out)
    assert result.exit_code == 0 and "I101" in result.stderr
    assert tin in out.read_text()
    assert "I101" in invoke("validate", out).stdout
