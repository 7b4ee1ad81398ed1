"""Arithmetic rules: counts are whole and non-negative, parts fit the whole, rates agree with counts."""

from __future__ import annotations

from ..model.measure_math import COUNT_FIELDS
from ..model.measure_math import counts_rate
from ..model.submission import BooleanValue
from ..model.submission import Measurement
from ..model.submission import MultiRateValue
from ..model.submission import NonProportionValue
from ..model.submission import ProportionValue
from ..model.submission import SingleRateValue
from . import Context
from . import Hit
from . import rule
from ._walk import field_ref
from ._walk import measurements
from ._walk import rate_measurements
from .cache import CountField

RATE_TOLERANCE = 0.5  # percentage points: registries round the rates they submit


def _integer_fields(m):
    """(label, field name, value, ref of the owning node) of every field that must be a whole count."""
    v = m.value
    if isinstance(v, ProportionValue):
        yield "", "numerator", v.numerator, m.ref, "value"
        yield "", "denominator", v.denominator, m.ref, "value"
    elif isinstance(v, NonProportionValue):
        yield "", "numerator", v.numerator, m.ref, "value"
        yield "", "denominator", v.denominator, m.ref, "value"
        yield "", "observationInstances", v.observation_instances, m.ref, "value"
    elif isinstance(v, SingleRateValue):
        for json_name, attr in COUNT_FIELDS:
            yield "", json_name, getattr(v.counts, attr), m.ref, "value"
    elif isinstance(v, MultiRateValue):
        for s in v.strata:
            label = f"stratum '{s.name}': "
            for json_name, attr in COUNT_FIELDS:
                yield label, json_name, getattr(s.counts, attr), s.ref or m.ref, None


def _any_odd(numbers) -> bool:
    """Is one of the counts negative or fractional?"""
    for x in numbers:  # a plain loop: this runs for every measurement
        if x is not None and (x < 0 or (type(x) is float and not x.is_integer())):
            return True
    return False


def _count_numbers(c) -> tuple:
    return (c.performance_met, c.performance_not_met, c.eligible_population, c.eligible_population_exclusion,
            c.eligible_population_exception, c.numerator_exclusion)


def _numbers(v) -> tuple:
    """Every count of a value, for a quick look before the labelled walk of _integer_fields."""
    t = type(v)
    if t is SingleRateValue:
        return _count_numbers(v.counts)
    if t is ProportionValue:
        return v.numerator, v.denominator
    if t is NonProportionValue:
        return v.numerator, v.denominator, v.observation_instances
    if t is MultiRateValue:
        return tuple(x for s in v.strata for x in _count_numbers(s.counts))
    return ()


def _odd_counts(ctx: Context) -> list[tuple[Measurement, CountField]]:
    """(measurement, field) of every count that is negative or fractional; one pass serves A101 and A102."""
    found = ctx.cache.odd_counts
    if found is None:
        found = ctx.cache.odd_counts = []
        for _, m, _ in measurements(ctx):
            if type(m.value) is not BooleanValue and _any_odd(_numbers(m.value)):
                found.extend((m, f) for f in _integer_fields(m) if _any_odd((f[2],)))
    return found


def _ref(ctx, owner: str, sub: str | None, name: str) -> str:
    return field_ref(ctx, owner, sub, name) if sub else field_ref(ctx, owner, name)


@rule("A101")
def negative_count(ctx):
    for m, (label, name, value, owner, sub) in _odd_counts(ctx):
        if value < 0:
            yield Hit(_ref(ctx, owner, sub, name), f"{label}{name} is {value}: counts cannot be negative",
                      m.measure_id)


@rule("A102")
def fractional_count(ctx):
    for m, (label, name, value, owner, sub) in _odd_counts(ctx):
        if isinstance(value, float) and not value.is_integer() and not isinstance(m.value, NonProportionValue):
            yield Hit(_ref(ctx, owner, sub, name), f"{label}{name} is {value}: counts must be whole numbers",
                      m.measure_id)


def _n(x) -> float:
    # The model holds a count as an int, a float or None.
    return x or 0


@rule("A103")
def parts_exceed_population(ctx):
    for _, m, _, groups in rate_measurements(ctx):
        for label, c, ref in groups:
            if c.eligible_population is None:
                continue
            parts = _n(c.performance_met) + _n(c.performance_not_met) + _n(c.eligible_population_exception) \
                + _n(c.eligible_population_exclusion)
            if parts > c.eligible_population:
                yield Hit(ref, f"{label}met {_n(c.performance_met):g} + not met {_n(c.performance_not_met):g}"
                               f" + exceptions {_n(c.eligible_population_exception):g} + exclusions "
                               f"{_n(c.eligible_population_exclusion):g} = {parts:g}, more than the eligible "
                               f"population {c.eligible_population:g}", m.measure_id)


@rule("A104")
def numerator_exceeds_denominator(ctx):
    for _, m, _ in measurements(ctx):
        v = m.value
        if type(v) is ProportionValue and v.numerator is not None and v.denominator is not None \
                and v.numerator > v.denominator:
            yield Hit(field_ref(ctx, m.ref, "value", "numerator"),
                      f"numerator {v.numerator:g} is larger than denominator {v.denominator:g}", m.measure_id)


@rule("A105")
def exclusion_for_cqm(ctx):
    for ms, m, entry, groups in rate_measurements(ctx):
        if entry is None or entry.is_registry_measure or ms.submission_method != "registry":
            continue
        for label, c, ref in groups:
            if c.eligible_population_exclusion:
                yield Hit(field_ref(ctx, ref, "eligiblePopulationExclusion"),
                          f"{label}eligiblePopulationExclusion is {c.eligible_population_exclusion:g}; MIPS "
                          f"CQMs report 0 (leave excluded patients out of eligiblePopulation)", m.measure_id)


@rule("A106")
def rate_range(ctx):
    for _, m, _ in measurements(ctx, "quality"):
        rate = getattr(m.value, "performance_rate", None)
        if rate is not None and not 0 <= rate <= 100:
            yield Hit(field_ref(ctx, m.ref, "value", "performanceRate"),
                      f"performanceRate {rate:g} is outside 0–100", m.measure_id)


@rule("A107")
def rate_consistent(ctx):
    for _, m, _ in measurements(ctx, "quality"):
        v = m.value
        if type(v) is not SingleRateValue or v.performance_rate is None:
            continue
        expected = counts_rate(v.counts)
        if expected is not None and abs(expected - v.performance_rate) > RATE_TOLERANCE:
            yield Hit(field_ref(ctx, m.ref, "value", "performanceRate"),
                      f"performanceRate {v.performance_rate:g} but the counts give {expected:.2f}", m.measure_id)


@rule("A108")
def rate_without_cases(ctx):
    for _, m, _, groups in rate_measurements(ctx):
        v = m.value
        if v.performance_rate is not None:
            if all(_n(c.performance_met) + _n(c.performance_not_met) == 0 for _, c, _ in groups):
                yield Hit(field_ref(ctx, m.ref, "value", "performanceRate"),
                          f"performanceRate {v.performance_rate:g} is reported but there are no met or not-met "
                          f"cases", m.measure_id)
