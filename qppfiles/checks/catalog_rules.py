"""Catalog rules: the measure exists that year, in that category, for that method, program and shape."""

from __future__ import annotations

from ..model.submission import BooleanValue
from ..model.submission import MultiRateValue
from ..model.submission import NonProportionValue
from ..model.submission import ProportionValue
from ..model.submission import SingleRateValue
from . import Hit
from . import rule
from ._walk import catalogued
from ._walk import field_ref
from ._walk import is_pi
from ._walk import measurements

# The value shape each catalog metricType takes in QPP JSON.
SHAPES = {
    "boolean": BooleanValue,
    "proportion": ProportionValue,
    "nonProportion": NonProportionValue,
    "singlePerformanceRate": SingleRateValue,
    "registrySinglePerformanceRate": SingleRateValue,
    "multiPerformanceRate": MultiRateValue,
    "registryMultiPerformanceRate": MultiRateValue,
}
_SHAPE_NAMES = {
    BooleanValue: "true/false", ProportionValue: "numerator/denominator",
    NonProportionValue: "non-proportion (numerator, denominator, observationInstances)",
    SingleRateValue: "performance counts", MultiRateValue: "strata of performance counts",
}


def _elsewhere(ctx, measure_id: str) -> str:
    record = ctx.catalog.measure(measure_id)
    if record is not None:
        return f"; it is a {record.category} measure"
    return ""


@rule("M101")
def measure_exists(ctx):
    for ms, m, entry in measurements(ctx):
        if entry is not None or m.measure_id is None or ms.category not in ("quality", "ia", "pi", "aci"):
            continue
        yield Hit(field_ref(ctx, m.ref, "measureId"),
                  f"measure '{m.measure_id}' is not a {ms.category} measure of {ctx.year}"
                  f"{_elsewhere(ctx, m.measure_id)}", m.measure_id)


@rule("M102")
def method_allowed(ctx):
    for ms, m, entry in catalogued(ctx, "quality"):
        method = ms.submission_method
        if method is None or not entry.submission_methods:
            continue
        if method not in entry.submission_methods:
            yield Hit(field_ref(ctx, m.ref, "measureId"),
                      f"measure {m.measure_id} cannot be submitted by '{method}' in {ctx.year}; allowed: "
                      f"{', '.join(entry.submission_methods)}", m.measure_id)


@rule("M103")
def program_allowed(ctx):
    from .mvp import known_programs

    for ms, m, entry in catalogued(ctx):
        if not entry.allowed_programs:
            continue
        program = ms.program
        if program in entry.allowed_programs or program in ctx.catalog.mvps or program not in known_programs(ctx.year):
            continue  # MVP membership (R102, R103) and unknown program names (R101) have their own rules
        yield Hit(field_ref(ctx, m.ref, "measureId"),
                  f"measure {m.measure_id} is not allowed under program '{program}' in {ctx.year}", m.measure_id)


@rule("M104")
def value_shape(ctx):
    for ms, m, entry in catalogued(ctx):
        metric = getattr(entry, "metric_type", None) or ("boolean" if ms.category == "ia" else None)
        expected = SHAPES.get(metric)
        if expected is None or type(m.value) is expected or m.value.kind == "unknown":
            continue
        yield Hit(field_ref(ctx, m.ref, "value"),
                  f"measure {m.measure_id} is {metric}: its value must be {_SHAPE_NAMES[expected]}, "
                  f"not {_SHAPE_NAMES.get(type(m.value), m.value.kind)}", m.measure_id)


@rule("M105")
def strata_names(ctx):
    for _ms, m, entry in catalogued(ctx, "quality"):
        if type(m.value) is not MultiRateValue:
            continue
        expected = [s.name for s in entry.strata if s.name]
        if not expected:
            continue
        given = [s.name for s in m.value.strata]
        unknown = [n for n in given if n not in expected]
        missing = [n for n in expected if n not in given]
        if unknown or missing:
            parts = []
            if unknown:
                parts.append(f"unknown {', '.join(repr(n) for n in unknown)}")
            if missing:
                parts.append(f"missing {', '.join(repr(n) for n in missing)}")
            yield Hit(field_ref(ctx, m.ref, "value", "strata"),
                      f"measure {m.measure_id} strata: {'; '.join(parts)} (expected: "
                      f"{', '.join(expected)})", m.measure_id)


@rule("M106")
def duplicate_measure(ctx):
    for ms in ctx.submission.measurement_sets:
        seen = set()
        for m in ms.measurements:
            if m.measure_id is None:
                continue
            if m.measure_id in seen:
                yield Hit(field_ref(ctx, m.ref, "measureId"),
                          f"measure {m.measure_id} is reported more than once in this set", m.measure_id)
            seen.add(m.measure_id)


@rule("M107")
def duplicate_set(ctx):
    seen: dict = {}
    for ms in ctx.submission.measurement_sets:
        key = ("pi" if is_pi(ms.category) else ms.category, ms.submission_method, ms.program)
        seen[key] = times = seen.get(key, 0) + 1
        if times == 2:
            yield Hit(ms.ref, f"a second {key[0]} measurement set with submissionMethod '{key[1]}' and "
                              f"programName '{key[2]}'")
