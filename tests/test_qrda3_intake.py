"""QRDA III read as CMS's intake reads it: the file's one year, APP files, and the converted JSON."""

from __future__ import annotations

import copy
import json

from click.testing import CliRunner
from lxml import etree

from qppfiles.cli import main

from . import qrda3_mutations as M
from .conftest import FIXTURES

QRDA = FIXTURES / "qrda3"


def _write(tmp_path, root, name="edited.xml"):
    path = tmp_path / name
    path.write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return path


def _edited(tmp_path, fixture, *edits):
    root = etree.fromstring((QRDA / fixture).read_bytes())
    for edit in edits:
        edit(root)
    return _write(tmp_path, root)


def _validate(path, *args):
    result = CliRunner().invoke(main, ["validate", "--format", "json", *args, str(path)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    (report,) = json.loads(result.stdout)["files"]
    return report


def _convert(path):
    result = CliRunner().invoke(main, ["convert", str(path), "--to", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _codes(report, severity=None):
    return [f["code"] for f in report["findings"] if severity is None or f["severity"] == severity]


def _quality_period(year):
    def edit(root):
        time = M.rp_time(M.section(root, M.QUALITY))
        M.xp(time, "h:low")[0].set("value", f"{year}0101")
        M.xp(time, "h:high")[0].set("value", f"{year}1231")
    return edit


# -- one performance year per file ------------------------------------------------------


def test_year_is_the_first_reporting_period_and_disagreement_is_one_finding(tmp_path):
    # The eCQM section comes first and says 2024; PI and IA say 2025.
    path = _edited(tmp_path, "2025-individual-mips.xml", _quality_period(2024))
    report = _validate(path)
    assert report["performanceYear"] == 2024
    assert _codes(report).count("X162") == 1
    assert "Y103" not in _codes(report)  # not once more per section and bound
    assert "X160" in _codes(report, "error")  # CMS's 2024 intake wants 2022-12-01
    assert "X131" in _codes(report, "error")  # 2025 GUIDs read against the file's year, 2024


def test_year_option_applies_to_reading_gate_and_rules(tmp_path):
    path = _edited(tmp_path, "2025-individual-mips.xml", _quality_period(2024))
    report = _validate(path, "--year", "2025")
    assert report["performanceYear"] == 2025
    codes = _codes(report)
    assert "X131" not in codes and "X160" not in codes  # the 2025 catalog reads the eCQMs
    assert codes.count("X162") == 1 and "Y103" not in codes


def test_year_option_picks_the_strict_package(tmp_path, monkeypatch):
    from qppfiles.formats.qrda3 import strict

    seen = []
    monkeypatch.setattr(strict, "validate", lambda data, ig_dir, year=None, **kw: seen.append(year) or [])
    path = QRDA / "2025-individual-mips.xml"
    _validate(path, "--profile", "strict", "--ig", str(tmp_path), "--year", "2024")
    _validate(path, "--profile", "strict", "--ig", str(tmp_path))
    assert seen == [2024, 2025]


def test_score_year_option_reads_the_file_as_that_year(tmp_path):
    path = _edited(tmp_path, "2025-individual-mips.xml", _quality_period(2024))

    def quality_measures(*args):
        result = CliRunner().invoke(main, ["score", str(path), "--format", "json", *args])
        assert result.exit_code == 0, result.output
        return [m["measureId"] for m in json.loads(result.stdout)["measures"] if m["category"] == "quality"]

    assert quality_measures() == []  # read as 2024 (the first period), whose catalog lacks the 2025 eCQMs
    assert len(quality_measures("--year", "2025")) == 6


def test_sections_in_the_same_year_give_no_year_finding(tmp_path):
    path = _edited(tmp_path, "2025-individual-mips.xml", M.pi_period_later_start)
    assert "X162" not in _codes(_validate(path))


# -- APP / APP Plus -----------------------------------------------------------------------


def _foreign_uuid(root):
    M.population_uuid(M.population(M.first_measure(root), "DENOM")).set("root", "0F0E0D0C-0B0A-4909-8807-060504030201")


def test_app_file_gets_warnings_for_ecqm_content_cms_does_not_check(tmp_path):
    app = _validate(_edited(tmp_path, "2025-apm-appPlus.xml", _foreign_uuid))
    assert app["valid"] is True
    (x132,) = [f for f in app["findings"] if f["code"] == "X132"]
    assert x132["severity"] == "warning" and "APP" in x132["message"]
    mips = _validate(_edited(tmp_path, "2025-individual-mips.xml", _foreign_uuid))
    assert "X132" in _codes(mips, "error") and mips["valid"] is False


def test_app_file_with_foreign_uuids_keeps_its_counts(tmp_path):
    original = _convert(QRDA / "2025-apm-appPlus.xml")
    edited = _convert(_edited(tmp_path, "2025-apm-appPlus.xml", _foreign_uuid))
    assert edited["measurementSets"][0]["measurements"] == original["measurementSets"][0]["measurements"]


def test_app_file_with_an_unknown_guid_is_a_warning(tmp_path):
    def unknown_guid(root):
        M.xp(M.first_measure(root), "h:reference/h:externalDocument/h:id")[0].set(
            "extension", "2c928084-0000-0000-0000-000000000000")
    report = _validate(_edited(tmp_path, "2025-apm-appPlus.xml", unknown_guid))
    assert "X131" in _codes(report, "warning") and report["valid"] is True


def test_cms_app_samples_convert(shared_dir):
    for year in (2022, 2024):
        sample = shared_dir / f"cms/qrda3-samples/{year}/{year}MIPSAPPGroupSampleQRDA-III-v1.0.xml"
        report = _validate(sample)
        assert not [c for c in _codes(report, "error") if c.startswith("X")], year
        converted = _convert(sample)
        quality = next(s for s in converted["measurementSets"] if s["category"] == "quality")
        assert quality["programName"] == "app1" and quality["measurements"]


# -- legacy improvement activity templates ---------------------------------------------------


def test_legacy_ia_section_is_said_and_not_converted(tmp_path):
    path = _edited(tmp_path, "2025-individual-mips.xml", M.legacy_ia_section)
    report = _validate(path)
    (x176,) = [f for f in report["findings"] if f["code"] == "X176"]
    assert x176["severity"] == "error" and "will not be received" in x176["message"]
    assert [s["category"] for s in _convert(path)["measurementSets"]] == ["quality", "pi"]


def test_legacy_ia_templates_are_read_for_the_years_cms_read_them(tmp_path):
    def as_2019(root):
        M.report_extension(root, "2017-07-01")
        for template in (M.QUALITY, M.PI, M.IA):
            time = M.rp_time(M.section(root, template))
            M.xp(time, "h:low")[0].set("value", "20190101")
            M.xp(time, "h:high")[0].set("value", "20191231")
    def legacy_activities(root):
        for tid in M.xp(M.section(root, M.IA), f"h:entry/h:organizer/h:templateId[@root='{M.IA_MEASURE}']"):
            tid.set("root", M.LEGACY_IA_MEASURE)
    path = _edited(tmp_path, "2025-individual-mips.xml", as_2019, legacy_activities, M.legacy_ia_section)
    report = _validate(path)
    assert report["performanceYear"] == 2019 and "X176" not in _codes(report)
    ia = next(s for s in _convert(path)["measurementSets"] if s["category"] == "ia")
    assert [m["measureId"] for m in ia["measurements"]] == ["IA_BE_24", "IA_PM_3"]


def test_file_with_only_a_legacy_ia_section_reports_nothing_to_cms(tmp_path):
    def only_ia(root):
        for template in (M.QUALITY, M.PI):
            component = M.section(root, template).getparent()
            component.getparent().remove(component)
    report = _validate(_edited(tmp_path, "2025-individual-mips.xml", only_ia, M.legacy_ia_section))
    assert {"X176", "X120"} <= set(_codes(report, "error"))


def test_ecqm_counts_are_read_as_cms_parses_them(tmp_path):
    def count(value):
        return lambda root: M.count_value(M.population(M.first_measure(root), "IPOP")).set("value", value)
    spaced = _validate(_edited(tmp_path, "2025-individual-mips.xml", count(" 377")))
    assert "X133" in _codes(spaced, "error")
    signed = _validate(_edited(tmp_path, "2025-individual-mips.xml", count("+377")))
    assert signed["valid"] is True and "X133" not in _codes(signed)


# -- the converted JSON -----------------------------------------------------------------------

SET_KEYS = {"category", "submissionMethod", "programName", "cehrtId", "performanceStart", "performanceEnd",
            "source", "measurements"}


def test_converted_sets_carry_source_and_nothing_invented():
    doc = _convert(QRDA / "2025-individual-mips.xml")
    assert set(doc) == {"entityType", "taxpayerIdentificationNumber", "nationalProviderIdentifier",
                        "performanceYear", "measurementSets"}
    for mset in doc["measurementSets"]:
        assert set(mset) <= SET_KEYS and mset["source"] == "qrda3"
    # 2025: the CEHRT id on the quality and PI sets, never on IA.
    assert sorted(s["category"] for s in doc["measurementSets"] if "cehrtId" in s) == ["pi", "quality"]


def test_2024_cehrt_id_is_on_the_pi_set_only():
    doc = _convert(QRDA / "2024-individual-mips.xml")
    assert [s["category"] for s in doc["measurementSets"] if "cehrtId" in s] == ["pi"]


def test_empty_first_npi_stays_empty(tmp_path):
    def empty_first_npi(root):
        performer = M.xp(root, "h:documentationOf/h:serviceEvent/h:performer")[0]
        first = copy.deepcopy(performer)
        M.xp(first, "h:assignedEntity/h:id[@root='2.16.840.1.113883.4.6']")[0].set("extension", "")
        performer.addprevious(first)
    doc = _convert(_edited(tmp_path, "2025-individual-mips.xml", empty_first_npi))
    assert doc["nationalProviderIdentifier"] == ""


def test_stratum_without_counts_gets_no_exception(shared_dir):
    doc = _convert(shared_dir / "cms/qrda3-samples/2024/2024MIPSGroupSampleQRDA-III-v1.0.xml")
    quality = next(s for s in doc["measurementSets"] if s["category"] == "quality")
    strata = next(m for m in quality["measurements"] if m["measureId"] == "370")["value"]["strata"]
    adults = next(s for s in strata if s["stratum"] == "adults")
    assert adults == {"stratum": "adults", "performanceMet": 0, "performanceNotMet": 0,
                      "eligiblePopulationExclusion": 0, "eligiblePopulation": 0}
