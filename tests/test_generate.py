"""qppfiles generate: fake fixtures for every year and level, tables of counts, templates, atomic writes."""

from __future__ import annotations

import json
import random

import click
import pytest
from click.testing import CliRunner

from qppfiles.checks.identifiers import npi_check_digit_ok
from qppfiles.cli.generate import generate
from qppfiles.formats import qppjson
from qppfiles.generate import fake_submission
from qppfiles.generate import levels_for
from qppfiles.generate.tables import Header
from qppfiles.generate.tables import InputError
from qppfiles.generate.tables import load
from qppfiles.generate.template import template
from qppfiles.pipeline.validate import validate_bytes
from qppfiles.program import supported_years
from qppfiles.program import year_pack
from qppfiles.report.atomic import WriteRefused
from qppfiles.report.atomic import write_atomic

from .conftest import FIXTURES

YEARS = list(supported_years())
EXAMPLES = FIXTURES / "generate"


@click.group()
def cli():
    pass


cli.add_command(generate)


def invoke(*args):
    return CliRunner().invoke(cli, ["generate", *map(str, args)], catch_exceptions=False)


def errors(data: bytes):
    return [(f.code, f.message) for f in validate_bytes(data).findings if f.severity == "error"]


# ---------------------------------------------------------------- fake

@pytest.mark.parametrize("year", YEARS)
def test_fake_submissions_of_every_level_validate_with_no_error(year):
    for level in levels_for(year):
        for seed in range(3):
            sub = fake_submission(year, level, random.Random(seed))
            assert sub.entity_type == level and sub.performance_year == year
            assert errors(qppjson.write(sub)) == [], (year, level, seed)


@pytest.mark.parametrize("year", [y for y in YEARS if y >= 2023])
def test_fake_mvp_submissions_use_the_mvp_and_validate(year):
    catalog_mvps = None
    for level in ("individual", "group", "subgroup"):
        sub = fake_submission(year, level, random.Random(11), mvp="random")
        quality = sub.sets("quality")[0]
        from qppfiles.catalog import load_catalog

        catalog_mvps = load_catalog(year).mvps
        mvp = catalog_mvps[quality.program_name]
        assert {m.measure_id for m in quality.measurements} <= set(mvp.quality_ids)
        assert len(quality.measurements) == year_pack(year).quality.mvp_required_measures
        assert errors(qppjson.write(sub)) == []


def test_fake_follows_the_year_pack():
    sub = fake_submission(2024, "individual", random.Random(3))
    pack = year_pack(2024)
    assert npi_check_digit_ok(sub.national_provider_identifier)
    assert len(sub.taxpayer_identification_number) == 9
    pi = sub.sets("pi")[0]
    assert pack.identifiers.is_valid_cehrt_id(pi.cehrt_id)
    present = {m.measure_id for m in pi.measurements}
    for requirement in pack.pi.requirements:
        assert any(set(option) <= present for option in requirement.options), requirement.name
    for m in sub.sets("quality")[0].measurements:
        counts = [m.value.counts] if hasattr(m.value, "counts") else [s.counts for s in m.value.strata]
        for c in counts:
            reported = c.performance_met + c.performance_not_met + c.eligible_population_exception
            assert reported <= c.eligible_population
            assert 100 * reported / c.eligible_population >= pack.quality.data_completeness_threshold_percent
            assert c.eligible_population >= pack.quality.case_minimum


def test_fake_is_deterministic_for_a_seed():
    a = qppjson.write(fake_submission(2025, "group", random.Random(42)))
    b = qppjson.write(fake_submission(2025, "group", random.Random(42)))
    c = qppjson.write(fake_submission(2025, "group", random.Random(43)))
    assert a == b and a != c


def test_fake_command_writes_valid_files_deterministically(tmp_path):
    for run in ("a", "b"):
        result = invoke("fake", "--year", 2023, "--level", "subgroup", "--count", 3, "--seed", 5,
                        "-o", tmp_path / run)
        assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert len(names) == 3 and all(n.startswith("2023-subgroup-") for n in names)
    for name in names:
        data = (tmp_path / "a" / name).read_bytes()
        assert data == (tmp_path / "b" / name).read_bytes()
        assert errors(data) == []


@pytest.mark.parametrize("year, level", [(2017, "virtualGroup"), (2019, "subgroup"), (2022, "subgroup")])
def test_a_level_the_year_does_not_have_is_a_usage_error(tmp_path, year, level):
    result = invoke("fake", "--year", year, "--level", level, "--seed", 1, "-o", tmp_path)
    assert result.exit_code == 2
    assert "does not report in" in result.output
    assert list(tmp_path.iterdir()) == []


def test_unknown_mvp_is_a_usage_error(tmp_path):
    result = invoke("fake", "--year", 2024, "--level", "group", "--mvp", "G9999", "--seed", 1, "-o", tmp_path)
    assert result.exit_code == 2 and "not an MVP of 2024" in result.output


