"""The score and eligibility commands, through Click's test runner."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from qppfiles.cli.score import eligibility_command
from qppfiles.cli.score import score_command


@pytest.fixture()
def cli():
    group = click.Group()
    group.add_command(score_command)
    group.add_command(eligibility_command)
    runner = CliRunner()
    return lambda *args: runner.invoke(group, [str(a) for a in args])


@pytest.fixture()
def fixture_2024(fixtures_dir):
    path = fixtures_dir / "2024" / "individual-traditional.json"
    if not path.exists():
        pytest.skip("fixture 2024/individual-traditional.json absent")
    return path


def test_text_output(cli, fixture_2024):
    result = cli("score", fixture_2024)
    assert result.exit_code == 0, result.output
    assert "final score" in result.output and "performance threshold 75" in result.output
    assert "decile" in result.output and "what would raise the score most" in result.output


def test_json_output_and_options(cli, fixture_2024):
    result = cli("score", fixture_2024, "--format", "json", "--small-practice", "--cost", "60", "--complex-bonus", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["performanceYear"] == 2024
    assert data["categories"]["cost"] == {**data["categories"]["cost"], "score": 60.0, "weight": 30.0}
    plain = json.loads(cli("score", fixture_2024, "--format", "json", "--cost", "60").output)
    assert data["finalScore"] > plain["finalScore"]       # small-practice bonus, doubled IA, complex bonus


def test_reweight_and_year(cli, fixture_2024):
    data = json.loads(cli("score", fixture_2024, "--format", "json", "--reweight", "pi").output)
    assert data["categories"]["pi"]["reweighted"] and data["categories"]["quality"]["weight"] == 85
    other = json.loads(cli("score", fixture_2024, "--format", "json", "--year", "2023").output)
    assert other["performanceYear"] == 2023


def test_output_file_is_not_overwritten_without_force(cli, fixture_2024, tmp_path):
    out = tmp_path / "card.html"
    assert cli("score", fixture_2024, "--format", "html", "-o", out).exit_code == 0
    assert out.read_text().startswith("<!DOCTYPE html>")
    out.write_text("keep me")
    refused = cli("score", fixture_2024, "--format", "html", "-o", out)
    assert refused.exit_code == 2 and out.read_text() == "keep me"
    assert cli("score", fixture_2024, "-o", out, "--force").exit_code == 0
    assert "final score" in out.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["card.html"]    # no temporary file left


def test_unreadable_input_exits_2(cli, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"performanceYear": 2024, "measurementSets": [')
    result = cli("score", broken)
    assert result.exit_code == 2 and "unreadable" in result.output
    assert cli("score", tmp_path / "missing.json").exit_code == 2
    no_year = tmp_path / "no-year.json"
    no_year.write_text('{"measurementSets": []}')
    assert cli("score", no_year).exit_code == 2


def test_file_with_errors_is_scored(cli, tmp_path):
    path = tmp_path / "odd.json"
    path.write_text(json.dumps({"performanceYear": 2024, "measurementSets": [
        {"category": "quality", "submissionMethod": "registry", "measurements": [
            {"measureId": "NOPE", "value": {"performanceMet": 1, "performanceNotMet": 0, "eligiblePopulation": 1}},
            {"measureId": "236", "value": {"performanceMet": 0, "performanceNotMet": 0, "eligiblePopulation": 0}}]}]}))
    result = cli("score", path)
    assert result.exit_code == 0, result.output
    assert "could not be scored" in result.output and "NOPE" in result.output


def test_qrda3_input(cli, fixtures_dir, tmp_path):
    xml = fixtures_dir / "qrda3" / "2024-group-mips.xml"
    result = cli("score", xml, "--format", "json")
    assert result.exit_code == 0, result.output
    ids = {m["measureId"] for m in json.loads(result.output)["measures"] if m["category"] == "quality"}
    assert "236" in ids


@pytest.mark.parametrize("charges,beneficiaries,services,year,status", [
    (120000, 250, 400, 2024, "required"),
    (50000, 300, 500, 2024, "opt-in eligible"),
    (90000, 200, 200, 2024, "voluntary"),         # at the threshold is not above it
    (50000, 300, 500, 2018, "voluntary"),         # no opt-in before 2019
])
def test_eligibility(cli, charges, beneficiaries, services, year, status):
    result = cli("eligibility", "--allowed-charges", charges, "--beneficiaries", beneficiaries,
                 "--services", services, "--year", year)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(status + ":")


def test_help_has_examples(cli):
    assert "Examples" in cli("score", "--help").output
    assert "Examples" in cli("eligibility", "--help").output


def test_never_writes_over_the_input(cli, fixture_2024, tmp_path):
    copy = tmp_path / "in.json"
    copy.write_bytes(fixture_2024.read_bytes())
    result = cli("score", copy, "-o", copy, "--force")
    assert result.exit_code == 2 and copy.read_bytes() == fixture_2024.read_bytes()


# -- honest numbers: no NaN or Infinity in, none out ---------------------------------------------


@pytest.mark.parametrize("option, value", [("--cost", "nan"), ("--cost", "NaN"), ("--cost", "inf"),
                                           ("--prior-quality", "nan"), ("--complex-bonus", "inf"),
                                           ("--complex-bonus", "nan")])
def test_non_finite_options_are_usage_errors(cli, fixture_2024, option, value):
    result = cli("score", fixture_2024, option, value)
    assert result.exit_code == 2
    assert option in result.output and "Traceback" not in result.output


def test_non_finite_allowed_charges_is_a_usage_error(cli):
    result = cli("eligibility", "--allowed-charges", "nan", "--beneficiaries", "10")
    assert result.exit_code == 2 and "--allowed-charges" in result.output


def test_json_card_never_holds_nan_or_infinity(cli, fixtures_dir, tmp_path):
    doc = json.loads((fixtures_dir / "2024" / "individual-traditional.json").read_text())
    quality = next(s for s in doc["measurementSets"] if s["category"] == "quality")
    value = quality["measurements"][0]["value"]
    for key in ("performanceMet", "performanceNotMet", "eligiblePopulation"):
        value[key] = 1e308  # a valid double; sums of them overflow to infinity
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(doc))
    result = cli("score", path, "--format", "json")
    assert result.exit_code == 0, result.output
    assert "NaN" not in result.stdout and "Infinity" not in result.stdout
    card = json.loads(result.stdout)
    first = next(m for m in card["measures"] if m["measureId"] == quality["measurements"][0]["measureId"])
    assert first["points"] == 0
    assert first.get("performanceRate") is None and first.get("reportingRate") is None
    text = cli("score", path).stdout
    assert "nan%" not in text and "inf%" not in text


def test_text_card_shows_control_characters_escaped(cli, fixtures_dir, tmp_path):
    text = (fixtures_dir / "2024" / "individual-traditional.json").read_text()
    path = tmp_path / "ctrl.json"
    path.write_text(text.replace('"measureId": "001"', '"measureId": "0\\u001b[2J01"', 1))
    result = cli("score", path)
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.stdout and "0\\x1b[2J01" in result.stdout
