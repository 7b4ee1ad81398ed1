"""Period and year rules: dates, performance periods per category, what the year offers."""

from __future__ import annotations

from ..model.findings import ERROR, WARNING
from . import Hit, rule
from ._walk import field_ref, is_pi, plural, set_periods

SRC_FIELDS = "QPP JSON reference: measurementSets.performanceStart, performanceEnd"
SRC_PERIODS = "42 CFR 414.1320 (performance periods: IA and PI 90 continuous days, PI 180 from 2024)"


@rule("Y101", ERROR, summary="A performance date is not a real calendar day.",
      explanation="performanceStart and performanceEnd are calendar dates written YYYY-MM-DD. A date such as "
                  "2024-02-30 has the right shape but does not exist; CMS cannot read the period.",
      source=SRC_FIELDS, example='"performanceEnd": "2023-02-29"', consequence="rejected")
def date_parses(ctx):
    for ms, start, end in set_periods(ctx):
        if start is not None and end is not None:
            continue
        for name, value, day in (("performanceStart", ms.performance_start, start),
                                 ("performanceEnd", ms.performance_end, end)):
            if isinstance(value, str) and day is None:
                yield Hit(field_ref(ctx, ms.ref, name), f"{name} '{value}' is not a calendar date (YYYY-MM-DD)")


@rule("Y102", ERROR, summary="The performance period ends before it starts.",
      explanation="performanceStart must be on or before performanceEnd.", source=SRC_FIELDS,
      example='"performanceStart": "2024-12-31", "performanceEnd": "2024-01-01"', consequence="rejected")
def start_before_end(ctx):
    for ms, start, end in set_periods(ctx):
        if start is not None and end is not None and end < start:
            yield Hit(field_ref(ctx, ms.ref, "performanceEnd"),
                      f"the period ends on {end} but starts on {start}: the end must not come first")


@rule("Y103", ERROR, summary="The performance period is outside the performance year.",
      explanation="Every day of a measurement set's period must fall within the performance year (January 1 to "
                  "December 31 of that year). Data from another year belongs in that year's submission.",
      source=SRC_FIELDS, example='"performanceYear": 2024 with "performanceStart": "2023-10-01"',
      consequence="rejected")
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


@rule("Y104", ERROR, summary="The Promoting Interoperability period is shorter than the year's minimum.",
      explanation="PI data must cover a continuous period of at least 90 days (2017-2023) or 180 days (from 2024). "
                  "With a shorter period the PI category earns no score.",
      source=SRC_PERIODS, example='2024 PI set from "2024-10-01" to "2024-12-31" (92 days, 180 required)',
      consequence="points")
def pi_period_length(ctx):
    yield from _too_short(ctx, is_pi, ctx.pack.pi.min_performance_period_days, "Promoting Interoperability",
                          "the PI category scores 0")


@rule("Y105", ERROR, summary="The improvement activities period is shorter than 90 days.",
      explanation="Each improvement activity must be performed for at least 90 continuous days within the year. A "
                  "measurement set whose period is shorter cannot attest to any activity.",
      source=SRC_PERIODS, example='"performanceStart": "2024-11-01", "performanceEnd": "2024-12-31" on an IA set',
      consequence="points")
def ia_period_length(ctx):
    yield from _too_short(ctx, lambda c: c == "ia", ctx.pack.ia.min_activity_days, "improvement activities",
                          "the activities earn no credit")


@rule("Y106", WARNING, summary="The quality period does not cover the whole year.",
      explanation="From 2018 quality data is collected over the full calendar year (2017 allowed a shorter period of "
                  "at least 90 days). Data completeness is judged against every eligible case of the year, so a "
                  "shorter period usually means measures fall below the data-completeness threshold and score little "
                  "or nothing.",
      source="42 CFR 414.1320 (quality performance period: the full calendar year from 2018)",
      example='2024 quality set from "2024-07-01" to "2024-12-31"')
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


@rule("Y107", ERROR, summary="The entity type does not exist in this performance year.",
      explanation="Virtual groups report from 2018 and subgroups from 2023 (with MVPs). A submission for an entity "
                  "type the year does not offer is rejected.",
      source="QPP Submissions API JSON reference: submissions.entityType; 42 CFR 414.1318 (subgroups, from 2023)",
      example='"entityType": "subgroup", "performanceYear": 2022', consequence="rejected")
def entity_type_of_year(ctx):
    sub = ctx.submission
    allowed = ctx.pack.identifiers.entity_types
    if sub.entity_type is not None and sub.entity_type not in allowed:
        yield Hit(field_ref(ctx, sub.ref, "entityType"),
                  f"entityType '{sub.entity_type}' is not available in {ctx.year} "
                  f"(available: {', '.join(allowed)})")


@rule("Y108", ERROR, summary="The Promoting Interoperability category has the wrong name for the year.",
      explanation="The category was called Advancing Care Information ('aci') in 2017 and Promoting Interoperability "
                  "('pi') from 2018. A set under the other name is not recognised.",
      source="CMS measures data, measures/<PY>/measures-data.json: category aci in 2017, pi from 2018",
      example='"category": "aci" in a 2024 submission', consequence="rejected")
def pi_category_name(ctx):
    expected = ctx.pack.pi.category_id
    for ms in ctx.submission.measurement_sets:
        if is_pi(ms.category) and ms.category != expected:
            yield Hit(field_ref(ctx, ms.ref, "category"),
                      f"category '{ms.category}' is not used in {ctx.year}: write '{expected}'")
