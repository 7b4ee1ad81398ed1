"""Promoting Interoperability rules: required measures and attestations, exclusions, CEHRT ID, zeros."""

from __future__ import annotations

from ..model.findings import ERROR, WARNING
from ..model.submission import BooleanValue, Measurement, MeasurementSet, ProportionValue
from ..program.pi_exclusions import exclusions_by_measure, measures_by_exclusion
from . import Context, Hit, rule
from ._walk import field_ref, is_count, is_pi

SRC_REQ = ("42 CFR 414.1375(b) (PI reporting) and 414.1380(b)(4) (PI scoring); CMS measures data, "
           "measures/<PY>/measures-data.json (isRequired, reportingCategory)")
SRC_RULES = ("QPP Submissions API change log (8/15/2020, 8/15/2021: exclusions, substitutes, PI of APM "
             "entities); CMS measures data fields exclusion and substitutes")
NAMES = {
    "security_risk_analysis": "Security Risk Analysis",
    "safer_guides": "SAFER Guides",
    "information_blocking": "information blocking attestation",
    "onc_direct_review": "ONC direct review attestation",
    "e_prescribing": "e-Prescribing",
    "pdmp_query": "Query of the PDMP",
    "health_information_exchange": "Health Information Exchange",
    "provider_to_patient_exchange": "Provider to Patient Exchange",
    "public_health": "Public Health and Clinical Data Exchange",
    "base_score": "base score set",
}


def pi_sets(ctx: Context) -> list[MeasurementSet]:
    found = ctx.cache.pi_sets
    if found is None:
        found = ctx.cache.pi_sets = [ms for ms in ctx.submission.measurement_sets if is_pi(ms.category)]
    return found


def _name(requirement) -> str:
    return NAMES.get(requirement.name, requirement.name.replace("_", " "))


def _consequence(ctx) -> str:
    return f"the Promoting Interoperability category scores 0 ({ctx.pack.final.weights.pi:g}% of the final score)"


def _by_id(ctx: Context, ms: MeasurementSet) -> dict[str, Measurement]:
    """{measure id: first measurement} of a set, built once per file for the PI rules."""
    out = ctx.cache.pi_by_id.get(id(ms))
    if out is None:
        out = ctx.cache.pi_by_id[id(ms)] = {}
        for m in ms.measurements:
            if isinstance(m.measure_id, str):
                out.setdefault(m.measure_id, m)
    return out


def _states(ctx, ms):
    """[(requirement, state, failing ids)] of a PI set, computed once per file for P101 and P108."""
    states = ctx.cache.pi_states
    found = states.get(id(ms))
    if found is None:
        present = _by_id(ctx, ms)
        requirements = ctx.pack.pi.requirements
        excluded = _excluded_ids(ctx, present)
        found = states[id(ms)] = (present, excluded, [(r, *_requirement_state(r, present, excluded))
                                                       for r in requirements])
    return found


def _is_yes(m) -> bool:
    return isinstance(m.value, BooleanValue) and m.value.value is True


def _positive(m):
    """True: yes or numerator >= 1; False: no or numerator 0; None: cannot tell."""
    v = m.value
    if isinstance(v, BooleanValue):
        return v.value if isinstance(v.value, bool) else None
    if isinstance(v, ProportionValue):
        return v.numerator >= 1 if is_count(v.numerator) else None
    return None


def _excluded_ids(ctx, present) -> set:
    """The measures whose exclusion is claimed (answered yes) in the set."""
    excludes = measures_by_exclusion(ctx.pack.pi, ctx.catalog.pi)
    return {mid for e, m in present.items() if e in excludes and _is_yes(m) for mid in excludes[e]}


def _requirement_state(requirement, present, excluded):
    """('met' | 'missing' | 'failed', failing measure ids of the first complete option).

    An option is complete when each of its measures is reported or excluded; it is met when no
    reported, non-excluded measure of it is 0 or false.
    """
    first_failing = None
    for option in requirement.options:
        failing = []
        if len(option) == 1 < len(requirement.options) and option[0] in excluded and option[0] not in present:
            continue  # a one-measure alternative excluded alone does not meet the objective
        for mid in option:
            if mid in excluded:
                continue
            m = present.get(mid)
            if m is None:
                break  # incomplete
            if _positive(m) is False and requirement.kind != "reported":
                failing.append(mid)
        else:
            if not failing:
                return "met", ()
            if first_failing is None:
                first_failing = tuple(failing)
    return ("missing", ()) if first_failing is None else ("failed", first_failing)


def _options_text(requirement) -> str:
    return " or ".join(" + ".join(option) for option in requirement.options[:3]) + \
        (" or ..." if len(requirement.options) > 3 else "")


@rule("P101", ERROR, summary="A required Promoting Interoperability measure or attestation is missing.",
      explanation="Each year has PI measures and attestations that every PI submission must include (or claim an "
                  "exclusion for): the Security Risk Analysis, the information blocking and ONC direct review "
                  "attestations, SAFER Guides from 2022, e-Prescribing, Query of PDMP from 2023, Health Information "
                  "Exchange (one of its options), Provider to Patient Exchange and public health reporting. Without "
                  "one, the PI category scores 0.",
      source=SRC_REQ, example='a 2024 PI set without PI_PPHI_2 (SAFER Guides)', consequence="points")
