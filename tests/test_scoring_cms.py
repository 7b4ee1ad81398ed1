"""The score estimate as CMS computes it: one test (or more) per quality, MVP, APP and final-score fact.

Each test names the CMS value and the paragraph (42 CFR part 414 subpart O, or the CMS scoring
engine) it follows.
"""

from __future__ import annotations

import pytest

from qppfiles.program import year_pack
from qppfiles.scoring import score_submission
from qppfiles.scoring.suggest import suggestions

from .test_scoring import rate, submission


# ---------------------------------------------------------------- rates and caps

def test_rate_is_rounded_to_two_decimals_before_decile_scoring_cms_engine_047():
    """CMS engine (qpp-submissions-docs guides data.ts): 047 at 120/156 scores with rate 76.92 -> 5.3676
    (the unrounded 76.923 would give 5.3679)."""
    m = score_submission(submission(2022, quality=[("047", rate(120, 36, 156))])).measure("047")
    assert m.performance_rate == 76.92
    assert m.points == 5.3676


def test_2018_cap_names_six_measures_414_1380_b_1_iv_A():
    """§414.1380(b)(1)(iv)(A) (2020 payment year): 021, 023, 052, 224, 262, 359 earn at most 7 points in 2018,
    although the 2018 benchmark file flags none of them."""
    assert year_pack(2018).quality.topped_out_capped_measure_ids == ("021", "023", "052", "224", "262", "359")
    card = score_submission(submission(2018, quality=[("021", rate(60, 0, 60)), ("001", rate(0, 60, 60))]))
    capped = card.measure("021")
    assert capped.points == 7.0 and capped.capped_at == 7.0
    assert capped.to_dict()["cappedAt"] == 7.0
    assert card.measure("001").capped_at is None and "cappedAt" not in card.measure("001").to_dict()
    # 2019 goes back to the benchmark's isToppedOutByProgram flag
    assert year_pack(2019).quality.topped_out_capped_measure_ids is None


def test_suggestion_for_a_capped_measure_reads_the_cap_flag_not_the_wording():
    card = score_submission(submission(2024, quality=[("005", rate(60, 0, 60))]))
    m = card.measure("005")
    assert m.capped_at == 7.0 and m.points == 7.0
    tip = next(s for s in card.suggestions if s.measure_id == "005")
    assert tip.text.startswith("measure 005 is topped out and capped at 7")
    # The advice does not depend on how the reason is worded.
    m.reason = "seven points"
    results = [_result_of(card, "005")]
    again = suggestions(card, results, year_pack(2024), slots=6, denominator=60, chosen=results)
    assert any(s.text.startswith("measure 005 is topped out") for s in again)


def _result_of(card, measure_id):
    from qppfiles.scoring.quality import QualityResult

    score = card.measure(measure_id)
    return QualityResult(score, data_completeness_met=True, case_minimum_met=True)


# ---------------------------------------------------------------- final score and payment

def test_2020_complex_patient_bonus_cap_is_10_414_1380_c_3_iv():
    """§414.1380(c)(3)(iv): the 2020 complex patient bonus (2022 payment year) is doubled, capped at 10."""
    from qppfiles.scoring import score_points

    card = score_points(2020, quality_score=50, ia_score=100, pi_score=50, complex_bonus=12)
    assert year_pack(2020).final.complex_patient_bonus_cap == 10
    assert card.final_score == pytest.approx(0.55 * 50 + 15 + 0.30 * 50 + 10)
    assert any("capped at 10" in r for r in card.reasons)


def test_2019_no_quality_redistribution_is_0_15_40_45_414_1380_c_2_ii_C():
    """§414.1380(c)(2)(ii)(C) (2021 payment year): without quality, cost 15 / IA 40 / PI 45."""
    from qppfiles.scoring import weights_for

    weights, _ = weights_for(year_pack(2019), ["quality"])
    assert weights == {"quality": 0, "cost": 15, "ia": 40, "pi": 45}


