"""Score estimate: published examples and each scoring mechanic, with the numbers of the rules."""

from __future__ import annotations

import json
import math
import re

import pytest

from qppfiles.catalog import QualityMeasure
from qppfiles.formats.qppjson import read
from qppfiles.model.submission import Counts
from qppfiles.model.submission import Measurement
from qppfiles.model.submission import SingleRateValue
from qppfiles.program import year_pack
from qppfiles.scoring import adjustment
from qppfiles.scoring import score_points
from qppfiles.scoring import score_submission
from qppfiles.scoring import weights_for
from qppfiles.scoring.quality import quality_percent
from qppfiles.scoring.quality import score_measure


def rate(met, not_met, eligible, exception=0, e2e=False):
    return {"performanceMet": met, "performanceNotMet": not_met, "eligiblePopulationException": exception,
            "eligiblePopulationExclusion": 0, "eligiblePopulation": eligible, "isEndToEndReported": e2e}


def submission(year, quality=(), ia=(), pi=None, method="registry", program="mips", entity="individual"):
    sets = []
    if quality:
        sets.append({"category": "quality", "submissionMethod": method, "programName": program,
                     "measurements": [{"measureId": m, "value": v} for m, v in quality]})
    if ia:
        sets.append({"category": "ia", "submissionMethod": "registry", "programName": program,
                     "measurements": [{"measureId": m, "value": True} for m in ia]})
    if pi is not None:
        sets.append({"category": "pi", "submissionMethod": "registry", "programName": program,
                     "cehrtId": "0015C0000000001", "measurements": [{"measureId": m, "value": v} for m, v in pi]})
    doc = {"entityType": entity, "taxpayerIdentificationNumber": "000000000",
           "nationalProviderIdentifier": "0000000000", "performanceYear": year, "measurementSets": sets}
    return read(json.dumps(doc).encode()).submission


# ---------------------------------------------------------------- published examples

def test_2019_physical_therapist_example():
    """Seed: 2019 PT, quality + IA only: 33.3/60 = 55.5% x 85% = 47.1; 30/40 = 75% x 15% = 11.2; 58.3."""
    card = score_points(2019, quality_points=[7.1, 6.5, 7.0, 5.5, 4.2, 3], ia_points=30)
    quality, ia = card.categories["quality"], card.categories["ia"]
    assert quality.score == pytest.approx(55.5)
    assert quality.weight == 85 and ia.weight == 15
    assert quality.weighted == pytest.approx(47.175)
    assert ia.score == 75 and ia.weighted == pytest.approx(11.25)
    # The guide shows each figure cut to one decimal and adds those.
    assert math.floor(quality.weighted * 10) / 10 == 47.1
    assert math.floor(ia.weighted * 10) / 10 == 11.2
    assert card.final_score == pytest.approx(58.425)
    assert card.categories["pi"].reweighted and card.categories["cost"].reweighted
    assert card.performance_threshold == 30 and card.final_score > card.performance_threshold
    assert card.adjustment.min == 0 and card.adjustment.max > 0


SEED_2024_WEIGHTS = {
    # (reweighted, small practice) -> quality, cost, ia, pi  (PT guide, PY2024)
    ((), True): (30, 30, 15, 25), (("cost",), True): (55, 0, 15, 30),
    (("pi",), True): (40, 30, 30, 0), (("cost", "pi"), True): (50, 0, 50, 0),
    ((), False): (30, 30, 15, 25), (("cost",), False): (55, 0, 15, 30),
    (("pi",), False): (55, 30, 15, 0), (("cost", "pi"), False): (85, 0, 15, 0),
}


@pytest.mark.parametrize("key,expected", list(SEED_2024_WEIGHTS.items()))
def test_2024_weight_tables(key, expected):
    removed, small = key
    weights, _ = weights_for(year_pack(2024), removed, small_practice=small)
    assert tuple(weights[c] for c in ("quality", "cost", "ia", "pi")) == expected


