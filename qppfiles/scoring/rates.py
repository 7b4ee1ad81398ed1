"""Performance rate, data completeness and case count of a quality measurement.

Formulas of the QPP submissions API: a single rate is met / (met + not met);
data completeness is (met + exclusions + exceptions + not met) / eligible
population; multi-strata measures combine strata by the measure's overall
algorithm.  A value that cannot be computed is None, with the reason why.
"""

from __future__ import annotations

import math

from dataclasses import dataclass
from typing import Optional, Sequence

from ..model import Counts, MultiRateValue, NonProportionValue, SingleRateValue

REGISTRY_METRIC_TYPES = ("registrySinglePerformanceRate", "registryMultiPerformanceRate")
OVERALL = "overall"


@dataclass(slots=True)
class MeasureRates:
    performance_rate: Optional[float] = None     # 0-100 (or the observed value for non-proportion)
    reporting_rate: Optional[float] = None       # data completeness, 0-100
    case_count: Optional[float] = None
    eligible_population: Optional[float] = None  # denominator of data completeness
    reported_cases: Optional[float] = None       # numerator of data completeness
    end_to_end: bool = False
    problem: Optional[str] = None                # why a value could not be computed


def _n(value) -> float:
    t = type(value)  # exact types: a bool is not a count
    return float(value) if t is int or t is float else 0.0


def _missing(counts: Counts) -> bool:
    return counts.eligible_population is None or (counts.performance_met is None and counts.performance_not_met is None)


def _reported(c: Counts) -> float:
    return _n(c.performance_met) + _n(c.eligible_population_exclusion) + _n(c.eligible_population_exception) \
        + _n(c.performance_not_met)


def _percent(part: float, whole: float) -> Optional[float]:
    # Counts near the double limit add up to infinity: no rate rather than nan% or inf%.
    if whole <= 0 or not math.isfinite(whole) or not math.isfinite(part):
        return None
    return 100.0 * part / whole


def single(value: SingleRateValue, metric_type: Optional[str], registry_measure: bool) -> MeasureRates:
    c = value.counts
    if _missing(c):
        return MeasureRates(problem="the eligible population or the performance counts are missing",
                            end_to_end=bool(value.is_end_to_end))
    eligible = _n(c.eligible_population)
    met, not_met = _n(c.performance_met), _n(c.performance_not_met)
    reported = _reported(c)
    rate = _percent(met, met + not_met)
    if metric_type in REGISTRY_METRIC_TYPES and isinstance(value.performance_rate, (int, float)):
        rate = float(value.performance_rate)
    case_count = eligible - _n(c.eligible_population_exclusion) if registry_measure else eligible
    problem = None
    if eligible <= 0:
        problem = "the eligible population is 0: data completeness cannot be computed"
    elif rate is None and math.isfinite(met + not_met + reported):
        problem = "performance met + not met is 0: there is no performance rate"
    elif rate is None:
        problem = "the counts are too large to compute a performance rate"
    return MeasureRates(rate, _percent(reported, eligible), case_count, eligible, reported,
                        bool(value.is_end_to_end), problem)


def non_proportion(value: NonProportionValue) -> MeasureRates:
    denominator = _n(value.denominator)
    if value.denominator is None or denominator <= 0:
        return MeasureRates(problem="the denominator is 0 or missing: data completeness cannot be computed",
                            end_to_end=bool(value.is_end_to_end))
    reported = _n(value.observation_instances) + _n(value.denominator_exception) + _n(value.numerator_exclusion)
    rate = None if value.numerator is None else _n(value.numerator)
    return MeasureRates(rate, _percent(reported, denominator), denominator, denominator, reported,
                        bool(value.is_end_to_end), None if rate is not None else "the numerator is missing")


def multi(value: MultiRateValue, algorithm: Optional[str]) -> MeasureRates:
    strata = [s for s in value.strata if s.counts is not None]
    e2e = bool(value.is_end_to_end)
    if not strata:
        return MeasureRates(problem="the measure has no strata", end_to_end=e2e)
    named = {s.name: s.counts for s in strata}
    if algorithm == "overallStratumOnly":
        overall = named.get(OVERALL)
        if overall is None:
            return MeasureRates(problem="the 'overall' stratum is missing", end_to_end=e2e)
        rate_of = [overall]
        dc_of = [overall]
        case_count = _n(overall.eligible_population)
    elif algorithm == "split":
        dc_of = [s.counts for s in strata if s.name == "reporting"]
        rate_of = [s.counts for s in strata if s.name == "performance"]
        if not dc_of or not rate_of:
            return MeasureRates(problem="a 'split' measure needs its 'reporting' and 'performance' strata",
                                end_to_end=e2e)
        case_count = sum(_n(c.eligible_population) for c in dc_of)
    else:
        dc_of = rate_of = [s.counts for s in strata if s.name != OVERALL] or [s.counts for s in strata]
        counts = [_n(c.eligible_population) for c in rate_of]
        case_count = max(counts) if algorithm == "simpleAverage" else sum(counts)
    eligible = sum(_n(c.eligible_population) for c in dc_of)
    reported = sum(_reported(c) for c in dc_of)
    rate = _combined_rate(rate_of, algorithm)
    problem = None
    if eligible <= 0:
        problem = "the strata's eligible population is 0: data completeness cannot be computed"
    elif rate is None:
        problem = "performance met + not met is 0 in every stratum: there is no performance rate"
    return MeasureRates(rate, _percent(reported, eligible), case_count, eligible, reported, e2e, problem)


def _combined_rate(strata: Sequence[Counts], algorithm: Optional[str]) -> Optional[float]:
    if algorithm in ("simpleAverage", "overallStratumOnly"):
        rates = []
        for c in strata:
            whole = _n(c.performance_met) + _n(c.performance_not_met) - _n(c.eligible_population_exclusion)
            if whole > 0:
                rates.append(100.0 * _n(c.performance_met) / whole)
        return sum(rates) / len(rates) if rates else None
    # weightedAverage, sumNumerators, split and unknown algorithms pool the counts.
    met = sum(_n(c.performance_met) for c in strata)
    return _percent(met, met + sum(_n(c.performance_not_met) for c in strata))
