"""The score report's content: whose file, what was assumed, validity, titles; the same facts in JSON, text, HTML.

How the page looks and behaves in a browser is tested in ``test_score_report_browser.py``.
"""

from __future__ import annotations

import datetime
import json

from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.formats.qppjson import read
from qppfiles.pipeline.validate import validate_bytes
from qppfiles.report.html import render_html
from qppfiles.report.score_text import render_score_text
from qppfiles.report.score_view import ScoreRequest
from qppfiles.report.score_view import mask_tin
from qppfiles.report.score_view import plural
from qppfiles.report.score_view import score_report
from qppfiles.scoring import score_submission

from .conftest import FIXTURES


def _doc():
    return {"performanceYear": 2024, "entityType": "individual", "taxpayerIdentificationNumber": "000123456",
            "nationalProviderIdentifier": "1234567893", "measurementSets": [
        {"category": "quality", "submissionMethod": "registry", "measurements": [
            {"measureId": "236", "value": {"performanceMet": 70, "performanceNotMet": 30, "eligiblePopulation": 100}},
            {"measureId": "001", "value": {"performanceMet": 15, "performanceNotMet": 85, "eligiblePopulation": 100}},
            {"measureId": "134", "value": {"performanceMet": 50, "performanceNotMet": 10, "eligiblePopulation": 100}},
            {"measureId": "<script>",
             "value": {"performanceMet": 1, "performanceNotMet": 1, "eligiblePopulation": 2}}]},
        {"category": "ia", "measurements": [{"measureId": "IA_BMH_7", "value": True}]}]}


def _report(request=None):
    request = request or ScoreRequest()
    data = json.dumps(_doc()).encode()
    submission = read(data).submission
    card = score_submission(submission)
    return score_report(card, submission, validate_bytes(data).findings, request, today=datetime.date(2025, 3, 1))


def test_the_tin_is_masked_but_for_its_last_four_digits():
    assert mask_tin("000123456") == "*****3456"
    assert mask_tin("12") == "12" and mask_tin(None) is None


def test_plurals():
    assert [plural(n, "point") for n in (0, 1, 1.0, 2, 0.5)] == ["0 points", "1 point", "1 point", "2 points",
                                                                 "0.5 points"]


def test_report_says_whose_file_what_was_assumed_and_that_it_is_an_estimate():
    report = _report(ScoreRequest(small_practice=True, cost=61, prior_quality=40))
    assert report["entity"]["tin"] == "*****3456" and report["entity"]["npi"] == "1234567893"
    assert report["entity"]["entityType"] == "individual" and report["entity"]["programText"] == "traditional MIPS"
    assert report["performanceYear"] == 2024 and report["paymentYear"] == 2026
    assumed = {a["key"]: a["value"] for a in report["assumptions"]}
    assert assumed["smallPractice"] is True and assumed["cost"] == 61 and assumed["priorQuality"] == 40
    assert "not an official CMS score" in report["estimate"]
    assert report["about"]["date"] == "2025-03-01" and report["about"]["catalog"]


def test_measures_carry_titles_marks_and_completeness():
    report = _report()
    by_id = {m["measureId"]: m for m in report["measures"]}
    assert by_id["236"]["title"] == "Controlling High Blood Pressure" and by_id["236"]["outcome"] is True
    assert by_id["001"]["inverse"] is True and by_id["001"]["collectionType"] == "MIPS CQM"
    assert by_id["236"]["dataCompletenessMet"] is True and by_id["236"]["dataCompletenessThreshold"] == 75
    assert by_id["IA_BMH_7"]["title"] and by_id["IA_BMH_7"]["weight"]