def test_2024_weight_tables_match_the_seed_text(shared_dir):
    text = (shared_dir / "seeds" / "000_581afcf7e1235574.txt").read_text(encoding="utf-8")
    labels = {"Scores for all four performance categories": (), "No Cost": ("cost",),
              "No Promoting Interoperability": ("pi",), "No Cost and No Promoting Interoperability": ("cost", "pi")}
    small_part, large_part = text.split("Small-Practice Weighting")[1].split("Large Practice Weighting")
    found = 0
    for part, small in ((small_part, True), (large_part, False)):
        for line in part.splitlines():
            cells = line.split("\t")
            if cells[0] in labels and len(cells) == 5:
                weights, _ = weights_for(year_pack(2024), labels[cells[0]], small_practice=small)
                assert [weights[c] for c in ("quality", "cost", "ia", "pi")] == [float(c) for c in cells[1:]]
                found += 1
    assert found == 8


# ---------------------------------------------------------------- quality mechanics

def test_data_completeness_not_met_by_year_and_size():
    # 50 + 18 reported of 100 eligible: 68% < 75% in 2024
    sub = submission(2024, quality=[("236", rate(50, 18, 100))])
    m = score_submission(sub).measure("236")
    assert m.points == 0 and m.reason.startswith("data completeness 68% < 75%: 0 points")
    assert score_submission(sub, small_practice=True).measure("236").points == 3
    # 60% threshold in 2019, 1 point for others
    sub19 = submission(2019, quality=[("236", rate(30, 20, 100))])
    assert score_submission(sub19).measure("236").points == 1
    assert "50% < 60%" in score_submission(sub19).measure("236").reason


def test_data_completeness_suggestion_gives_the_cases_needed():
    card = score_submission(submission(2024, quality=[("236", rate(50, 18, 100))]))
    # 75 cases needed, 68 reported; once complete, 50/68 = 73.53% is decile 8 of the flat benchmark
    # (decile 8 starts at p70 = 70): 8 + 3.53/10 = 8.3529
    tip = next(s for s in card.suggestions if s.measure_id == "236")
    assert tip.text.startswith("report 7 more cases of measure 236 to pass data completeness: +8.35 quality points")


def test_case_minimum_and_no_benchmark_points_by_year():
    small = submission(2024, quality=[("236", rate(12, 3, 15))])
    m = score_submission(small).measure("236")
    assert m.points == 0 and "15 cases < case minimum 20" in m.reason
    assert score_submission(small, small_practice=True).measure("236").points == 3
    assert score_submission(submission(2019, quality=[("236", rate(12, 3, 15))])).measure("236").points == 3
    # 102 has no 2024 registry benchmark
    none = score_submission(submission(2024, quality=[("102", rate(30, 10, 40))])).measure("102")
    assert none.points == 0 and none.reason.startswith("no 2024 benchmark for registry")


class _Catalog:
    def __init__(self, measure):
        self.quality = {measure.measure_id: measure}

    def benchmark(self, measure_id, method):
        return None

    def benchmark_exclusion(self, measure_id, method):
        return ()


@pytest.mark.parametrize("year,first,expected", [(2024, 2024, 7.0), (2024, 2023, 5.0), (2024, 2020, 0.0),
                                                 (2021, 2021, 3.0)])
def test_new_measure_floor(year, first, expected):
    measure = QualityMeasure(measure_id="999", first_performance_year=first, metric_type="singlePerformanceRate")
    m = Measurement("999", SingleRateValue(Counts(20, 10, 40, 0, 0)))
    result = score_measure(m, "registry", year_pack(year), _Catalog(measure))
    assert result.score.points == expected


def test_picks_the_top_six_and_counts_missing_measures_as_zero():
    pack = year_pack(2024)
    card = quality_percent([10, 9, 8, 7, 6], pack)
    assert card.score == pytest.approx(100 * 40 / 60, abs=1e-4)
    assert any("1 of the 6 required measures missing" in r for r in card.reasons)
    ids = ["001", "236", "047", "130", "134", "317", "128"]
    sub = submission(2024, quality=[(i, rate(40, 10, 55)) for i in ids])
    scored = score_submission(sub)
    picked = [m for m in scored.measures if m.category == "quality" and m.picked]
    dropped = [m for m in scored.measures if m.category == "quality" and not m.picked]
    assert len(picked) == 6 and len(dropped) == 1
    assert dropped[0].points <= min(m.points for m in picked)