def test_fake_qrda3(tmp_path):
    pytest.importorskip("qppfiles.formats.qrda3.writer")
    pytest.importorskip("faker")
    result = invoke("fake", "--year", 2024, "--level", "group", "--count", 2, "--seed", 9, "--to", "qrda3",
                    "-o", tmp_path)
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.xml"))
    assert len(files) == 2
    for path in files:
        data = path.read_bytes()
        assert data.lstrip().startswith(b"<?xml")
        assert b"Reporting organization" not in data  # Faker named the organisation
        report = validate_bytes(data)
        assert report.format == "qrda3" and report.errors == 0, report.findings


def test_fake_qrda3_for_a_year_without_ecqm_uuids_is_a_usage_error(tmp_path):
    pytest.importorskip("qppfiles.formats.qrda3.writer")
    result = invoke("fake", "--year", 2026, "--level", "group", "--seed", 1, "--to", "qrda3", "-o", tmp_path)
    assert result.exit_code == 2


# ---------------------------------------------------------------- from a table

CSV_HEADER = ["--year", 2024, "--entity-type", "individual", "--tin", "123456789", "--npi", "1234567893",
              "--cehrt-id", "0015C1234567ABC", "--start", "2024-07-01", "--end", "2024-12-31"]


def test_from_csv_builds_a_valid_submission(tmp_path):
    out = tmp_path / "sub.json"
    result = invoke("from", EXAMPLES / "individual-2024.csv", *CSV_HEADER, "-o", out)
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["entityType"] == "individual" and doc["nationalProviderIdentifier"] == "1234567893"
    by_category = {s["category"]: s for s in doc["measurementSets"]}
    assert set(by_category) == {"quality", "ia", "pi"}
    quality = by_category["quality"]
    assert (quality["performanceStart"], quality["performanceEnd"]) == ("2024-01-01", "2024-12-31")
    assert by_category["pi"]["performanceStart"] == "2024-07-01"
    assert by_category["pi"]["cehrtId"] == "0015C1234567ABC"
    strata = next(m for m in quality["measurements"] if m["measureId"] == "226")["value"]["strata"]
    assert [s["stratum"] for s in strata] == ["reporting", "performance", "combinedPopulations"]
    assert errors(out.read_bytes()) == []


@pytest.mark.parametrize("name", ["group-2024.yaml", "subgroup-mvp-2025.toml"])
def test_from_yaml_and_toml(tmp_path, name):
    out = tmp_path / "sub.json"
    result = invoke("from", EXAMPLES / name, "-o", out)
    assert result.exit_code == 0, result.output
    assert errors(out.read_bytes()) == []
    doc = json.loads(out.read_text())
    assert doc["performanceYear"] == (2024 if "2024" in name else 2025)


def test_options_override_the_file_header(tmp_path):
    sub, _ = load("x.yaml", (EXAMPLES / "group-2024.yaml").read_text(), Header(tin="987654321"))
    assert sub.taxpayer_identification_number == "987654321"


@pytest.mark.parametrize("content, where, words", [
    ("measureId,performanceMet,colour\n001,1,red\n", "line 1", "unknown column 'colour'"),
    ("# a comment\nmeasureId,performanceMet,eligiblePopulation\n001,12,40\n236,twelve,40\n", "line 4",
     "whole number"),
    ("measureId,performanceMet,eligiblePopulation\n001,12,40\nNOPE_1,1,2\n", "line 3", "not a measure of 2024"),
])
def test_csv_input_errors_name_the_line_and_exit_2(tmp_path, content, where, words):
    path = tmp_path / "counts.csv"
    path.write_text(content)
    result = invoke("from", path, *CSV_HEADER, "-o", tmp_path / "out.json")
    assert result.exit_code == 2
    assert where in result.output and words in result.output
    assert not (tmp_path / "out.json").exists()


def test_yaml_input_errors_name_the_line(tmp_path):
    path = tmp_path / "counts.yaml"
    path.write_text("year: 2024\nentity_type: group\ntin: '123456789'\nquality:\n"
                    "  - {measureId: '001', performanceMet: 10, eligiblePopulation: 40}\n"
                    "  - {measureId: '236', performanceMet: 1.5, eligiblePopulation: 40}\n")
    with pytest.raises(InputError) as info:
        load(str(path), path.read_text(), Header())
    assert info.value.where == "line 6"


def test_validation_errors_stop_the_write_unless_allowed(tmp_path):
    path = tmp_path / "counts.csv"
    # performanceMet above the eligible population: A103
    path.write_text("measureId,performanceMet,performanceNotMet,eligiblePopulation\n001,50,10,40\n")
    out = tmp_path / "out.json"
    result = invoke("from", path, *CSV_HEADER, "-o", out)
    assert result.exit_code == 1 and "A103" in result.output and not out.exists()
    result = invoke("from", path, *CSV_HEADER, "-o", out, "--allow-errors")
    assert result.exit_code == 0 and out.exists()


