"""Quality measure arithmetic shared by the checks and the score estimate, with exact numbers."""

from __future__ import annotations

import pytest

from qppfiles.catalog import QualityMeasure
from qppfiles.model.measure_math import case_minimum
from qppfiles.model.measure_math import case_minimum_met
from qppfiles.model.measure_math import cases_to_threshold
from qppfiles.model.measure_math import class_points
from qppfiles.model.measure_math import counts_rate
from qppfiles.model.measure_math import data_completeness_met
from qppfiles.model.measure_math import is_outcome_or_high_priority
from qppfiles.model.measure_math import is_outcome_or_patient_experience
from qppfiles.model.measure_math import multi
from qppfiles.model.measure_math import new_measure_floor
from qppfiles.model.measure_math import non_proportion
from qppfiles.model.measure_math import rates_of
from qppfiles.model.measure_math import single
from qppfiles.model.submission import Counts
from qppfiles.model.submission import MultiRateValue
from qppfiles.model.submission import NonProportionValue
from qppfiles.model.submission import SingleRateValue
from qppfiles.model.submission import Stratum
from qppfiles.program import year_pack


def _single(met, not_met, eligible, exclusion=0, exception=0, rate=None):
    return SingleRateValue(Counts(met, not_met, eligible, exclusion, exception), performance_rate=rate)


def _strata(*rows):
    return MultiRateValue(tuple(Stratum(name, Counts(met, not_met, eligible, 0, 0))
                                for name, met, not_met, eligible in rows))


# ------------------------------------------------------------------ rates

def test_single_rate_data_completeness_and_cases():
    r = single(_single(120, 36, 200, exception=4), "singlePerformanceRate", False)
    assert r.performance_rate == pytest.approx(100 * 120 / 156)
    assert r.reporting_rate == pytest.approx(100 * 160 / 200)   # met + exceptions + not met over eligible
    assert r.case_count == 200 and r.reported_cases == 160 and r.problem is None


def test_single_rate_registry_measure_uses_submitted_rate_and_drops_exclusions_from_cases():
    r = single(_single(30, 10, 50, exclusion=5, rate=81.5), "registrySinglePerformanceRate", True)
    assert r.performance_rate == 81.5 and r.case_count == 45


def test_single_rate_problems():
    assert single(_single(0, 0, 0), None, False).problem.startswith("the eligible population is 0")
    assert single(_single(0, 0, 10), None, False).performance_rate is None
    assert single(_single(None, None, 10), None, False).reporting_rate is None


def test_overall_algorithms():
    value = _strata(("a", 30, 10, 50), ("b", 10, 10, 25), ("overall", 40, 20, 75))
    weighted = multi(value, "weightedAverage")
    assert weighted.performance_rate == pytest.approx(100 * 40 / 60)   # Σmet / Σ(met + not met), overall left out
    assert weighted.case_count == 75 and weighted.reporting_rate == pytest.approx(100 * 60 / 75)
    simple = multi(value, "simpleAverage")
    assert simple.performance_rate == pytest.approx((75 + 50) / 2) and simple.case_count == 50
    overall = multi(value, "overallStratumOnly")
    assert overall.performance_rate == pytest.approx(100 * 40 / 60) and overall.case_count == 75
    split = multi(_strata(("reporting", 80, 10, 100), ("performance", 9, 1, 12)), "split")
    assert split.reporting_rate == 90 and split.performance_rate == 90 and split.case_count == 100
    assert multi(_strata(("reporting", 1, 1, 2)), "split").problem


def test_non_proportion_rate_is_the_numerator():
    r = non_proportion(NonProportionValue(numerator=3.5, denominator=40, observation_instances=30))
    assert r.performance_rate == 3.5 and r.reporting_rate == 75 and r.case_count == 40


def test_rates_of_dispatches_on_the_value_kind():
    measure = QualityMeasure("001", metric_type="singlePerformanceRate")
    assert rates_of(_single(40, 10, 60), measure).performance_rate == 80
    assert rates_of(_strata(("a", 1, 1, 2)), QualityMeasure("x", overall_algorithm="sumNumerators")).case_count == 2
    assert rates_of(True, measure) is None


def test_counts_rate():
    assert counts_rate(Counts(45, 5, 50, 0, 0)) == 90
    assert counts_rate(Counts(0, 0, 50, 0, 0)) is None
    assert counts_rate(Counts(True, 1, 50, 0, 0)) is None    # a boolean is not a count