def test_small_practice_bonus_improvement_and_cap():
    pack = year_pack(2024)
    assert quality_percent([5] * 6, pack, small_practice=True).score == 60.0            # (30 + 6) / 60
    assert quality_percent([6] * 6, pack, prior_quality=50).score == 62.0               # 60 + (60-50)/50*10
    assert quality_percent([6] * 6, pack, prior_quality=20).score == 70.0               # prior floored at 30: +10 max
    assert quality_percent([10] * 6, pack, small_practice=True).score == 100.0          # 110 capped
    assert quality_percent([6] * 6, year_pack(2017), prior_quality=20).score == 60.0    # no improvement scoring
    assert quality_percent([5] * 6, year_pack(2018), small_practice=True).score == 50.0  # no numerator bonus


def test_measure_bonuses_to_2021_and_not_after():
    ids = ["236", "001", "047", "134"]
    q19 = [(i, rate(40, 10, 55, e2e=True)) for i in ids]
    card = score_submission(submission(2019, quality=q19))
    # one intermediate outcome satisfies the requirement; the other earns 2, 047 (high priority) 1; e2e 4
    assert card.categories["quality"].bonus == 7
    points = sum(m.points for m in card.measures if m.category == "quality")
    assert card.categories["quality"].score == pytest.approx(100 * (points + 7) / 60, abs=1e-3)
    assert score_submission(submission(2022, quality=q19)).categories["quality"].bonus == 0


def test_end_to_end_bonus_is_capped_at_ten_percent_of_the_denominator():
    ids = ["236", "047", "130", "134", "317", "128", "110"]
    card = score_submission(submission(2019, quality=[(i, rate(40, 10, 55, e2e=True)) for i in ids]))
    assert any("end-to-end 6 (capped)" in r for r in card.categories["quality"].reasons)


def test_no_outcome_or_high_priority_measure_leaves_the_sixth_slot_empty():
    from qppfiles.scoring.card import MeasureScore
    from qppfiles.scoring.quality import QualityResult
    from qppfiles.scoring.quality import pick

    process = QualityMeasure(measure_id="P", measure_type="process")
    outcome = QualityMeasure(measure_id="O", measure_type="outcome")
    results = [QualityResult(MeasureScore(str(i), "quality", float(10 - i), ""), process) for i in range(6)]
    chosen, notes = pick(results, 6, True)
    assert len(chosen) == 5 and "last slot scores 0" in notes[0]
    results.append(QualityResult(MeasureScore("O", "quality", 1.0, ""), outcome))
    chosen, notes = pick(results, 6, True)
    assert len(chosen) == 6 and chosen[-1].score.measure_id == "O"
    assert "required outcome" in notes[0]


# ---------------------------------------------------------------- IA

def test_ia_weights_special_status_and_pcmh():
    assert score_submission(submission(2024, ia=["IA_BMH_7"])).categories["ia"].score == 50.0          # high 20
    assert score_submission(submission(2024, ia=["IA_BMH_7"]), special_status=True).categories["ia"].score == 100
    assert score_submission(submission(2024, ia=["IA_PCMH"])).categories["ia"].score == 100
    unknown = score_submission(submission(2024, ia=["IA_NOPE_9"]))
    assert unknown.categories["ia"].score == 0
    assert "not a 2024 improvement activity" in unknown.measure("IA_NOPE_9").reason


def test_ia_activity_counts_from_2025():
    one = submission(2025, ia=["IA_BE_24"])
    assert score_submission(one).categories["ia"].score == 50.0        # 1 of 2 activities
    assert score_submission(one, special_status=True).categories["ia"].score == 100.0


