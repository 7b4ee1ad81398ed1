"""Quality category: achievement points per measure and the category percent.

Each measure falls in one class: data completeness not met; met but below the
case minimum or without a benchmark; or benchmarked, scored by decile with the
benchmark's cap and the year's floors.  Every number comes from the year pack
(``pack.quality``) or the catalog's benchmark.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from ..model.measure_math import SUPPRESSED
from ..model.measure_math import MeasureRates
from ..model.measure_math import case_minimum
from ..model.measure_math import case_minimum_met
from ..model.measure_math import cases_to_threshold
from ..model.measure_math import class_points
from ..model.measure_math import data_completeness_points
from ..model.measure_math import is_outcome_or_high_priority
from ..model.measure_math import is_outcome_or_patient_experience
from ..model.measure_math import is_suppressed
from ..model.measure_math import leaves_denominator
from ..model.measure_math import new_measure_floor
from ..model.measure_math import rates_of
from ..model.measure_math import scored_rate
from ..model.measure_math import topped_out_cap
from ..model.submission import Measurement
from .benchmarks import position
from .card import CategoryScore
from .card import MeasureScore
from .text import fmt
from .text import pct
from .text import points_text


@dataclass(eq=False)
class QualityResult:
    """A scored measure plus what the suggestions need to know about it."""

    score: MeasureScore
    measure: object = None                      # catalog QualityMeasure or None
    rates: MeasureRates | None = None
    data_completeness_met: bool = False
    case_minimum_met: bool = False
    potential: float | None = None           # points if data completeness were met
    cases_needed: int | None = None          # to reach data completeness
    case_minimum: int | None = None
    bonus: float = 0.0
    bonus_notes: list[str] = field(default_factory=list)
    left_out: str | None = None              # why the measure leaves the numerator and the denominator
    given: bool = False                         # points given for a measure CMS computes itself
    app: bool = False                           # scored under the APM Performance Pathway

    @property
    def is_outcome(self) -> bool:
        return is_outcome_or_patient_experience(self.measure)

    @property
    def is_high_priority(self) -> bool:
        return is_outcome_or_high_priority(self.measure)


# ------------------------------------------------------------------ one measure

def _size_note(small_practice: bool) -> str:
    return " (small practice)" if small_practice else ""


@dataclass(frozen=True)
class Achievement:
    """Points of a rate against a benchmark, and how they came about."""

    points: float | None                     # None when the benchmark has no decile bounds
    decile: int | None
    bounds: tuple | None
    reason: str
    cap: float | None = None                 # the topped-out cap that lowered the points

    def as_tuple(self):
        return self.points, self.decile, self.bounds, self.reason


def achievement(rate: float, benchmark, measure, pack, *, app: bool = False
                ) -> tuple[float, int | None, tuple | None, str]:
    """(points, decile, bounds, reason) of a rate against a benchmark, with the cap and the year's floor."""
    return score_rate(rate, benchmark, measure, pack, app=app).as_tuple()


def score_rate(rate: float, benchmark, measure, pack, *, app: bool = False) -> Achievement:
    """Points of a rate (rounded to 2 decimals first, as CMS does) against a benchmark."""
    q = pack.quality
    rate = scored_rate(rate)
    inverse = benchmark.is_inverse if benchmark.is_inverse is not None else bool(getattr(measure, "is_inverse", False))
    where = f"the {pack.year} {benchmark.submission_method} benchmark"
    if benchmark.status == "flat":
        where += " (flat)"
    found = position(rate, benchmark, inverse)
    if found is None:
        return Achievement(None, None, None, f"{where} has no decile bounds")
    direction = ", lower is better" if inverse else ""
    if found.below_first_decile:
        points = q.points_below_first_decile if q.points_below_first_decile is not None else 0.0
        reason = f"rate {pct(rate)} is worse than decile 1 of {where}{direction}: {points_text(points)}"
    else:
        points = round(found.points, q.decimal_places)
        reason = f"rate {pct(rate)} is in decile {found.decile} of {where}{direction}: {points_text(points)}"
    cap = topped_out_cap(q, benchmark, benchmark.measure_id, benchmark.submission_method, app=app)
    applied = None
    if cap is not None and points > cap:
        points = applied = cap
        reason += f"; topped out by the program: capped at {fmt(points)}"
    elif cap is None and benchmark.is_topped_out and not benchmark.is_topped_out_by_program \
            and found.decile == 10 and benchmark.percentiles and q.defined_topped_out_percentiles:
        reason += " (defined topped-out benchmark, no 7-point cap)"
    floor = q.achievement_floor_points
    if floor is not None and points < floor:
        points = floor
        reason += f"; raised to the {fmt(floor)}-point floor"
    return Achievement(points, found.decile, found.bounds, reason, applied)


