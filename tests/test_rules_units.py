"""Program rules with the exact numbers of the MIPS rules: data completeness, case minimum, IA points."""

from __future__ import annotations

import json

import pytest

from qppfiles.model.options import Options
from qppfiles.pipeline.validate import validate_bytes


def counts(met, not_met, eligible):
    return {"isEndToEndReported": False, "performanceMet": met, "performanceNotMet": not_met,
            "eligiblePopulationExclusion": 0, "eligiblePopulationException": 0, "eligiblePopulation": eligible}


# Six 2017-2026 registry measures with benchmarks; the third one is the one under test.
MEASURES = ("001", "236", "039", "118", "317", "226")


def quality_set(year, value, measure="039"):
    ids = [m if m != "039" else measure for m in MEASURES[:5]]
    return {"category": "quality", "submissionMethod": "registry", "programName": "mips",
            "performanceStart": f"{year}-01-01", "performanceEnd": f"{year}-12-31",
            "measurements": [{"measureId": i, "value": value if i == measure else counts(40, 10, 60)}
                             for i in ids]}


def ia_set(year, ids, program="mips"):
    return {"category": "ia", "submissionMethod": "registry", "programName": program,
            "performanceStart": f"{year}-01-01", "performanceEnd": f"{year}-12-31",
            "measurements": [{"measureId": i, "value": True} for i in ids]}


def findings(doc, code, **options):
    report = validate_bytes(json.dumps(doc).encode(), options=Options(**options))
    assert not [f for f in report.findings if f.code == "F012"]
    return [f for f in report.findings if f.code == code]


# ------------------------------------------------------------------ data completeness

@pytest.mark.parametrize("year, threshold", [
    (2017, 50), (2018, 60), (2019, 60), (2020, 70), (2021, 70), (2022, 70), (2023, 70), (2024, 75), (2025, 75),
])
def test_data_completeness_threshold_by_year(year, threshold):
    below = findings(quality_set(year, counts(threshold - 1, 0, 100)), "Q101")
    assert len(below) == 1
    assert f"data completeness {threshold - 1}% (" in below[0].message
    assert f"below the {year} threshold of {threshold}%" in below[0].message
    assert below[0].message.endswith("report 1 more eligible case")
    assert below[0].measure_id == "039"
    assert below[0].location.pointer == "/measurements/2/value"
    assert findings(quality_set(year, counts(threshold, 0, 100)), "Q101") == []


def test_data_completeness_message_of_the_design_example():
    # 350 of 490 = 71.4% < 75%; 75% of 490 = 367.5 -> 368 cases, 18 more.
    [hit] = findings(quality_set(2024, counts(250, 100, 490)), "Q101")
    assert hit.message == ("data completeness 71.4% (350 of 490 eligible cases reported) is below the 2024 "
                           "threshold of 75%: the measure scores 0 points (3 for a small practice); report 18 more "
                           "eligible cases")
    assert hit.severity == "warning"


@pytest.mark.parametrize("year, small, points", [
    (2017, False, "3 points"),                               # 2017: 3 points whenever a criterion is missed
    (2018, False, "1 point (3 for a small practice)"),
    (2019, True, "3 points (small practice)"),
    (2020, False, "0 points (3 for a small practice)"),
    (2022, True, "3 points (small practice)"),
    (2024, False, "0 points (3 for a small practice)"),
])
def test_data_completeness_points_consequence(year, small, points):
    [hit] = findings(quality_set(year, counts(10, 10, 100)), "Q101", small_practice=small)
    assert f"the measure scores {points};" in hit.message


# ------------------------------------------------------------------ case minimum

@pytest.mark.parametrize("year, small, points", [
    (2019, False, "3 points"),
    (2022, False, "3 points"),
    (2023, False, "0 points (3 for a small practice)"),
    (2024, True, "3 points (small practice)"),
])
def test_case_minimum_of_20(year, small, points):
    [hit] = findings(quality_set(year, counts(15, 4, 19)), "Q102", small_practice=small)
    assert hit.message == (f"19 cases is below the case minimum of 20: "
                           f"the measure scores {points} however well it performs")
    assert findings(quality_set(year, counts(15, 5, 20)), "Q102") == []


def test_case_minimum_not_reported_when_data_completeness_fails():
    doc = quality_set(2024, counts(5, 4, 19))
    assert findings(doc, "Q101") and findings(doc, "Q102") == []