def test_cases_needed_are_given_for_a_measure_below_data_completeness():
    doc = _doc()
    doc["measurementSets"][0]["measurements"][0]["value"] = {
        "performanceMet": 40, "performanceNotMet": 20, "eligiblePopulation": 100}
    data = json.dumps(doc).encode()
    submission = read(data).submission
    report = score_report(score_submission(submission), submission, validate_bytes(data).findings)
    m = next(m for m in report["measures"] if m["measureId"] == "236")
    assert m["dataCompletenessMet"] is False and m["casesNeeded"] == 15   # 75% of 100 eligible, 60 reported


def test_validity_lists_the_errors_with_their_consequence():
    report = _report()
    validity = report["validity"]
    assert validity["valid"] is False and validity["errors"] >= 1
    assert any(f["measureId"] == "<script>" for f in validity["findings"])
    assert validity["status"] in ("rejected", "points")


def test_page_is_self_contained_and_escaped():
    page = render_html(_report())
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page and "<svg" in page
    assert "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page and "<script>" not in page and "&lt;script&gt;" in page
    assert "decile 9" in page and "threshold 75" in page
    assert "Controlling High Blood Pressure" in page and "*****3456" in page and "000123456" not in page


def test_text_output_is_aligned_with_correct_plurals():
    text = render_score_text(_report())
    assert " 1 points" not in text and "(1 errors" not in text
    quality = text.split("quality measures:\n")[1].split("\n\n")[0].splitlines()
    ends = {line.index(" points") if " points" in line else line.index(" point") for line in quality}
    assert len(quality) >= 3 and len(ends) == 1          # the points column is right-aligned
    assert "not an official CMS score" in text and "*****3456" in text


def test_json_text_and_html_of_the_cli_show_the_same_facts(tmp_path):
    path = FIXTURES / "2024" / "subgroup-mvp.json"
    runner = CliRunner()
    report = json.loads(runner.invoke(main, ["score", str(path), "--format", "json"]).output)
    text = runner.invoke(main, ["score", str(path)]).output
    page = tmp_path / "page.html"
    assert runner.invoke(main, ["score", str(path), "--format", "html", "-o", str(page)]).exit_code == 0
    html = page.read_text(encoding="utf-8")
    assert report["entity"]["mvp"]["id"] == "G0053" and report["entity"]["mvp"]["title"]
    for shown in (text, html):
        assert report["entity"]["mvp"]["title"] in shown
        for m in report["measures"]:
            assert m["title"] is None or m["title"][:40].replace("&", "&amp;") in shown or m["title"][:40] in shown


def test_patients_to_reach_a_rate_count_both_ways():
    from qppfiles.model.measure_math import MeasureRates
    from qppfiles.model.measure_math import patients_to_rate

    rates = MeasureRates(performance_rate=61.6, performance_met=77, performance_denominator=125)
    assert patients_to_rate(rates, 72.0) == 13          # 0.72 * 125 = 90 met: 13 more
    assert patients_to_rate(rates, 53.18) == -11        # at most 66.475 met, so 66: 11 fewer
    assert patients_to_rate(rates, 61.6) == 0
    assert patients_to_rate(MeasureRates(performance_rate=50.0), 60.0) is None


def test_advice_says_lower_for_an_inverse_measure_and_counts_patients():
    report = json.loads(CliRunner().invoke(main, ["score", str(FIXTURES / "2024" / "group-traditional.json"),
                                                  "--format", "json"]).output)
    text = CliRunner().invoke(main, ["score", str(FIXTURES / "2024" / "group-traditional.json")]).output
    advice = {s["measureId"]: s["text"] for s in report["suggestions"] if s["measureId"]}
    assert advice["001"].startswith("lower measure 001's performance rate from 61.6% to 53.18%")
    assert "fewer patients meeting the measure" in advice["001"]
    assert advice["236"].startswith("raise measure 236's") and "more patients meeting the measure" in advice["236"]
    gains = [s["finalScoreGain"] for s in report["suggestions"]]
    assert gains == sorted(gains, reverse=True)
    for s in report["suggestions"]:                      # the same list in text and JSON
        assert s["text"] in text
    assert " 1 points" not in text and ": 1 point" in text
