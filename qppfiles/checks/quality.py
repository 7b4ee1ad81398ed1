"""Quality rules: data completeness, case minimum, how many measures, outcome, benchmarks, rates."""

from __future__ import annotations

from ..model.measure_math import REGISTRY_METRIC_TYPES
from ..model.measure_math import SUPPRESSED
from ..model.measure_math import WEB_INTERFACE
from ..model.measure_math import case_minimum as _minimum
from ..model.measure_math import case_minimum_met
from ..model.measure_math import cases_to_threshold
from ..model.measure_math import class_points
from ..model.measure_math import data_completeness_met
from ..model.measure_math import data_completeness_points
from ..model.measure_math import is_outcome_or_high_priority
from ..model.measure_math import is_suppressed
from ..model.measure_math import leaves_denominator
from ..model.measure_math import new_measure_floor
from ..model.measure_math import rates_of
from ..model.measure_math import topped_out_cap
from ..model.submission import MultiRateValue
from ..model.submission import SingleRateValue
from . import Context
from . import Hit
from . import rule
from ._walk import catalogued
from ._walk import field_ref
from ._walk import measurements
from ._walk import num
from ._walk import pct
from ._walk import plural
from .cache import ScoredEntry

APP_PROGRAMS = ("app1", "appPlus")


def points_for(ctx, name: str, ms=None) -> str:
    """'0 points (3 for a small practice)': the year's points of a measure class for this practice, or what
    the Web Interface and the APP do instead."""
    q = ctx.pack.quality
    method = getattr(ms, "submission_method", None)
    if name == "points_data_completeness_not_met" and method == WEB_INTERFACE:
        return f"{plural(data_completeness_points(q, False, method), 'point')} (Web Interface)"
    if name != "points_data_completeness_not_met" and ms is not None \
            and leaves_denominator(method, ms.program in APP_PROGRAMS):
        return "nothing and leaves the quality numerator and denominator"
    small = class_points(q, name, True)
    if ctx.options.small_practice:
        return f"{plural(small, 'point')} (small practice)"
    large = class_points(q, name, False)
    return plural(large, "point") + (f" ({num(small)} for a small practice)" if small != large else "")


def _scored(ctx: Context) -> list[ScoredEntry]:
    """(set, measurement, catalog entry, rates) of every quality measurement with computable counts."""
    found = ctx.cache.quality_rates
    if found is None:
        found = ctx.cache.quality_rates = []
        for ms, m, entry in catalogued(ctx, "quality"):
            rates = rates_of(m.value, entry)
            if rates is not None and rates.reporting_rate is not None:
                found.append((ms, m, entry, rates))
    return found


def _case_minimum(ctx, measure_id: str) -> int:
    return _minimum(ctx.pack.quality, measure_id)


@rule("Q101")
def data_completeness(ctx):
    q = ctx.pack.quality
    threshold = q.data_completeness_threshold_percent
    for ms, m, _entry, r in _scored(ctx):
        if data_completeness_met(q, r):
            continue
        more = cases_to_threshold(threshold, r.eligible_population, r.reported_cases)
        yield Hit(field_ref(ctx, m.ref, "value"),
                  f"data completeness {pct(r.reporting_rate)} ({num(r.reported_cases)} of "
                  f"{num(r.eligible_population)} eligible cases reported) is below the {ctx.year} threshold of "
                  f"{pct(threshold)}: the measure scores {points_for(ctx, 'points_data_completeness_not_met', ms)}; "
                  f"report {plural(more, 'more eligible case', 'more eligible cases')}", m.measure_id)


@rule("Q102")
def case_minimum(ctx):
    q = ctx.pack.quality
    for ms, m, _entry, r in _scored(ctx):
        minimum = _case_minimum(ctx, m.measure_id)
        if not data_completeness_met(q, r) or r.case_count is None or case_minimum_met(q, m.measure_id, r):
            continue
        yield Hit(field_ref(ctx, m.ref, "value"),
                  f"{plural(r.case_count, 'case')} is below the case minimum of {minimum}: the measure scores "
                  f"{points_for(ctx, 'points_below_case_minimum', ms)} however well it performs", m.measure_id)


def _reported_by_program(ctx):
    """{program: (first set, [catalog entries of distinct known measures])} over quality sets."""
    found = ctx.cache.quality_by_program
    if found is not None:
        return found
    out: dict = {}
    for ms in ctx.submission.measurement_sets:
        if ms.category == "quality":
            out.setdefault(ms.program, (ms, {}))
    for ms, _, entry in measurements(ctx, "quality"):
        if entry is not None:
            out[ms.program][1].setdefault(entry.measure_id, entry)
    found = ctx.cache.quality_by_program = {p: (ms, list(entries.values())) for p, (ms, entries) in out.items()}
    return found