# ---------------------------------------------------------------- PI

PI_2024 = [("PI_PPHI_1", True), ("PI_PPHI_2", True), ("PI_INFBLO_1", True), ("PI_ONCDIR_1", True),
           ("PI_EP_1", {"numerator": 550, "denominator": 855}), ("PI_EP_2", True),
           ("PI_HIE_1", {"numerator": 204, "denominator": 568}), ("PI_HIE_4", {"numerator": 276, "denominator": 569}),
           ("PI_PEA_1", {"numerator": 600, "denominator": 754}), ("PI_PHCDRR_1", True), ("PI_PHCDRR_3", True),
           ("PI_PHCDRR_1_PROD", True), ("PI_PHCDRR_3_PROD", True)]


def test_pi_points_model_2024():
    card = score_submission(submission(2024, pi=PI_2024))
    # EP 64.33% of 10 = 6; PDMP 10; HIE 35.92% of 15 = 5, 48.51% of 15 = 7; PEA 79.58% of 25 = 20; PH 25
    assert card.categories["pi"].score == 73.0
    assert card.measure("PI_HIE_4").points == 7


def test_pi_required_measure_or_attestation_zeroes_the_category():
    no_sra = [m for m in PI_2024 if m[0] != "PI_PPHI_1"]
    card = score_submission(submission(2024, pi=no_sra))
    assert card.categories["pi"].score == 0 and "PI_PPHI_1" in card.categories["pi"].reasons[0]
    no_pea = [m for m in PI_2024 if m[0] != "PI_PEA_1"]
    assert score_submission(submission(2024, pi=no_pea)).categories["pi"].score == 0


def test_pi_exclusion_moves_points():
    excluded = [m for m in PI_2024 if m[0] != "PI_EP_1"] + [("PI_LVPP_1", True)]
    card = score_submission(submission(2024, pi=excluded))
    # e-prescribing's 10 points split over HIE_1 and HIE_4 (20 each): 7 + 10; total 10 + 7 + 10 + 20 + 25
    assert card.categories["pi"].score == 72.0


def test_pi_bonus_and_cap():
    card = score_submission(submission(2024, pi=PI_2024 + [("PI_PHCDRR_2", True), ("PI_PHCDRR_4", True),
                                                         ("PI_PHCDRR_2_PRE", True), ("PI_PHCDRR_4_PROD", True)]))
    assert card.categories["pi"].score == 78.0          # one bonus registry: +5, capped at 5


def test_pi_2017_base_performance_bonus(fixtures_dir):
    sub = read((fixtures_dir / "2017" / "individual-traditional.json").read_bytes()).submission
    card = score_submission(sub)
    pi = card.categories["pi"]
    # base 50 + performance by 10% bands (9 + 6 + 5 + 5 + 4 + registry 10) = 89
    assert pi.score == 89.0 and "base score 50" in pi.reasons


def test_small_practice_without_pi_is_reweighted_from_2022():
    sub = submission(2024, quality=[("236", rate(40, 10, 55))], ia=["IA_BMH_7"])
    sp = score_submission(sub, small_practice=True)
    assert sp.categories["pi"].reweighted and sp.categories["quality"].weight == 50
    large = score_submission(sub)
    assert not large.categories["pi"].reweighted and large.categories["pi"].score == 0


# ---------------------------------------------------------------- final score and adjustment

def test_complex_patient_bonus_cap_and_final_cap():
    card = score_points(2024, quality_score=80, ia_score=100, pi_score=100, cost=50, complex_bonus=15)
    assert card.final_score == pytest.approx(24 + 15 + 25 + 15 + 10)
    full = score_points(2024, quality_score=100, ia_score=100, pi_score=100, cost=100, complex_bonus=5)
    assert full.final_score == 100
    assert score_points(2017, quality_score=50, ia_score=100, pi_score=50, complex_bonus=5).final_score == \
        pytest.approx(30 + 15 + 12.5)


