"""One verdict per file: score runs the checks of validate and never scores what they reject."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.formats.qppjson import read
from qppfiles.pipeline.validate import validate_bytes
from qppfiles.scoring import score_submission

from .conftest import FIXTURES

RULES = FIXTURES / "invalid" / "rules"


def score_json(path, *args):
    result = CliRunner().invoke(main, ["score", str(path), "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("name, measure_id, code", [
    ("A101-negative-count", "039", "A101"),            # a negative count
    ("A103-parts-exceed-population", None, "A103"),    # parts larger than the whole
    ("M103-mvp-only-measure-in-mips", "128", "M103"),  # not allowed under the set's program
    ("R102-measure-outside-mvp", None, "R102"),        # not part of the MVP
])
def test_a_measure_validation_rejects_scores_nothing(name, measure_id, code):
    path = RULES / f"{name}.json"
    data = score_json(path)
    assert data["validity"]["valid"] is False and data["validity"]["errors"] >= 1
    [rejected] = [m for m in data["measures"] if m["reason"].startswith(f"not scored: {code} ")]
    assert rejected["points"] == 0 and rejected["picked"] is False
    assert measure_id is None or rejected["measureId"] == measure_id
    assert any(line.startswith(f"quality {rejected['measureId']}: not scored: {code} ") for line in data["notScored"])
    # Without the screening the same measurement would have earned points.
    sub = read(path.read_bytes()).submission
    unscreened = score_submission(sub).measure(rejected["measureId"], "quality")
    assert unscreened is not None and unscreened.points > 0


@pytest.mark.parametrize("name, code", [("P105-no-cehrt-id", "P105"), ("Y104-pi-92-days-in-2024", "Y104"),
                                        ("P106-2015-edition-id-in-2024", "P106")])
def test_pi_without_cehrt_id_or_minimum_period_earns_no_credit(name, code):
    """cms-corrections A.7: a PI set the validator rejects for its CEHRT ID or its period scores 0."""
    path = RULES / f"{name}.json"
    data = score_json(path)
    pi = data["categories"]["pi"]
    assert pi["score"] == 0 and pi["reasons"][0].startswith(f"PI earns no credit: {code} ")
    assert any(line.startswith(f"pi: no credit: {code} ") for line in data["notScored"])
    assert not any(m["category"] == "pi" and m["points"] > 0 for m in data["measures"])


def test_valid_file_says_so_and_scores_as_before():
    path = FIXTURES / "2024" / "individual-traditional.json"
    data = score_json(path)
    validity = data["validity"]
    assert (validity["valid"], validity["status"], validity["errors"], validity["rejectedAtIntake"]) == \
        (True, "valid", 0, 0)
    plain = score_submission(read(path.read_bytes()).submission)
    assert data["finalScore"] == plain.final_score
    text = CliRunner().invoke(main, ["score", str(path)]).output
    assert "validity: No error: CMS intake would accept this file. (0 errors," in text


def test_invalid_file_text_shows_its_validity_and_what_was_not_scored():
    result = CliRunner().invoke(main, ["score", str(RULES / "A101-negative-count.json")])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    [validity] = [line for line in lines if line.startswith("validity: ")]
    assert "(1 error, " in validity and "CMS would" in validity
    assert any(line.startswith("  A101 ") and "measure 039" in line for line in lines)
    assert "could not be scored:" in lines
    assert "  quality 039: not scored: A101 performanceNotMet is -3: counts cannot be negative" in lines


def test_score_agrees_with_validate_on_every_rejected_measurement():
    """Every measurement an error of these kinds points at is absent from the counted measures."""
    from qppfiles.scoring.verdict import MEASURE_CODES

    for path in sorted(RULES.glob("*.json")):
        report = validate_bytes(path.read_bytes(), str(path))
        if not any(f.code in MEASURE_CODES for f in report.findings):
            continue
        sub = read(path.read_bytes()).submission
        if sub is None or sub.performance_year is None:
            continue
        card = score_submission(sub, findings=report.findings)
        rejected = [m for m in card.measures if m.reason.startswith("not scored: ")]
        assert rejected, path.name
        assert all(not m.picked and m.points == 0 for m in rejected), path.name


def test_qrda3_measure_with_a_negative_count_is_not_scored(tmp_path):
    """QRDA III: a negative aggregate count (X133) takes its eCQM out of the estimate, located by XPath."""
    text = (FIXTURES / "qrda3" / "2024-individual-mips.xml").read_text(encoding="utf-8")
    first = text.index('<value value="', text.index('xsi:type="INT"') - 40)
    path = tmp_path / "negative.xml"
    path.write_text(text[:first] + text[first:].replace('<value value="', '<value value="-', 1), encoding="utf-8")
    data = score_json(path)
    assert data["validity"]["valid"] is False
    [m] = [m for m in data["measures"] if m["measureId"] == "001" and m["category"] == "quality"]
    assert m["points"] == 0 and m["reason"].startswith("not scored: X133 ")
    clean = score_json(FIXTURES / "qrda3" / "2024-individual-mips.xml")
    assert next(x for x in clean["measures"] if x["measureId"] == "001")["points"] > 0