def required_missing(ctx):
    for ms in pi_sets(ctx):
        present, excluded, states = _states(ctx, ms)
        for requirement, state, _ in states:
            if state != "missing":
                continue
            closest = max(requirement.options, key=lambda o: sum(mid in present for mid in o))
            absent = [mid for mid in closest if mid not in present and mid not in excluded]
            others = f"; alternatives: {_options_text(requirement)}" if len(requirement.options) > 1 else ""
            if len(requirement.options) == 1 and len(closest) == 1:
                what = f"the required {_name(requirement)} ({closest[0]}) is missing and no exclusion is claimed"
            else:
                what = (f"the required {_name(requirement)} is incomplete: {', '.join(absent)} missing and no "
                        f"exclusion claimed{others}")
            yield Hit(field_ref(ctx, ms.ref, "measurements"), f"{what}: {_consequence(ctx)}")


@rule("P102", ERROR, summary="A required Promoting Interoperability attestation is answered false.",
      explanation="The Security Risk Analysis, SAFER Guides (from 2022), information blocking and ONC direct review "
                  "attestations must be answered true. A false answer gives the whole PI category a score of 0.",
      source=SRC_REQ, example='{"measureId": "PI_PPHI_1", "value": false}', consequence="points")
def attestation_false(ctx):
    for ms in pi_sets(ctx):
        present = _by_id(ctx, ms)
        for requirement in ctx.pack.pi.requirements:
            if requirement.kind != "attestation":
                continue
            for mid in requirement.measure_ids:
                m = present.get(mid)
                if m is not None and isinstance(m.value, BooleanValue) and m.value.value is False:
                    yield Hit(field_ref(ctx, m.ref, "value"),
                              f"{mid} ({_name(requirement)}) is answered false: {_consequence(ctx)}", mid)


@rule("P103", ERROR, summary="An exclusion is submitted together with the measure it excludes.",
      explanation="An exclusion (e.g. PI_LVPP_1 for e-Prescribing) replaces its measure; CMS rejects a set that "
                  "reports both the measure and its exclusion.",
      source=SRC_RULES, example='"PI_EP_1" with {"numerator": 5, ...} and "PI_LVPP_1": true in the same set',
      consequence="rejected")
def exclusion_with_measure(ctx):
    for ms in pi_sets(ctx):
        present = _by_id(ctx, ms)
        links = exclusions_by_measure(ctx.pack.pi, ctx.catalog.pi)
        for mid in present:
            for exclusion in links.get(mid, ()):
                if exclusion in present:
                    yield Hit(field_ref(ctx, present[exclusion].ref, "measureId"),
                              f"exclusion {exclusion} is submitted together with the measure it excludes, {mid}: "
                              f"report one or the other", exclusion)


@rule("P104", ERROR, summary="A measure is submitted together with its substitute.",
      explanation="Some PI measures are alternatives of each other (e.g. PI_HIE_5 bi-directional exchange replaces "
                  "PI_HIE_1 + PI_HIE_4; PI_HIE_6 TEFCA replaces both; 2017 transition measures replace their ACI "
                  "measures). A set may report only one of them.",
      source=SRC_RULES, example='"PI_HIE_1" and "PI_HIE_5" in the same set', consequence="rejected")
def substitute_with_measure(ctx):
    for ms in pi_sets(ctx):
        present = _by_id(ctx, ms)
        order = list(present)
        for later_index, mid in enumerate(order):
            record = ctx.catalog.pi.get(mid)
            if record is None or not record.substitutes:
                continue
            earlier = [o for o in order[:later_index] if o in record.substitutes]
            if earlier:
                yield Hit(field_ref(ctx, present[mid].ref, "measureId"),
                          f"{mid} is an alternative to {', '.join(earlier)}, which this set also reports: "
                          f"submit only one of them", mid)


@rule("P105", ERROR, summary="The Promoting Interoperability set has no CEHRT ID.",
      explanation="A PI measurement set must name the CMS EHR Certification ID (cehrtId) of the certified EHR "
                  "technology used; without it the PI category scores 0.",
      source="QPP Submissions API JSON reference: measurementSets.cehrtId; 42 CFR 414.1375(b)",
      example='a PI set without "cehrtId"', consequence="rejected")
def cehrt_missing(ctx):
    if "pi" not in ctx.pack.identifiers.cehrt_id_required_for:
        return
    for ms in pi_sets(ctx):
        if ms.cehrt_id is None:
            yield Hit(ms.ref, f"the PI set has no cehrtId: {_consequence(ctx)}")