def test_one_scored_category_gives_the_threshold():
    card = score_points(2024, ia_points=40)
    assert card.final_score == 75.0


def test_2018_small_practice_final_bonus():
    base = score_points(2018, quality_score=50, ia_score=50, pi_score=50, cost=50)
    assert score_points(2018, quality_score=50, ia_score=50, pi_score=50, cost=50,
                        small_practice=True).final_score == base.final_score + 5


@pytest.mark.parametrize("year,score,low,high", [
    (2024, 75.0, 0.0, 0.0),
    (2024, 87.5, 0.0, 13.5),          # 9 x 12.5/25 = 4.5, x scaling factor up to 3
    (2024, 10.0, -9.0, -9.0),         # at or below a quarter of the threshold
    (2024, 37.5, -4.5, -4.5),         # one value, -9 x 37.5/75 (§414.1405(b)(2))
    (2022, 94.5, 0.0, 26.31),         # 7.02 x 3 + exceptional 0.5 + 9.5 x 5.5/11
    (2019, 58.425, 0.0, 8.53),
])
def test_adjustment_range(year, score, low, high):
    adj = adjustment(score, year_pack(year))
    assert (adj.min, adj.max) == (pytest.approx(low, abs=0.01), pytest.approx(high, abs=0.01))


# ---------------------------------------------------------------- robustness and output

def test_broken_values_are_reasons_not_exceptions():
    doc = {"performanceYear": 2024, "measurementSets": [
        {"category": "quality", "submissionMethod": "registry", "measurements": [
            {"measureId": "236", "value": rate(0, 0, 0)},
            {"measureId": "047", "value": {"performanceMet": None, "eligiblePopulation": None}},
            {"measureId": "NOPE", "value": rate(1, 1, 2)},
            {"measureId": "226", "value": {"strata": []}},
            {"value": True},
            {"measureId": "134", "value": "text"}]},
        {"category": "ia", "measurements": [{"measureId": None, "value": None}]},
        {"category": "pi", "measurements": [{"measureId": "PI_EP_1", "value": {"numerator": 3, "denominator": 0}}]},
        {"category": None}]}
    card = score_submission(read(json.dumps(doc).encode()).submission)
    reasons = {m.measure_id: m.reason for m in card.measures if m.category == "quality"}
    assert "eligible population is 0" in reasons["236"]
    assert "missing" in reasons["047"]
    assert "not a 2024 quality measure" in reasons["NOPE"]
    assert card.not_scored and card.categories["pi"].score == 0
    json.dumps(card.to_dict())


def test_to_dict_keys():
    card = score_submission(submission(2024, quality=[("236", rate(40, 10, 55))], ia=["IA_BMH_7"]))
    d = card.to_dict()
    assert {"performanceYear", "finalScore", "performanceThreshold", "categories", "measures", "adjustment"} <= set(d)
    assert set(d["categories"]) == {"quality", "ia", "pi", "cost"}
    for c in d["categories"].values():
        assert {"score", "weight", "weighted", "reweighted"} <= set(c)
    assert {"measureId", "category", "points", "reason"} <= set(d["measures"][0])
    assert {"min", "max"} <= set(d["adjustment"])
    assert re.search(r"decile \d+ of the 2024 registry benchmark", d["measures"][0]["reason"])


def test_every_fixture_scores(fixtures_dir):
    files = sorted(fixtures_dir.glob("20*/*.json"))
    assert files
    for path in files:
        card = score_submission(read(path.read_bytes()).submission)
        assert 0 <= card.final_score <= 100, path
        assert all(m.reason for m in card.measures), path




def test_rates_of_counts_that_overflow_a_double_are_absent_not_nan():
    from qppfiles.model.measure_math import single
    from qppfiles.model.submission import Counts
    from qppfiles.model.submission import SingleRateValue

    rates = single(SingleRateValue(Counts(1e308, 1e308, 1e308, 0, 0)), None, True)
    assert rates.performance_rate is None and rates.reporting_rate is None
    assert rates.problem == "the counts are too large to compute a performance rate"