def _final_points(ctx, quality_points: float) -> str:
    q, weight = ctx.pack.quality, ctx.pack.final.weights.quality
    return num(round(quality_points / q.denominator * weight, 2))


@rule("Q103")
def too_few_measures(ctx):
    q = ctx.pack.quality
    programs = _reported_by_program(ctx)
    if "mips" not in programs:
        return
    ms, entries = programs["mips"]
    missing = q.required_measures - len(entries)
    if missing <= 0:
        return
    lost = missing * q.max_points_per_measure
    yield Hit(field_ref(ctx, ms.ref, "measurements"),
              f"{plural(len(entries), 'quality measure')} reported under traditional MIPS; {q.required_measures} "
              f"are required: {missing} missing, each scoring 0, losing up to {num(lost)} of the "
              f"{q.denominator}-point quality denominator ({_final_points(ctx, lost)} final-score points at the "
              f"{ctx.year} quality weight of {num(ctx.pack.final.weights.quality)}%); report every measure that "
              f"applies if fewer than {q.required_measures} do")


@rule("Q104")
def outcome_or_high_priority(ctx):
    q = ctx.pack.quality
    if not q.requires_outcome_or_high_priority:
        return
    for program, (ms, entries) in _reported_by_program(ctx).items():
        if program in APP_PROGRAMS or not entries or any(is_outcome_or_high_priority(e) for e in entries):
            continue
        slots = q.required_measures if program == "mips" else (q.mvp_required_measures or q.required_measures)
        yield Hit(field_ref(ctx, ms.ref, "measurements"),
                  f"none of the {plural(len(entries), 'quality measure')} under '{program}' is an outcome or "
                  f"high-priority measure: only the best {slots - 1} are scored and the last of the {slots} slots "
                  f"earns 0 (up to {num(q.max_points_per_measure)} points lost)")


@rule("Q105")
def no_benchmark(ctx):
    q = ctx.pack.quality
    for ms, m, entry, r in _scored(ctx):
        method = ms.submission_method
        if method not in entry.submission_methods or entry.metric_type == "cahps" or not data_completeness_met(q, r) \
                or not case_minimum_met(q, m.measure_id, r) or r.performance_rate is None:
            continue
        benchmark = ctx.catalog.benchmark(m.measure_id, method)
        if benchmark is not None and benchmark.status != "removed":
            continue
        if is_suppressed(ctx.catalog, m.measure_id, method):
            yield Hit(field_ref(ctx, m.ref, "measureId"),
                      f"measure {m.measure_id} is suppressed for '{method}' in {ctx.year} (CMS benchmark exclusion "
                      f"{SUPPRESSED}): it leaves the quality numerator and denominator", m.measure_id)
            continue
        floor, _ = new_measure_floor(ctx.pack.quality, ctx.year, entry, method)
        if floor is not None:
            scores = f"{plural(floor, 'point')} (new-measure floor)"
        else:
            scores = points_for(ctx, "points_no_benchmark", ms)
        yield Hit(field_ref(ctx, m.ref, "measureId"),
                  f"measure {m.measure_id} has no {ctx.year} benchmark for '{method}': it scores {scores} "
                  f"whatever its performance, unless CMS sets a benchmark from {ctx.year} data", m.measure_id)


@rule("Q106")
def topped_out(ctx):
    q = ctx.pack.quality
    for ms, m, _ in measurements(ctx, "quality"):
        if m.measure_id is None or ms.submission_method is None:
            continue
        benchmark = ctx.catalog.benchmark(m.measure_id, ms.submission_method)
        cap = topped_out_cap(q, benchmark, m.measure_id, ms.submission_method, app=ms.program in APP_PROGRAMS)
        if cap is not None:
            yield Hit(field_ref(ctx, m.ref, "measureId"),
                      f"measure {m.measure_id} is topped out for '{ms.submission_method}' in {ctx.year}: it earns "
                      f"at most {num(cap)} of {num(q.max_points_per_measure)} points",
                      m.measure_id)


@rule("Q107")
def registry_rate_required(ctx):
    for _ms, m, entry in catalogued(ctx, "quality"):
        if entry.metric_type not in REGISTRY_METRIC_TYPES:
            continue
        if isinstance(m.value, (SingleRateValue, MultiRateValue)) and m.value.performance_rate is None:
            yield Hit(field_ref(ctx, m.ref, "value"),
                      f"measure {m.measure_id} is {entry.metric_type}: its value must include performanceRate "
                      f"(0-100)", m.measure_id)