# ------------------------------------------------------------------ how many measures

def test_five_measures_lose_ten_of_sixty_points():
    [hit] = findings(quality_set(2024, counts(40, 10, 60)), "Q103")
    assert "5 quality measures reported under traditional MIPS; 6 are required: 1 missing" in hit.message
    assert "10 of the 60-point quality denominator (5 final-score points at the 2024 quality weight of 30%)" \
        in hit.message
    doc = quality_set(2024, counts(40, 10, 60))
    doc["measurements"].append({"measureId": "317", "value": counts(40, 10, 60)})
    doc["measurements"][-1]["measureId"] = "277"
    assert findings(doc, "Q103") == []


# ------------------------------------------------------------------ improvement activities

@pytest.mark.parametrize("year, ids, options, expected", [
    # 2017-2024: high 20, medium 10, full credit 40; special status doubles.
    (2024, ["IA_EPA_1", "IA_BE_15"], {}, "total 30 of 40 points in 2024: the category scores 75% (11.25 of 15"),
    (2024, ["IA_BE_15"], {}, "total 10 of 40 points in 2024: the category scores 25% (3.75 of 15"),
    (2024, ["IA_BE_15"], {"special_status": True}, "total 20 of 40 points (special status) in 2024: the category "
                                                    "scores 50% (7.5 of 15"),
    (2024, ["IA_BE_15"], {"small_practice": True}, "total 20 of 40 points (special status)"),
    (2017, ["IA_AHE_2", "IA_AHE_3"], {}, "total 20 of 40 points in 2017: the category scores 50%"),
    (2025, ["IA_BE_24"], {}, "1 activity attested; 2025 gives full credit for 2: the category scores 50% (7.5 of 15"),
])
def test_ia_points_below_full_credit(year, ids, options, expected):
    [hit] = findings(ia_set(year, ids), "V101", **options)
    assert expected in hit.message


@pytest.mark.parametrize("year, ids, options", [
    (2024, ["IA_EPA_1", "IA_BE_6"], {}),                             # 2 high = 40
    (2024, ["IA_BE_15", "IA_CC_1", "IA_CC_8", "IA_PM_5"], {}),      # 4 medium = 40
    (2024, ["IA_EPA_1", "IA_BE_15", "IA_CC_1"], {}),                # 1 high + 2 medium = 40
    (2024, ["IA_EPA_1"], {"special_status": True}),                 # 1 high doubled
    (2024, ["IA_BE_15", "IA_CC_1"], {"small_practice": True}),      # 2 medium doubled
    (2024, ["IA_PCMH"], {}),                                        # PCMH: full credit
    (2025, ["IA_BE_24", "IA_PM_3"], {}),
    (2025, ["IA_BE_24"], {"special_status": True}),
])
def test_ia_full_credit(year, ids, options):
    assert findings(ia_set(year, ids), "V101", **options) == []


def test_ia_false_answer_earns_nothing():
    doc = ia_set(2024, ["IA_EPA_1", "IA_BE_6"])
    doc["measurements"][1]["value"] = False
    [hit] = findings(doc, "V101")
    assert "total 20 of 40 points" in hit.message
    assert [f.measure_id for f in findings(doc, "V102")] == ["IA_BE_6"]


def test_mvp_activity_counts_double_in_2024():
    # MVP reporting 2023-2024: one high or two medium activities are full credit.
    assert findings(ia_set(2024, ["IA_EPA_1"], program="G0053"), "V101") == []
    [hit] = findings(ia_set(2024, ["IA_BE_15"], program="G0053"), "V101")
    assert "total 20 of 40 points (MVP)" in hit.message


# ------------------------------------------------------------------ periods

@pytest.mark.parametrize("year, start, code_expected", [
    (2023, "10-03", False),  # 90 days: enough to 2023
    (2023, "10-04", True),   # 89 days
    (2024, "07-05", False),  # 180 days
    (2024, "07-06", True),   # 179 days
])
def test_pi_period_minimum(year, start, code_expected):
    doc = {"category": "pi", "submissionMethod": "registry", "cehrtId": "0015CV68PDMRXVU",
           "performanceStart": f"{year}-{start}", "performanceEnd": f"{year}-12-31",
           "measurements": [{"measureId": "PI_PPHI_1", "value": True}]}
    assert bool(findings(doc, "Y104")) is code_expected
