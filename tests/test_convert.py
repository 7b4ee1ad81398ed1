"""`qppfiles convert`: QRDA III ⇄ QPP JSON through the command line."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.pipeline.validate import validate_path

from .conftest import FIXTURES

QRDA_FIXTURES = sorted((FIXTURES / "qrda3").glob("*.xml"))


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("xml", QRDA_FIXTURES, ids=lambda p: p.name)
def test_qrda3_to_json_to_qrda3_to_json_is_stable(tmp_path, xml):
    first = tmp_path / "first.json"
    back = tmp_path / "back.xml"
    second = tmp_path / "second.json"
    assert run("convert", str(xml), "-o", str(first)).exit_code == 0
    assert run("convert", str(first), "--to", "qrda3", "-o", str(back)).exit_code == 0
    assert back.read_bytes().startswith(b"<?xml")
    assert run("convert", str(back), "-o", str(second)).exit_code == 0
    assert json.loads(first.read_text()) == json.loads(second.read_text())


def test_cms_sample_converts_like_cms_intake(shared_dir, tmp_path):
    sample = shared_dir / "cms" / "qrda3-samples" / "2024" / "2024MIPSGroupSampleQRDA-III-v1.0.xml"
    out = tmp_path / "sample.json"
    result = run("convert", str(sample), "-o", str(out))
    assert result.exit_code == 0
    doc = json.loads(out.read_text())
    assert doc["entityType"] == "group" and doc["performanceYear"] == 2024
    assert doc["taxpayerIdentificationNumber"] == "123456789"
    assert "nationalProviderIdentifier" not in doc
    quality = next(s for s in doc["measurementSets"] if s["category"] == "quality")
    assert quality["submissionMethod"] == "electronicHealthRecord"
    # CMS's 2024 conversion puts the CEHRT id on the PI set only, and marks every set as QRDA III.
    assert quality["programName"] == "mips" and "cehrtId" not in quality
    pi = next(s for s in doc["measurementSets"] if s["category"] == "pi")
    assert pi["cehrtId"] == "0015EUK17H3DCM9"
    assert [s["source"] for s in doc["measurementSets"]] == ["qrda3", "qrda3", "qrda3"]
    m236 = next(m for m in quality["measurements"] if m["measureId"] == "236")["value"]
    # performanceNotMet is DENOM - NUMER - DENEX - DENEXCEP, as CMS computes it
    assert m236 == {"isEndToEndReported": True, "performanceMet": 800, "performanceNotMet": 150,
                    "eligiblePopulationExclusion": 50, "eligiblePopulation": 1000}
    m226 = next(m for m in quality["measurements"] if m["measureId"] == "226")["value"]
    assert [s["stratum"] for s in m226["strata"]] == ["reporting", "performance", "combinedPopulations"]


def test_output_written_despite_rule_findings_which_go_to_stderr(tmp_path):
    xml = FIXTURES / "qrda3" / "2024-group-mips.xml"
    doc = json.loads(run("convert", str(xml)).stdout)
    doc["taxpayerIdentificationNumber"] = "12345"  # breaks rule I101, still representable
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc))
    out = tmp_path / "out.xml"
    result = CliRunner().invoke(main, ["convert", str(src), "-o", str(out)])
    assert result.exit_code == 0
    assert out.exists() and b"12345" in out.read_bytes()
    assert "I101" in result.stderr


def test_registry_measure_cannot_go_into_qrda3(tmp_path):
    doc = {"entityType": "individual", "taxpayerIdentificationNumber": "000456789",
           "nationalProviderIdentifier": "1234567893", "performanceYear": 2024,
           "measurementSets": [{"category": "quality", "submissionMethod": "registry",
                                "performanceStart": "2024-01-01", "performanceEnd": "2024-12-31",
                                "measurements": [{"measureId": "047", "value": {
                                    "isEndToEndReported": False, "performanceMet": 5,
                                    "performanceNotMet": 1, "eligiblePopulation": 6}}]}]}
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["convert", str(src), "--to", "qrda3", "-o", str(tmp_path / "o.xml")])
    assert result.exit_code == 1
    assert "047" in result.stderr
    assert not (tmp_path / "o.xml").exists()


def test_2026_says_the_catalog_lacks_ecqm_identifiers(tmp_path):
    xml = FIXTURES / "qrda3" / "2025-individual-mips.xml"
    doc = json.loads(run("convert", str(xml)).stdout)
    doc["performanceYear"] = 2026
    for ms in doc["measurementSets"]:
        ms["performanceStart"] = ms["performanceStart"].replace("2025", "2026")
        ms["performanceEnd"] = ms["performanceEnd"].replace("2025", "2026")
    src = tmp_path / "in.json"
    src.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["convert", str(src), "--to", "qrda3"])
    assert result.exit_code == 1
    assert "2026" in result.stderr and "UUID" in result.stderr


def test_never_overwrites_without_force_nor_the_input(tmp_path):
    xml = FIXTURES / "qrda3" / "2024-group-mips.xml"
    out = tmp_path / "out.json"
    out.write_text("keep")
    refused = CliRunner().invoke(main, ["convert", str(xml), "-o", str(out)])
    assert refused.exit_code == 2 and out.read_text() == "keep"
    assert run("convert", str(xml), "-o", str(out), "--force").exit_code == 0
    assert json.loads(out.read_text())["entityType"] == "group"
    copy = tmp_path / "in.xml"
    copy.write_bytes(xml.read_bytes())
    same = CliRunner().invoke(main, ["convert", str(copy), "--to", "qrda3", "-o", str(copy), "--force"])
    assert same.exit_code == 2 and copy.read_bytes() == xml.read_bytes()


@pytest.mark.parametrize("content", [b"", b"<not-closed", b"[1]"])
def test_unreadable_input_exits_2(tmp_path, content):
    src = tmp_path / "bad.json"
    src.write_bytes(content)
    result = CliRunner().invoke(main, ["convert", str(src)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_convert_reports_the_schema_layer_as_validate_does(tmp_path):
    """convert runs the same pipeline as validate: a schema finding of the input is reported too."""
    from .test_outputs import convertible_json

    doc = json.loads(convertible_json())
    doc["submittedBy"] = "someone"                      # not a field of the Submissions API
    source = tmp_path / "in.json"
    source.write_text(json.dumps(doc, indent=2))
    result = CliRunner().invoke(main, ["convert", str(source), "--to", "qrda3", "-o", str(tmp_path / "out.xml")])
    assert "S003" in result.stderr and "/submittedBy" in result.stderr
    report = validate_path(str(source))
    assert [f.code for f in report.findings if f.layer == "schema"] == ["S003"]