@pytest.mark.parametrize("score, value", [
    (37.5, -4.5),      # -9 x (75 - 37.5) / 75
    (60.0, -1.8),      # -9 x 15 / 75
    (18.75, -9.0),     # at a quarter of the threshold: the full -9
])
def test_negative_adjustment_is_one_value_414_1405_b_2(score, value):
    """§414.1405(b)(2): below the threshold, -max x (PT - FS) / PT; at or below PT/4, -max. One value."""
    from qppfiles.scoring import adjustment

    adj = adjustment(score, year_pack(2024))
    assert adj.min == adj.max == value


def test_positive_adjustment_stays_a_range_414_1405_b_3():
    """Above the threshold the budget-neutrality scaling factor is unknown before CMS publishes it."""
    from qppfiles.scoring import adjustment

    adj = adjustment(87.5, year_pack(2024))
    assert adj.min == 0 and adj.max == pytest.approx(13.5)


# ---------------------------------------------------------------- quality category

def _ids(card):
    return {m.measure_id: m for m in card.measures if m.category == "quality"}


def test_improvement_score_needs_full_participation_414_1380_b_1_vi_C_5():
    """§414.1380(b)(1)(vi)(C)(5) and (F): without every required measure submitted and meeting data
    completeness, the improvement percent score is 0."""
    ids = ["001", "236", "047", "130", "134", "317"]
    full = [(i, rate(40, 10, 55)) for i in ids]
    with_prior = score_submission(submission(2024, quality=full), prior_quality=30)
    without = score_submission(submission(2024, quality=full))
    assert with_prior.categories["quality"].score > without.categories["quality"].score
    short = full[:5] + [("317", rate(10, 10, 55))]          # 20 of 55 reported: data completeness not met
    a = score_submission(submission(2024, quality=short), prior_quality=30)
    b = score_submission(submission(2024, quality=short))
    assert a.categories["quality"].score == b.categories["quality"].score
    assert any(r.startswith("improvement score 0") for r in a.categories["quality"].reasons)


def test_no_end_to_end_bonus_for_claims_414_1380_b_1_v_B():
    """§414.1380(b)(1)(v)(B): end-to-end electronic reporting bonus never goes to claims measures."""
    q = [("236", rate(40, 10, 55, e2e=True)), ("047", rate(40, 10, 55, e2e=True))]
    registry = score_submission(submission(2019, quality=q, method="registry"))
    claims = score_submission(submission(2019, quality=q, method="claims"))
    assert any("end-to-end" in n for n in registry.measure("047").notes)
    assert not any("end-to-end" in n for m in claims.measures for n in m.notes)
    # 047 (high priority) still earns its +1 on claims; 236 is the required outcome measure.
    assert claims.categories["quality"].bonus == 1
    assert registry.categories["quality"].bonus == 1 + 2


def test_inverse_measure_at_0_percent_earns_bonuses_cms_engine_2017_192():
    """CMS engine PY2017 example: measure 192 (inverse) at 0% gets the outcome bonus (+2) and the end-to-end
    bonus (+1)."""
    q = [("236", rate(95, 5, 100)), ("192", rate(0, 40, 40, e2e=True))]   # both 10 points; 236 is required
    card = score_submission(submission(2017, quality=q))
    notes = card.measure("192").notes
    assert "+2 outcome/patient experience bonus" in notes and "+1 end-to-end bonus" in notes


def test_required_outcome_measure_is_one_that_counts_cms_engine():
    """The required outcome/high-priority measure (which earns no bonus) is never one that failed data
    completeness: the complete outcome measure keeps the requirement, the other outcome earns nothing."""
    # 236: 15 of 55 reported, below 60%: 3 points for a small practice; 001 at 91% (inverse): the 3-point floor.
    # Both score 3 and 236 comes first, but it cannot be the required measure.
    q = [("236", rate(10, 5, 55)), ("001", rate(50, 5, 55))]
    card = score_submission(submission(2019, quality=q), small_practice=True)
    assert card.measure("236").points == card.measure("001").points == 3
    assert "satisfies the outcome/high-priority requirement: no bonus for it" in card.measure("001").notes
    assert not any("requirement" in n for n in card.measure("236").notes)
    assert not any(r.startswith("measure bonus points") for r in card.categories["quality"].reasons)