def test_from_to_qrda3(tmp_path):
    pytest.importorskip("qppfiles.formats.qrda3.writer")
    path = tmp_path / "ecqm.yaml"
    path.write_text("year: 2024\nentity_type: group\ntin: '123456789'\ncehrt_id: 0015CV68PDMRXVU\n"
                    "quality:\n  submission_method: electronicHealthRecord\n  measures:\n"
                    "    - {measureId: '236', performanceMet: 196, performanceNotMet: 119, eligiblePopulation: 315}\n")
    out = tmp_path / "sub.xml"
    result = invoke("from", path, "--to", "qrda3", "-o", out)
    assert result.exit_code == 0, result.output
    report = validate_bytes(out.read_bytes())
    assert report.format == "qrda3" and report.errors == 0


def test_from_to_qrda3_refuses_patients_not_reported(tmp_path):
    pytest.importorskip("qppfiles.formats.qrda3.writer")
    path = tmp_path / "ecqm.yaml"
    path.write_text("year: 2024\nentity_type: group\ntin: '123456789'\ncehrt_id: 0015CV68PDMRXVU\n"
                    "quality:\n  submission_method: electronicHealthRecord\n  measures:\n"
                    "    - {measureId: '236', performanceMet: 196, performanceNotMet: 85, eligiblePopulation: 315}\n")
    out = tmp_path / "sub.xml"
    result = invoke("from", path, "--to", "qrda3", "-o", out)
    assert result.exit_code == 2 and not out.exists()
    assert "reports 281 of its 315 eligible patients" in result.output


# ---------------------------------------------------------------- templates

@pytest.mark.parametrize("year, level, mvp, fmt", [
    (2017, "individual", None, "yaml"),
    (2020, "virtualGroup", None, "toml"),
    (2022, "apm", None, "yaml"),
    (2024, "group", None, "csv"),
    (2025, "subgroup", "G0053", "yaml"),
    (2026, "individual", None, "toml"),
])
def test_templates_state_the_year_rules_and_load_back(year, level, mvp, fmt):
    text = template(year, level, mvp, fmt)
    pack = year_pack(year)
    assert f"{pack.quality.data_completeness_threshold_percent:g}%" in text
    if level != "apm":
        for requirement in pack.pi.requirements:
            assert requirement.options[0][0] in text
    if mvp:
        assert f"MVP {mvp}" in text
    header = Header(year=year, entity_type=level) if fmt == "csv" else Header()
    sub, _ = load(f"t.{fmt}", text, header)
    assert sub.performance_year == year and sub.entity_type == level


def test_template_command_and_levels(tmp_path):
    out = tmp_path / "t.yaml"
    assert invoke("template", "--year", 2024, "--level", "group", "-o", out).exit_code == 0
    assert "40 points for full credit" in out.read_text()
    assert invoke("template", "--year", 2024, "--level", "group", "-o", out).exit_code == 2  # exists
    result = invoke("template", "--year", 2018, "--level", "subgroup")
    assert result.exit_code == 2 and "does not report in 2018" in result.output


# ---------------------------------------------------------------- atomic writes

def test_write_atomic_refuses_to_overwrite_without_force(tmp_path):
    target = tmp_path / "a.json"
    write_atomic(target, b"one")
    with pytest.raises(WriteRefused, match="--force"):
        write_atomic(target, b"two")
    assert target.read_bytes() == b"one"
    write_atomic(target, b"two", force=True)
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]  # no temporary file left


def test_write_atomic_never_writes_over_an_input(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(b"data")
    link = tmp_path / "link.csv"
    link.symlink_to(source)
    for target in (source, link, tmp_path / "." / "in.csv"):
        with pytest.raises(WriteRefused, match="input"):
            write_atomic(target, b"x", force=True, inputs=[source])
    assert source.read_bytes() == b"data"


def test_generate_from_refuses_overwrite_and_input(tmp_path):
    out = tmp_path / "sub.json"
    out.write_text("keep")
    args = ["from", EXAMPLES / "group-2024.yaml", "-o", out]
    result = invoke(*args)
    assert result.exit_code == 2 and "--force" in result.output and out.read_text() == "keep"
    assert invoke(*args, "--force").exit_code == 0 and out.read_text() != "keep"
    copy = tmp_path / "counts.yaml"
    copy.write_bytes((EXAMPLES / "group-2024.yaml").read_bytes())
    result = invoke("from", copy, "-o", copy, "--force")
    assert result.exit_code == 2 and "input" in result.output
    assert copy.read_bytes() == (EXAMPLES / "group-2024.yaml").read_bytes()