def test_cases_to_threshold():
    assert cases_to_threshold(75, 490, 350) == 18
    assert cases_to_threshold(70, 100, 69) == 1
    assert cases_to_threshold(70, 100, 70) == 0
    assert cases_to_threshold(60, 7, 4) == 1      # 60% of 7 = 4.2 -> 5 cases


# ------------------------------------------------------------------ year rules

def test_case_minimum_readmission_has_its_own():
    q = year_pack(2024).quality
    assert case_minimum(q, "001") == 20 and case_minimum(q, "479") == 200
    assert case_minimum(year_pack(2019).quality, "458") == 200
    r = single(_single(50, 50, 150), None, False)
    assert case_minimum_met(q, "001", r) and not case_minimum_met(q, "479", r)


def test_data_completeness_threshold_by_year():
    r = single(_single(50, 20, 100), None, False)          # 70%
    assert data_completeness_met(year_pack(2023).quality, r)
    assert not data_completeness_met(year_pack(2024).quality, r)  # 75% from 2024


@pytest.mark.parametrize("year, small, name, points", [
    (2019, False, "points_data_completeness_not_met", 1.0),
    (2023, False, "points_data_completeness_not_met", 0.0),
    (2023, True, "points_data_completeness_not_met", 3.0),
    (2022, False, "points_no_benchmark", 3.0),
    (2023, False, "points_no_benchmark", 0.0),
    (2023, True, "points_below_case_minimum", 3.0),
])
def test_class_points_by_practice_size(year, small, name, points):
    assert class_points(year_pack(year).quality, name, small) == points


@pytest.mark.parametrize("year, first, method, expected", [
    (2022, 2022, "registry", (7.0, "first year in the program")),
    (2023, 2022, "registry", (5.0, "second year in the program")),
    (2024, 2022, "registry", (None, "")),
    (2022, 2022, "administrativeClaims", (None, "")),
    (2021, 2021, "registry", (None, "")),      # no floor before 2022
])
def test_new_measure_floor(year, first, method, expected):
    q = year_pack(year).quality
    assert new_measure_floor(q, year, QualityMeasure("x", first_performance_year=first), method) == expected


def test_outcome_and_high_priority_kinds():
    outcome = QualityMeasure("a", measure_type="intermediateOutcome")
    experience = QualityMeasure("b", measure_type="patientEngagementExperience")
    high = QualityMeasure("c", measure_type="process", is_high_priority=True)
    process = QualityMeasure("d", measure_type="process")
    assert is_outcome_or_patient_experience(outcome) and is_outcome_or_patient_experience(experience)
    assert not is_outcome_or_patient_experience(high)
    assert all(is_outcome_or_high_priority(m) for m in (outcome, experience, high))
    assert not is_outcome_or_high_priority(process) and not is_outcome_or_high_priority(None)


# ------------------------------------------------------------------ scoring inputs

def test_scored_rate_rounds_half_up_to_two_decimals():
    from qppfiles.model.measure_math import scored_rate

    assert scored_rate(100 * 120 / 156) == 76.92
    assert scored_rate(12.345) == 12.35 and scored_rate(0.005) == 0.01   # half up, not to even
    assert scored_rate(None) is None


def test_topped_out_cap_by_year_program_and_method():
    from qppfiles.catalog import load_catalog
    from qppfiles.model.measure_math import topped_out_cap

    q24, bench = year_pack(2024).quality, load_catalog(2024).benchmark("005", "registry")
    assert topped_out_cap(q24, bench, "005", "registry") == 7
    assert topped_out_cap(q24, bench, "005", "registry", app=True) is None
    assert topped_out_cap(q24, bench, "005", "cmsWebInterface") is None
    assert topped_out_cap(q24, None, "005", "registry") is None
    q18 = year_pack(2018).quality
    assert topped_out_cap(q18, None, "021", "claims") == 7 and topped_out_cap(q18, None, "001", "claims") is None


def test_is_suppressed_reads_the_catalog_exclusion_reasons():
    from qppfiles.catalog import load_catalog
    from qppfiles.model.measure_math import is_suppressed

    catalog = load_catalog(2024)
    assert is_suppressed(catalog, "389", "registry") and is_suppressed(catalog, "488", "electronicHealthRecord")
    assert not is_suppressed(catalog, "102", "registry")          # excluded for another reason (BR-009)
    assert not is_suppressed(catalog, "389", None) and not is_suppressed(load_catalog(2022), "389", "registry")
