"""Catalog rules: the measure exists that year, in that category, for that method, program and shape."""

from __future__ import annotations

from ..model.findings import ERROR
from ..model.submission import BooleanValue, MultiRateValue, NonProportionValue, ProportionValue, SingleRateValue
from . import Hit, rule
from ._walk import field_ref, is_pi, measurements

SRC = "CMS qpp-measures-data, measures/<year>/measures-data.json"

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


@rule("M101", ERROR, summary="The measure does not exist in this year and category.",
      explanation="Every measureId must be a measure, activity or PI measure of the performance year, in the category "
                  "of its measurement set. Measures are added and retired every year; `qppfiles measures --year YEAR` "
                  "lists that year's.",
      source=SRC, example='{"category": "quality", "measurements": [{"measureId": "999"}]}', consequence="rejected")
def measure_exists(ctx):
    for ms, m, entry in measurements(ctx):
        if entry is not None or m.measure_id is None or ms.category not in ("quality", "ia", "pi", "aci"):
            continue
        yield Hit(field_ref(ctx, m.ref, "measureId"),
                  f"measure '{m.measure_id}' is not a {ms.category} measure of {ctx.year}"
                  f"{_elsewhere(ctx, m.measure_id)}", m.measure_id)


@rule("M102", ERROR, summary="The submission method is not allowed for this quality measure.",
      explanation="Each quality measure lists the collection types it can be reported by (claims, registry for MIPS "
                  "CQMs, electronicHealthRecord for eCQMs, cmsWebInterface, ...). A measure reported by another "
                  "method is not scored.",
      source=SRC, example='"submissionMethod": "electronicHealthRecord" for a registry-only measure',
      consequence="rejected")
def method_allowed(ctx):
    for ms, m, entry in measurements(ctx, "quality"):
        if entry is None:
            continue
        method = ms.submission_method
        if method is None or not entry.submission_methods:
            continue
        if method not in entry.submission_methods:
            yield Hit(field_ref(ctx, m.ref, "measureId"),
                      f"measure {m.measure_id} cannot be submitted by '{method}' in {ctx.year}; allowed: "
                      f"{', '.join(entry.submission_methods)}", m.measure_id)


@rule("M103", ERROR, summary="The measure is not allowed under the set's program.",
      explanation="Measures list the programs they may be scored under (mips, app1, appPlus, MVP ids). For example a "
                  "measure that exists only inside MVPs cannot be reported under traditional MIPS.",
      source=SRC, example='"programName": "mips" with an MVP-only measure', consequence="rejected")
def program_allowed(ctx):
    from .mvp import known_programs

    for ms, m, entry in measurements(ctx):
        if entry is None or not entry.allowed_programs:
            continue
        program = ms.program
        if program in entry.allowed_programs or program in ctx.catalog.mvps or program not in known_programs(ctx.year):
            continue  # MVP membership (R102, R103) and unknown program names (R101) have their own rules
        yield Hit(field_ref(ctx, m.ref, "measureId"),
                  f"measure {m.measure_id} is not allowed under program '{program}' in {ctx.year}", m.measure_id)


@rule("M104", ERROR, summary="The value's shape does not match the measure's metric type.",
      explanation="A boolean activity takes true/false; a proportion takes numerator and denominator; a "
                  "performance-rate measure takes performanceMet, performanceNotMet and eligiblePopulation; a "
                  "multi-rate measure takes strata.",
      source=SRC, example='{"measureId": "PI_PPHI_1", "value": {"numerator": 1, "denominator": 1}}',
      consequence="rejected")
def value_shape(ctx):
    for ms, m, entry in measurements(ctx):
        if entry is None:
            continue
        metric = getattr(entry, "metric_type", None) or ("boolean" if ms.category == "ia" else None)
        expected = SHAPES.get(metric)
        if expected is None or type(m.value) is expected or m.value.kind == "unknown":
            continue
        yield Hit(field_ref(ctx, m.ref, "value"),
                  f"measure {m.measure_id} is {metric}: its value must be {_SHAPE_NAMES[expected]}, "
                  f"not {_SHAPE_NAMES.get(type(m.value), m.value.kind)}", m.measure_id)


@rule("M105", ERROR, summary="Strata names do not match the measure's.",
      explanation="A multi-performance-rate measure is reported with one entry per stratum, named exactly as in the "
                  "measures data of the year.",
      source=SRC, example='"strata": [{"stratum": "Overall", ...}] where the measure names "overall"',
      consequence="rejected")
def strata_names(ctx):
    for _ms, m, entry in measurements(ctx, "quality"):
        if entry is None or type(m.value) is not MultiRateValue:
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


@rule("M106", ERROR, summary="A measure appears twice in the same measurement set.",
      explanation="Each measure is reported once per measurement set; CMS rejects the set otherwise.", source=SRC,
      example='"measurements": [{"measureId": "001", ...}, {"measureId": "001", ...}]', consequence="rejected")
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


@rule("M107", ERROR, summary="Two measurement sets share category, submission method and program.",
      explanation="A submission holds at most one measurement set per category, submission method and program; a "
                  "second one replaces the first at CMS.",
      source="QPP JSON reference: measurementSets",
      example='two quality sets, both "submissionMethod": "registry" and "programName": "mips"', consequence="rejected")
def duplicate_set(ctx):
    seen: dict = {}
    for ms in ctx.submission.measurement_sets:
        key = ("pi" if is_pi(ms.category) else ms.category, ms.submission_method, ms.program)
        seen[key] = times = seen.get(key, 0) + 1
        if times == 2:
            yield Hit(ms.ref, f"a second {key[0]} measurement set with submissionMethod '{key[1]}' and "
                              f"programName '{key[2]}'")
