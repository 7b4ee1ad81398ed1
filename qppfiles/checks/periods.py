"""Period and year rules: dates, performance periods per category, what the year offers."""

from __future__ import annotations

from . import Hit
from . import rule
from ._walk import field_ref
from ._walk import is_pi
from ._walk import plural
from ._walk import set_periods


@rule("Y101")
def date_parses(ctx):
    for ms, start, end in set_periods(ctx):
        if start is not None and end is not None:
            continue
        for name, value, day in (("performanceStart", ms.performance_start, start),
                                 ("performanceEnd", ms.performance_end, end)):
            if isinstance(value, str) and day is None:
                yield Hit(field_ref(ctx, ms.ref, name), f"{name} '{value}' is not a calendar date (YYYY-MM-DD)")


@rule("Y102")
def start_before_end(ctx):
    for ms, start, end in set_periods(ctx):
        if start is not None and end is not None and end < start:
            yield Hit(field_ref(ctx, ms.ref, "performanceEnd"),
                      f"the period ends on {end} but starts on {start}: the end must not come first")


@rule("Y103")
def inside_year(ctx):
    periods = ctx.pack.periods
    first, last = periods.start, periods.end
    for ms, start, end in set_periods(ctx):
        if (start is None or first <= start <= last) and (end is None or first <= end <= last):
            continue
        for name, day in (("performanceStart", start), ("performanceEnd", end)):
            if day is not None and not first <= day <= last:
                yield Hit(field_ref(ctx, ms.ref, name),
                          f"{name} {day} is outside performance year {ctx.year} "
                          f"({periods.start} to {periods.end})")


def _spans(ctx):
    """(set, start, end, days counted inclusively) of every set whose period is two real days in order."""
    for ms, start, end in set_periods(ctx):
        if start is not None and end is not None and start <= end:
            yield ms, start, end, (end - start).days + 1


def _too_short(ctx, category_test, minimum: int, label: str, consequence: str):
    for ms, _start, _end, days in _spans(ctx):
        if category_test(ms.category) and days < minimum:
            yield Hit(field_ref(ctx, ms.ref, "performanceStart"),
                      f"the {label} period {ms.performance_start} to {ms.performance_end} is "
                      f"{plural(days, 'day')}; {ctx.year} requires at least {minimum} continuous days: "
                      f"{consequence}")


@rule("Y104")
def pi_period_length(ctx):
    yield from _too_short(ctx, is_pi, ctx.pack.pi.min_performance_period_days, "Promoting Interoperability",
                          "the PI category scores 0")


@rule("Y105")
def ia_period_length(ctx):
    yield from _too_short(ctx, lambda c: c == "ia", ctx.pack.ia.min_activity_days, "improvement activities",
                          "the activities earn no credit")


@rule("Y106")
def quality_full_year(ctx):
    periods = ctx.pack.periods
    for ms, start, end, days in _spans(ctx):
        if ms.category != "quality":
            continue
        if periods.quality_full_year_required and (start, end) != (periods.start, periods.end):
            yield Hit(field_ref(ctx, ms.ref, "performanceStart"),
                      f"the quality period {start} to {end} covers {plural(days, 'day')}, not the full year "
                      f"{ctx.year}: data completeness counts every eligible case of the year, so measures "
                      f"may fall below the threshold and lose their points")
        elif not periods.quality_full_year_required and periods.quality_min_days and \
                days < periods.quality_min_days:
            yield Hit(field_ref(ctx, ms.ref, "performanceStart"),
                      f"the quality period {start} to {end} covers {plural(days, 'day')}; {ctx.year} needs "
                      f"at least {periods.quality_min_days} days of quality data")


@rule("Y107")
def entity_type_of_year(ctx):
    sub = ctx.submission
    allowed = ctx.pack.identifiers.entity_types
    if sub.entity_type is not None and sub.entity_type not in allowed:
        yield Hit(field_ref(ctx, sub.ref, "entityType"),
                  f"entityType '{sub.entity_type}' is not available in {ctx.year} "
                  f"(available: {', '.join(allowed)})")


@rule("Y108")
def pi_category_name(ctx):
    expected = ctx.pack.pi.category_id
    for ms in ctx.submission.measurement_sets:
        if is_pi(ms.category) and ms.category != expected:
            yield Hit(field_ref(ctx, ms.ref, "category"),
                      f"category '{ms.category}' is not used in {ctx.year}: write '{expected}'")
