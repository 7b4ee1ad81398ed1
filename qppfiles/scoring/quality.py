"""Quality category: achievement points per measure and the category percent.

Each measure falls in one class: data completeness not met; met but below the
case minimum or without a benchmark; or benchmarked, scored by decile with the
benchmark's cap and the year's floors.  Every number comes from the year pack
(``pack.quality``) or the catalog's benchmark.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence

from ..model import Measurement, MultiRateValue, NonProportionValue, SingleRateValue
from .benchmarks import position
from .card import CategoryScore, MeasureScore
from .rates import MeasureRates, multi, non_proportion, single
from .text import fmt, pct

BONUS_OUTCOME_TYPES = frozenset({"outcome", "intermediateOutcome", "patientReportedOutcome",
                                 "patientEngagementExperience"})


@dataclass(eq=False)
class QualityResult:
    """A scored measure plus what the suggestions need to know about it."""

    score: MeasureScore
    measure: object = None                      # catalog QualityMeasure or None
    rates: Optional[MeasureRates] = None
    data_completeness_met: bool = False
    case_minimum_met: bool = False
    potential: Optional[float] = None           # points if data completeness were met
    cases_needed: Optional[int] = None          # to reach data completeness
    case_minimum: Optional[int] = None
    bonus: float = 0.0
    bonus_notes: List[str] = field(default_factory=list)

    @property
    def is_outcome(self) -> bool:
        return getattr(self.measure, "measure_type", None) in BONUS_OUTCOME_TYPES

    @property
    def is_high_priority(self) -> bool:
        return bool(getattr(self.measure, "is_high_priority", False)) or self.is_outcome


# ------------------------------------------------------------------ one measure

def measure_rates(measurement: Measurement, measure) -> Optional[MeasureRates]:
    value = measurement.value
    metric = getattr(measure, "metric_type", None)
    if isinstance(value, SingleRateValue):
        return single(value, metric, bool(getattr(measure, "is_registry_measure", False)))
    if isinstance(value, MultiRateValue):
        return multi(value, getattr(measure, "overall_algorithm", None))
    if isinstance(value, NonProportionValue):
        return non_proportion(value)
    return None


def _by_size(q, name: str, small_practice: bool) -> float:
    return getattr(q, f"{name}_small_practice") if small_practice else getattr(q, name)


def _size_note(small_practice: bool) -> str:
    return " (small practice)" if small_practice else ""


def achievement(rate: float, benchmark, measure, pack) -> tuple[float, Optional[int], Optional[tuple], str]:
    """Points of a rate against a benchmark, with the benchmark's cap and the year's floor."""
    q = pack.quality
    inverse = benchmark.is_inverse if benchmark.is_inverse is not None else bool(getattr(measure, "is_inverse", False))
    where = f"the {pack.year} {benchmark.submission_method} benchmark"
    if benchmark.status == "flat":
        where += " (flat)"
    found = position(rate, benchmark, inverse)
    if found is None:
        return None, None, None, f"{where} has no decile bounds"
    direction = ", lower is better" if inverse else ""
    if found.below_first_decile:
        points = q.points_below_first_decile if q.points_below_first_decile is not None else 0.0
        reason = f"rate {pct(rate)} is worse than decile 1 of {where}{direction}: {fmt(points)} points"
    else:
        points = round(found.points, q.decimal_places)
        reason = f"rate {pct(rate)} is in decile {found.decile} of {where}{direction}: {fmt(points)} points"
    if benchmark.is_topped_out_by_program and points > q.topped_out_cap_points:
        points = q.topped_out_cap_points
        reason += f"; topped out by the program: capped at {fmt(points)}"
    elif benchmark.is_topped_out and not benchmark.is_topped_out_by_program and found.decile == 10 \
            and benchmark.percentiles and q.defined_topped_out_percentiles:
        reason += " (defined topped-out benchmark, no 7-point cap)"
    floor = q.achievement_floor_points
    if floor is not None and points < floor:
        points = floor
        reason += f"; raised to the {fmt(floor)}-point floor"
    return points, found.decile, found.bounds, reason


def _new_measure_floor(measure, method: Optional[str], pack) -> tuple[Optional[float], str]:
    q = pack.quality
    first = getattr(measure, "first_performance_year", None)
    if q.new_measure_floor_points is None or not isinstance(first, int):
        return None, ""
    if q.new_measure_floor_excludes_admin_claims and method == "administrativeClaims":
        return None, ""
    age = pack.year - first + 1
    if age == 1:
        return q.new_measure_floor_points.first_year, "first year in the program"
    if age == 2:
        return q.new_measure_floor_points.second_year, "second year in the program"
    return None, ""


def score_measure(measurement: Measurement, method: Optional[str], pack, catalog,
                  small_practice: bool = False) -> QualityResult:
    """Achievement points of one quality measurement; never raises."""
    q = pack.quality
    measure_id = measurement.measure_id or "?"
    measure = catalog.quality.get(measurement.measure_id) if measurement.measure_id else None
    score = MeasureScore(measure_id, "quality", 0.0, "", max_points=q.max_points_per_measure,
                         submission_method=method)
    result = QualityResult(score, measure)
    if measure is None:
        score.reason = f"{measure_id} is not a {pack.year} quality measure: 0 points"
        return result
    rates = measure_rates(measurement, measure)
    result.rates = rates
    if rates is None:
        score.reason = f"the value of measure {measure_id} has no performance counts: 0 points"
        return result
    score.performance_rate = _round(rates.performance_rate)
    score.reporting_rate = _round(rates.reporting_rate)
    score.case_count = rates.case_count
    if rates.reporting_rate is None:
        score.reason = f"{rates.problem}: 0 points"
        return result
    threshold = q.data_completeness_threshold_percent
    result.case_minimum = q.readmission_case_minimum if measure_id == q.readmission_measure_id else q.case_minimum
    benchmark = catalog.benchmark(measure_id, method) if method else None
    usable = benchmark is not None and benchmark.status != "removed"
    if not q.data_completeness_met(rates.reporting_rate):
        points = _by_size(q, "points_data_completeness_not_met", small_practice)
        score.points = points
        score.reason = (f"data completeness {pct(rates.reporting_rate)} < {pct(threshold)}: "
                        f"{fmt(points)} points{_size_note(small_practice)}")
        result.cases_needed = max(0, math.ceil(threshold / 100.0 * rates.eligible_population - 1e-9)
                                  - int(rates.reported_cases))
        score.cases_needed = result.cases_needed
        result.potential = _points_when_complete(result, benchmark if usable else None, method, pack,
                                                 small_practice)
        return result
    result.data_completeness_met = True
    points, reason = _points_when_complete(result, benchmark if usable else None, method, pack, small_practice,
                                           with_reason=True)
    score.points = points
    score.reason = reason
    return result


def _points_when_complete(result: QualityResult, benchmark, method, pack, small_practice, with_reason=False):
    """Points of a measure whose data completeness is met (or assumed met)."""
    q = pack.quality
    score, rates, measure = result.score, result.rates, result.measure
    if rates.case_count is None or rates.case_count < result.case_minimum:
        points = _by_size(q, "points_below_case_minimum", small_practice)
        reason = (f"{fmt(rates.case_count or 0)} cases < case minimum {result.case_minimum}: "
                  f"{fmt(points)} points{_size_note(small_practice)}")
    elif rates.performance_rate is None:
        points = _by_size(q, "points_below_case_minimum", small_practice)
        reason = f"{rates.problem}: {fmt(points)} points{_size_note(small_practice)}"
    elif benchmark is None:
        points = _by_size(q, "points_no_benchmark", small_practice)
        reason = (f"no {pack.year} benchmark for {method or 'this collection type'}: "
                  f"{fmt(points)} points{_size_note(small_practice)}")
    else:
        points, decile, bounds, reason = achievement(rates.performance_rate, benchmark, measure, pack)
        if points is None:
            points = _by_size(q, "points_no_benchmark", small_practice)
            reason += f": {fmt(points)} points"
        if with_reason:
            score.decile, score.bounds = decile, bounds
    if with_reason:
        result.case_minimum_met = rates.case_count is not None and rates.case_count >= result.case_minimum
    floor, why = _new_measure_floor(measure, method, pack)
    if floor is not None and points < floor:
        points = floor
        reason += f"; new measure ({why}): raised to {fmt(floor)}"
    return (points, reason) if with_reason else points


def _round(value: Optional[float]) -> Optional[float]:
    return None if value is None else round(value, 4)


# ------------------------------------------------------------------ the category

def pick(results: Sequence[QualityResult], slots: int, requires_outcome_or_hp: bool) -> tuple[list, list[str]]:
    """The measures that count: the best per measure id, then the top ``slots``."""
    notes: list[str] = []
    best: dict[str, QualityResult] = {}
    for r in results:
        key = r.score.measure_id
        if key not in best or r.score.points > best[key].score.points:
            best[key] = r
    ranked = sorted(best.values(), key=lambda r: -r.score.points)
    chosen = ranked[:slots]
    if requires_outcome_or_hp and ranked and not any(r.is_high_priority for r in chosen):
        hp = [r for r in ranked if r.is_high_priority]
        if hp:
            chosen = chosen[:slots - 1] + [hp[0]]
            notes.append(f"measure {hp[0].score.measure_id} is picked as the required outcome or "
                         f"high-priority measure")
        elif len(chosen) == slots:
            chosen = chosen[:slots - 1]
            notes.append(f"no outcome or high-priority measure was reported: only the top {slots - 1} "
                         f"measures count and the last slot scores 0")
    for r in results:
        r.score.picked = r in chosen
        if not r.score.picked and r.score.measure_id in best and best[r.score.measure_id] is not r:
            r.score.notes.append("another collection type of this measure scored higher")
        elif not r.score.picked:
            r.score.notes.append(f"not among the top {slots} measures")
    return chosen, notes


def measure_bonuses(results: Sequence[QualityResult], chosen: Sequence[QualityResult], pack,
                    denominator: float) -> tuple[float, list[str]]:
    """Outcome/high-priority and end-to-end bonus points of the years that had them."""
    rules = pack.quality.measure_bonus
    if rules is None:
        return 0.0, []
    cap = rules.cap_percent_of_denominator / 100.0 * denominator
    eligible = [r for r in results if r.data_completeness_met and r.case_minimum_met and
                (r.rates.performance_rate or 0) > 0]
    required = next((r for r in chosen if r.is_outcome), None) or next((r for r in chosen if r.is_high_priority), None)
    priority = e2e = 0.0
    seen: set[str] = set()
    for r in eligible:
        if r.score.measure_id in seen:
            continue
        seen.add(r.score.measure_id)
        if r is not required and r.is_high_priority:
            points = rules.outcome_or_patient_experience_points if r.is_outcome else rules.other_high_priority_points
            kind = "outcome/patient experience" if r.is_outcome else "high priority"
            priority += points
            r.score.notes.append(f"+{points} {kind} bonus")
        if r.rates.end_to_end:
            e2e += rules.end_to_end_points
            r.score.notes.append(f"+{rules.end_to_end_points} end-to-end bonus")
    notes = []
    if required is not None and rules:
        required.score.notes.append("satisfies the outcome/high-priority requirement: no bonus for it")
    total = min(priority, cap) + min(e2e, cap)
    if priority or e2e:
        notes.append(f"measure bonuses: high priority {fmt(min(priority, cap))}"
                     f"{' (capped)' if priority > cap else ''}, end-to-end {fmt(min(e2e, cap))}"
                     f"{' (capped)' if e2e > cap else ''}; each capped at {fmt(cap)}")
    return total, notes


def quality_percent(points: Iterable[float], pack, *, small_practice: bool = False, measures_reported: int = None,
                    bonus: float = 0.0, prior_quality: Optional[float] = None,
                    denominator: Optional[float] = None, slots: Optional[int] = None) -> CategoryScore:
    """The quality category percent from the picked measures' points (the published formula)."""
    q = pack.quality
    points = list(points)
    denominator = denominator or q.denominator
    slots = slots or q.required_measures
    reported = len(points) if measures_reported is None else measures_reported
    achieved = sum(points)
    reasons = [f"{len(points)} measures counted: {fmt(achieved)} of {fmt(denominator)} points"]
    if len(points) < slots:
        reasons.append(f"{slots - len(points)} of the {slots} required measures missing: they count 0")
    numerator = achieved + bonus
    if bonus:
        reasons.append(f"measure bonus points: +{fmt(bonus)}")
    sp_bonus = 0.0
    if small_practice and q.small_practice_bonus_points and reported > 0:
        sp_bonus = q.small_practice_bonus_points
        numerator += sp_bonus
        reasons.append(f"small-practice bonus: +{sp_bonus} points in the numerator")
    percent = 100.0 * numerator / denominator
    improvement = 0.0
    if prior_quality is not None:
        rules = q.improvement_scoring
        if rules is None:
            reasons.append(f"no improvement scoring in {pack.year}")
        else:
            current = 100.0 * achieved / denominator
            prior = max(float(prior_quality), rules.prior_year_floor_percent)
            improvement = min(rules.max_percentage_points, max(0.0, (current - prior) / prior * 10.0))
            reasons.append(f"improvement score: achievement {pct(current)} vs prior {pct(prior)}"
                           f"{' (floored)' if prior > float(prior_quality) else ''}: +{fmt(improvement)} "
                           f"percentage points (max {fmt(rules.max_percentage_points)})")
    total = percent + improvement
    if total > 100:
        reasons.append(f"{fmt(total)}% capped at 100%")
        total = 100.0
    score = round(total, q.decimal_places)
    reasons.insert(0, f"quality {fmt(score)}%")
    return CategoryScore("quality", score, reasons=reasons, bonus=bonus + sp_bonus + improvement)