def score_measure(measurement: Measurement, method: str | None, pack, catalog,
                  small_practice: bool = False, app: bool = False) -> QualityResult:
    """Achievement points of one quality measurement; never raises.

    Under the APM Performance Pathway (``app``) and the Web Interface a measure
    without a benchmark or the case minimum leaves the numerator and the
    denominator (§414.1367(c)(1)(i)); a suppressed measure leaves them always
    (§414.1380(b)(1)(vii)(A)).
    """
    q = pack.quality
    measure_id = measurement.measure_id or "?"
    measure = catalog.quality.get(measurement.measure_id) if measurement.measure_id else None
    score = MeasureScore(measure_id, "quality", 0.0, "", max_points=q.max_points_per_measure,
                         submission_method=method)
    result = QualityResult(score, measure, app=app)
    if measure is None:
        score.reason = f"{measure_id} is not a {pack.year} quality measure: 0 points"
        return result
    rates = rates_of(measurement.value, measure)
    result.rates = rates
    if rates is None:
        score.reason = f"the value of measure {measure_id} has no performance counts: 0 points"
        return result
    score.performance_rate = scored_rate(rates.performance_rate)
    score.reporting_rate = _round(rates.reporting_rate)
    score.case_count = rates.case_count
    if is_suppressed(catalog, measure_id, method):
        result.left_out = score.reason = (f"measure {measure_id} is suppressed for {method} in {pack.year} "
                                          f"(CMS benchmark exclusion {SUPPRESSED}): left out of the numerator "
                                          f"and the denominator")
        return result
    if rates.reporting_rate is None:
        score.reason = f"{rates.problem}: 0 points"
        return result
    threshold = q.data_completeness_threshold_percent
    result.case_minimum = case_minimum(q, measure_id)
    benchmark = catalog.benchmark(measure_id, method) if method else None
    usable = benchmark is not None and benchmark.status != "removed"
    if not q.data_completeness_met(rates.reporting_rate):
        points = data_completeness_points(q, small_practice, method)
        score.points = points
        score.reason = (f"data completeness {pct(rates.reporting_rate)} < {pct(threshold)}: "
                        f"{points_text(points)}{_size_note(small_practice)}")
        # Data completeness has a rate, so its eligible and reported cases are known.
        assert rates.eligible_population is not None and rates.reported_cases is not None
        result.cases_needed = cases_to_threshold(threshold, rates.eligible_population, rates.reported_cases)
        score.cases_needed = result.cases_needed
        result.potential = _points_when_complete(result, rates, benchmark if usable else None, method, pack,
                                                 small_practice)
        return result
    result.data_completeness_met = True
    points, reason = _points_when_complete(result, rates, benchmark if usable else None, method, pack,
                                           small_practice, with_reason=True)
    score.points = points
    score.reason = reason
    return result


def _points_when_complete(result: QualityResult, rates: MeasureRates, benchmark, method, pack, small_practice,
                          with_reason=False):
    """Points of a measure whose data completeness is met (or assumed met); ``rates`` are its rates."""
    q = pack.quality
    score, measure, minimum = result.score, result.measure, case_minimum(q, result.score.measure_id)
    leaves = leaves_denominator(method, result.app)
    if leaves and (rates.case_count is None or rates.case_count < minimum):
        return _left_out(result, f"{fmt(rates.case_count or 0)} cases < case minimum {minimum}", with_reason)
    if leaves and benchmark is None:
        return _left_out(result, f"no {pack.year} benchmark for {method or 'this collection type'}", with_reason)
    if rates.case_count is None or rates.case_count < minimum:
        points = class_points(q, "points_below_case_minimum", small_practice)
        reason = (f"{fmt(rates.case_count or 0)} cases < case minimum {minimum}: "
                  f"{points_text(points)}{_size_note(small_practice)}")
    elif rates.performance_rate is None:
        points = class_points(q, "points_below_case_minimum", small_practice)
        reason = f"{rates.problem}: {points_text(points)}{_size_note(small_practice)}"
    elif benchmark is None:
        points = class_points(q, "points_no_benchmark", small_practice)
        reason = (f"no {pack.year} benchmark for {method or 'this collection type'}: "
                  f"{points_text(points)}{_size_note(small_practice)}")
    else:
        found = score_rate(rates.performance_rate, benchmark, measure, pack, app=result.app)
        points, decile, bounds, reason = found.as_tuple()
        if with_reason:
            score.capped_at = found.cap
        if points is None:
            points = class_points(q, "points_no_benchmark", small_practice)
            reason += f": {points_text(points)}"
        if with_reason:
            score.decile, score.bounds = decile, bounds
    if with_reason:
        result.case_minimum_met = case_minimum_met(q, score.measure_id, rates)
    floor, why = new_measure_floor(q, pack.year, measure, method)
    if floor is not None and points < floor:
        points = floor
        reason += f"; new measure ({why}): raised to {fmt(floor)}"
    return (points, reason) if with_reason else points


