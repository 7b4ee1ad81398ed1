"""Quality measure arithmetic, shared by the checks and the score estimate.

Performance rate, data completeness, case count, case minimum, cases still
needed, point floors and the outcome / high-priority kinds of a measure: one
implementation, so that what validation says and what the estimate scores
cannot drift apart.

Formulas of the QPP submissions API: a single rate is met / (met + not met);
data completeness is (met + exclusions + exceptions + not met) / eligible
population; multi-strata measures combine strata by the measure's overall
algorithm.  A value that cannot be computed is None, with the reason why.
Every year-specific number comes from the year pack's quality rules (``q``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import TypeGuard
from typing import overload

from ..catalog.records import OUTCOME_TYPES
from .submission import Counts
from .submission import MultiRateValue
from .submission import NonProportionValue
from .submission import SingleRateValue

if TYPE_CHECKING:
    from ..catalog import Benchmark
    from ..catalog import Catalog
    from ..program.packs import QualityRules

# A catalog record is read with getattr below: callers pass a QualityMeasure, another record kind or None.
MeasureRecord = object

REGISTRY_METRIC_TYPES = ("registrySinglePerformanceRate", "registryMultiPerformanceRate")
# The count fields of a quality measurement: QPP JSON name -> model attribute of Counts.
COUNT_FIELDS = (
    ("performanceMet", "performance_met"),
    ("performanceNotMet", "performance_not_met"),
    ("eligiblePopulation", "eligible_population"),
    ("eligiblePopulationExclusion", "eligible_population_exclusion"),
    ("eligiblePopulationException", "eligible_population_exception"),
    ("numeratorExclusion", "numerator_exclusion"),
)
OVERALL = "overall"


@dataclass(slots=True)
class MeasureRates:
    performance_rate: float | None = None     # 0-100 (or the observed value for non-proportion)
    reporting_rate: float | None = None       # data completeness, 0-100
    case_count: float | None = None
    eligible_population: float | None = None  # denominator of data completeness
    reported_cases: float | None = None       # numerator of data completeness
    end_to_end: bool = False
    problem: str | None = None                # why a value could not be computed
    performance_met: float | None = None      # numerator of a single rate met / (met + not met)
    performance_denominator: float | None = None  # met + not met, when the rate is that single ratio


def _n(value: object) -> float:
    return float(value) if is_count(value) else 0.0


def _missing(counts: Counts) -> bool:
    return counts.eligible_population is None or (counts.performance_met is None and counts.performance_not_met is None)


def _reported(c: Counts) -> float:
    return _n(c.performance_met) + _n(c.eligible_population_exclusion) + _n(c.eligible_population_exception) \
        + _n(c.performance_not_met)


def _percent(part: float, whole: float) -> float | None:
    # Counts near the double limit add up to infinity: no rate rather than nan% or inf%.
    if whole <= 0 or not math.isfinite(whole) or not math.isfinite(part):
        return None
    return 100.0 * part / whole


def single(value: SingleRateValue, metric_type: str | None, registry_measure: bool) -> MeasureRates:
    c = value.counts
    if _missing(c):
        return MeasureRates(problem="the eligible population or the performance counts are missing",
                            end_to_end=bool(value.is_end_to_end))
    eligible = _n(c.eligible_population)
    met, not_met = _n(c.performance_met), _n(c.performance_not_met)
    reported = _reported(c)
    rate = _percent(met, met + not_met)
    ratio: tuple[float | None, float | None] = (met, met + not_met)
    if metric_type in REGISTRY_METRIC_TYPES and isinstance(value.performance_rate, (int, float)):
        rate = float(value.performance_rate)
        ratio = (None, None)  # the submitted rate is the registry's own, not met / (met + not met)
    case_count = eligible - _n(c.eligible_population_exclusion) if registry_measure else eligible
    problem = None
    if eligible <= 0:
        problem = "the eligible population is 0: data completeness cannot be computed"
    elif rate is None and math.isfinite(met + not_met + reported):
        problem = "performance met + not met is 0: there is no performance rate"
    elif rate is None:
        problem = "the counts are too large to compute a performance rate"
    return MeasureRates(rate, _percent(reported, eligible), case_count, eligible, reported,
                        bool(value.is_end_to_end), problem, *ratio)


def patients_to_rate(rates: MeasureRates, target: float) -> int | None:
    """How many patients must move between met and not met for the rate to reach ``target`` (0-100).

    Positive: more patients meeting the measure; negative: fewer (an inverse measure).  None when the
    rate is not one ratio of counts (several strata, a registry's own rate, a non-proportion measure).
    """
    met, whole = rates.performance_met, rates.performance_denominator
    if met is None or not whole:
        return None
    goal = target / 100.0 * whole
    if goal >= met:
        return math.ceil(goal - met - 1e-9)
    return -math.ceil(met - goal - 1e-9)


def non_proportion(value: NonProportionValue) -> MeasureRates:
    denominator = _n(value.denominator)
    if value.denominator is None or denominator <= 0:
        return MeasureRates(problem="the denominator is 0 or missing: data completeness cannot be computed",
                            end_to_end=bool(value.is_end_to_end))
    reported = _n(value.observation_instances) + _n(value.denominator_exception) + _n(value.numerator_exclusion)
    rate = None if value.numerator is None else _n(value.numerator)
    return MeasureRates(rate, _percent(reported, denominator), denominator, denominator, reported,
                        bool(value.is_end_to_end), None if rate is not None else "the numerator is missing")


def multi(value: MultiRateValue, algorithm: str | None) -> MeasureRates:
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


def _combined_rate(strata: Sequence[Counts], algorithm: str | None) -> float | None:
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


# ------------------------------------------------------------------ one measurement

def rates_of(value: object, measure: MeasureRecord) -> MeasureRates | None:
    """Rates of a measurement's value under its catalog record; None when the value has no counts."""
    if isinstance(value, SingleRateValue):
        return single(value, getattr(measure, "metric_type", None),
                      bool(getattr(measure, "is_registry_measure", False)))
    if isinstance(value, MultiRateValue):
        return multi(value, getattr(measure, "overall_algorithm", None))
    if isinstance(value, NonProportionValue):
        return non_proportion(value)
    return None


def counts_rate(c: Counts) -> float | None:
    """met / (met + not met) x 100 from whole counts; None when there are none."""
    met, not_met = c.performance_met, c.performance_not_met
    if not (is_count(met) and is_count(not_met)) or met + not_met <= 0:
        return None
    return 100.0 * met / (met + not_met)


def is_count(x: object) -> TypeGuard[float]:
    # type(), not isinstance(): a bool is an int to isinstance, and this runs for every count.
    t = type(x)
    return t is int or t is float


@overload
def scored_rate(rate: float) -> float: ...
@overload
def scored_rate(rate: float | None) -> float | None: ...
def scored_rate(rate: float | None) -> float | None:
    """The rate CMS compares with a benchmark: rounded half up to 2 decimals (76.923 -> 76.92)."""
    if rate is None:
        return None
    return float(Decimal(repr(rate)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def cases_to_threshold(threshold: float, eligible: float, reported: float) -> int:
    """More cases to report so that reported / eligible reaches the threshold percent."""
    return max(0, math.ceil(threshold / 100.0 * eligible - 1e-9) - int(reported))


# ------------------------------------------------------------------ year rules

def case_minimum(q: QualityRules, measure_id: str | None) -> int:
    """The case minimum of a measure: the readmission measure has its own."""
    return q.readmission_case_minimum if measure_id == q.readmission_measure_id else q.case_minimum


def data_completeness_met(q: QualityRules, rates: MeasureRates) -> bool:
    return rates.reporting_rate is not None and q.data_completeness_met(rates.reporting_rate)


def case_minimum_met(q: QualityRules, measure_id: str | None, rates: MeasureRates) -> bool:
    return rates.case_count is not None and rates.case_count >= case_minimum(q, measure_id)


def class_points(q: QualityRules, name: str, small_practice: bool) -> float:
    """Points of a measure class (``points_no_benchmark``...) for a practice of this size."""
    points: float = getattr(q, f"{name}_small_practice") if small_practice else getattr(q, name)
    return points


def new_measure_floor(q: QualityRules, year: int, measure: MeasureRecord,
                      method: str | None) -> tuple[float | None, str]:
    """(floor points, why) of a measure in its first or second year; (None, "") otherwise."""
    first = getattr(measure, "first_performance_year", None)
    if q.new_measure_floor_points is None or not isinstance(first, int):
        return None, ""
    if q.new_measure_floor_excludes_admin_claims and method == "administrativeClaims":
        return None, ""
    age = year - first + 1
    if age == 1:
        return q.new_measure_floor_points.first_year, "first year in the program"
    if age == 2:
        return q.new_measure_floor_points.second_year, "second year in the program"
    return None, ""


WEB_INTERFACE = "cmsWebInterface"
SUPPRESSED = "BR-022"        # CMS benchmark exclusion reason: the measure was suppressed for the year


def leaves_denominator(method: str | None, app: bool) -> bool:
    """Under the APP and the Web Interface a measure without a benchmark or the case minimum leaves the
    numerator and the denominator instead of scoring the year's class points (§414.1367(c)(1)(i))."""
    return app or method == WEB_INTERFACE


def data_completeness_points(q: QualityRules, small_practice: bool, method: str | None) -> float:
    """Points of a measure below the data completeness threshold: 0 on the Web Interface."""
    return 0.0 if method == WEB_INTERFACE else class_points(q, "points_data_completeness_not_met", small_practice)


def is_suppressed(catalog: Catalog, measure_id: str | None, method: str | None) -> bool:
    """Suppressed measures leave the quality numerator and denominator (§414.1380(b)(1)(vii)(A))."""
    if not measure_id or not method:
        return False
    return SUPPRESSED in catalog.benchmark_exclusion(measure_id, method)


def topped_out_cap(q: QualityRules, benchmark: Benchmark | None, measure_id: str | None, method: str | None, *,
                   app: bool = False) -> float | None:
    """The most points a topped-out measure may earn, or None when it is not capped.

    A year that names its capped measures (2018) caps those; other years cap
    the benchmarks flagged isToppedOutByProgram.  The APM Performance Pathway
    and the Web Interface are never capped.
    """
    if app or method == WEB_INTERFACE:
        return None
    named = q.topped_out_capped_measure_ids
    if named is not None:
        return q.topped_out_cap_points if measure_id in named else None
    if benchmark is not None and benchmark.is_topped_out_by_program and benchmark.status != "removed":
        return q.topped_out_cap_points
    return None


# ------------------------------------------------------------------ kinds of measure

PATIENT_EXPERIENCE = "patientEngagementExperience"


def is_outcome_or_patient_experience(measure: MeasureRecord) -> bool:
    """Outcome kinds and patient experience: the measures of the larger bonus."""
    kind = getattr(measure, "measure_type", None)
    return kind in OUTCOME_TYPES or kind == PATIENT_EXPERIENCE


def is_outcome_or_high_priority(measure: MeasureRecord) -> bool:
    """Can the measure be the required outcome or high-priority measure?"""
    return bool(getattr(measure, "is_high_priority", False)) or is_outcome_or_patient_experience(measure)