@rule("P106", ERROR, summary="The CEHRT ID does not have the year's format.",
      explanation="A CMS EHR Certification ID is 15 characters. Its edition code is at positions 3-5: 14E or 15E/15H "
                  "in 2017-2018, 15E or 15C (Cures Update) in 2019-2022, 15C from 2023, and from 2025 also the form "
                  "2025CXXXXXXXXXX. An ID of another shape cannot be matched with certified technology.",
      source="QPP Submissions API JSON reference: measurementSets.cehrtId (2025CXXXXXXXXXX or XX15CXXXXXXXXXX from "
             "2025); ONC Certified Health IT Product List, CMS EHR Certification ID",
      example='"cehrtId": "0015E12345678AB" in 2024', consequence="rejected")
def cehrt_format(ctx):
    ids = ctx.pack.identifiers
    for ms in ctx.submission.measurement_sets:
        if isinstance(ms.cehrt_id, str) and not ids.is_valid_cehrt_id(ms.cehrt_id):
            yield Hit(field_ref(ctx, ms.ref, "cehrtId"),
                      f"cehrtId '{ms.cehrt_id}' does not match the {ctx.year} format "
                      f"({' or '.join(ids.cehrt_id_formats)}, X = letter or digit)")


@rule("P107", WARNING, summary="An APM entity submits Promoting Interoperability.",
      explanation="CMS has built an APM entity's PI score from its participants' own PI submissions (TIN or "
                  "individual level); a PI set sent at the APM entity level may be ignored. Check the year's APM "
                  "rules before relying on it.",
      source=SRC_RULES, example='{"entityType": "apm", "measurementSets": [{"category": "pi"}]}')
def apm_pi(ctx):
    if ctx.submission.entity_type != "apm":
        return
    for ms in pi_sets(ctx):
        yield Hit(field_ref(ctx, ms.ref, "category"),
                  "PI for an APM entity comes from its participants' submissions: this set may not be scored; "
                  "make sure the participating TINs or clinicians report PI")


@rule("P108", ERROR, summary="A required PI measure has numerator 0 or is answered false.",
      explanation="A PI category score above 0 needs at least 1 in the numerator (or true) of every required measure "
                  "of the option reported, unless its exclusion is claimed. A zero there gives the whole category 0.",
      source=SRC_REQ, example='{"measureId": "PI_PEA_1", "value": {"numerator": 0, "denominator": 120}}',
      consequence="points")
def required_zero(ctx):
    for ms in pi_sets(ctx):
        present, _, states = _states(ctx, ms)
        for requirement, state, failing in states:
            if requirement.kind != "measure":
                continue
            for mid in failing if state == "failed" else ():
                m = present[mid]
                what = "numerator is 0" if isinstance(m.value, ProportionValue) else "answer is false"
                yield Hit(field_ref(ctx, m.ref, "value"),
                          f"{mid} ({_name(requirement)}) {what}: a required measure needs at least 1 (or true): "
                          f"{_consequence(ctx)}", mid)


@rule("P109", WARNING, summary="An optional PI measure has numerator 0.",
      explanation="A proportion measure scores numerator / denominator of its points: with numerator 0 it earns "
                  "nothing. For an optional or bonus measure this costs only that measure's points.",
      source=SRC_REQ, example='{"measureId": "PI_EP_3", "value": {"numerator": 0, "denominator": 40}}')
def optional_zero(ctx):
    required = set()
    for requirement in ctx.pack.pi.requirements:
        required.update(requirement.measure_ids)
    for ms in pi_sets(ctx):
        for m in ms.measurements:
            v = m.value
            if m.measure_id in required or not isinstance(v, ProportionValue):
                continue
            if is_count(v.numerator) and v.numerator == 0 and is_count(v.denominator) and v.denominator > 0:
                yield Hit(field_ref(ctx, m.ref, "value", "numerator"),
                          f"{m.measure_id} numerator is 0 (denominator {v.denominator:g}): the measure earns "
                          f"0 points", m.measure_id)


@rule("P110", ERROR, summary="A public health measure is reported without its level of active engagement.",
      explanation="From 2023 each public health and clinical data registry measure answered yes must come with the "
                  "measure of its level of active engagement: option 1 (pre-production and validation, _PRE) or "
                  "option 2 (validated data production, _PROD). Without it CMS does not credit the registry measure: "
                  "a required one (immunization, electronic case reporting) leaves the category at 0, a bonus one "
                  "earns no bonus.",
      source="CMS measures data, measures/<PY>/measures-data.json: PI_PHCDRR_x_PRE and PI_PHCDRR_x_PROD (isRequired "
             "true, substitutes of each other) from 2023",
      example='"PI_PHCDRR_1": true in 2024 without "PI_PHCDRR_1_PRE" or "PI_PHCDRR_1_PROD"', consequence="points")
def engagement_level_missing(ctx):
    levels = ctx.pack.pi.active_engagement
    if not levels:
        return
    for ms in pi_sets(ctx):
        present = _by_id(ctx, ms)
        for mid, m in present.items():
            wanted = levels.get(mid)
            if wanted and _is_yes(m) and not any(level in present and _is_yes(present[level]) for level in wanted):
                yield Hit(field_ref(ctx, m.ref, "measureId"),
                          f"{mid} is answered yes without its level of active engagement "
                          f"({' or '.join(wanted)}): CMS does not credit the measure", mid)