def _left_out(result: QualityResult, why: str, with_reason: bool):
    reason = f"{why}: left out of the numerator and the denominator"
    if with_reason:
        result.left_out = reason
        return 0.0, reason
    return 0.0


def given_measure(measure_id: str, points: float, pack, catalog, what: str) -> QualityResult:
    """A measure CMS computes itself (from claims or a survey), with the points the user gave."""
    q = pack.quality
    points = max(0.0, min(float(points), q.max_points_per_measure))
    score = MeasureScore(measure_id, "quality", points, f"{points_text(points)} as given: {what}, computed by CMS",
                         max_points=q.max_points_per_measure)
    result = QualityResult(score, catalog.quality.get(measure_id), data_completeness_met=True,
                           case_minimum_met=True, given=True)
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


# ------------------------------------------------------------------ the category

def pick(results: Sequence[QualityResult], slots: int, requires_outcome_or_hp: bool) -> tuple[list, list[str]]:
    """The measures that count: the best per measure id, then the top ``slots``."""
    notes: list[str] = []
    best: dict[str, QualityResult] = {}
    for r in results:
        if r.left_out:
            continue
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
        if r.left_out:
            continue
        if not r.score.picked and r.score.measure_id in best and best[r.score.measure_id] is not r:
            r.score.notes.append("another collection type of this measure scored higher")
        elif not r.score.picked:
            r.score.notes.append(f"not among the top {slots} measures")
    return chosen, notes


NO_END_TO_END_METHODS = ("claims",)      # §414.1380(b)(1)(v)(B): claims never earn the end-to-end bonus


def bonus_eligible(r: QualityResult) -> bool:
    """Complete, above the case minimum and with a rate above 0 -- or 0% on an inverse measure,
    its best rate (the CMS engine's example gives measure 192 at 0% its bonuses)."""
    if not (r.data_completeness_met and r.case_minimum_met) or r.rates is None or r.rates.performance_rate is None:
        return False
    return r.rates.performance_rate > 0 or bool(getattr(r.measure, "is_inverse", False))


def measure_bonuses(results: Sequence[QualityResult], chosen: Sequence[QualityResult], pack,
                    denominator: float) -> tuple[float, list[str]]:
    """Outcome/high-priority and end-to-end bonus points of the years that had them."""
    rules = pack.quality.measure_bonus
    if rules is None:
        return 0.0, []
    cap = rules.cap_percent_of_denominator / 100.0 * denominator
    eligible = [r for r in results if bonus_eligible(r)]
    # The required measure is one that counts: never one that failed data completeness.
    counting = [r for r in chosen if r.data_completeness_met]
    required = next((r for r in counting if r.is_outcome), None) \
        or next((r for r in counting if r.is_high_priority), None)
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
        if r.rates is not None and r.rates.end_to_end and r.score.submission_method not in NO_END_TO_END_METHODS:
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


def quality_percent(points: Iterable[float], pack, *, small_practice: bool = False,
                    measures_reported: int | None = None, bonus: float = 0.0, prior_quality: float | None = None,
                    denominator: float | None = None, slots: int | None = None,
                    full_participation: bool = True, adjustment: float = 0.0) -> CategoryScore:
    """The quality category percent from the picked measures' points (the published formula).

    ``full_participation``: every required measure submitted and meeting data completeness;
    without it the improvement score is 0.
    """
    q = pack.quality
    points = list(points)
    denominator = denominator or q.denominator
    slots = slots or q.required_measures
    reported = len(points) if measures_reported is None else measures_reported
    achieved = sum(points)
    reasons = [f"{len(points)} measures counted: {fmt(achieved)} of {points_text(denominator)}"]
    if len(points) < slots:
        reasons.append(f"{slots - len(points)} of the {slots} required measures missing: they count 0")
    numerator = achieved + bonus + adjustment    # the caller explains the adjustment
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
        elif not full_participation:
            # §414.1380(b)(1)(vi)(C)(5), (F): only with every required measure submitted and complete.
            reasons.append(f"improvement score 0: fewer than {slots} measures meet data completeness "
                           f"(full participation is required)")
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
    return CategoryScore("quality", score, reasons=reasons, bonus=bonus + adjustment + sp_bonus + improvement)
