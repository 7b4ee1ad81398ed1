"""Promoting Interoperability rules: required measures and attestations, exclusions, CEHRT ID, zeros."""

from __future__ import annotations

from ..model.submission import BooleanValue
from ..model.submission import Measurement
from ..model.submission import MeasurementSet
from ..model.submission import ProportionValue
from ..program.pi_exclusions import exclusions_by_measure
from ..program.pi_exclusions import measures_by_exclusion
from . import Context
from . import Hit
from . import rule
from ._walk import field_ref
from ._walk import is_count
from ._walk import is_pi

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


@rule("P101")
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


@rule("P102")
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


@rule("P103")
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


@rule("P104")
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


@rule("P105")
def cehrt_missing(ctx):
    if "pi" not in ctx.pack.identifiers.cehrt_id_required_for:
        return
    for ms in pi_sets(ctx):
        if ms.cehrt_id is None:
            yield Hit(ms.ref, f"the PI set has no cehrtId: {_consequence(ctx)}")


@rule("P106")
def cehrt_format(ctx):
    ids = ctx.pack.identifiers
    for ms in ctx.submission.measurement_sets:
        if isinstance(ms.cehrt_id, str) and not ids.is_valid_cehrt_id(ms.cehrt_id):
            yield Hit(field_ref(ctx, ms.ref, "cehrtId"),
                      f"cehrtId '{ms.cehrt_id}' does not match the {ctx.year} format "
                      f"({' or '.join(ids.cehrt_id_formats)}, X = letter or digit)")


@rule("P107")
def apm_pi(ctx):
    if ctx.submission.entity_type != "apm":
        return
    for ms in pi_sets(ctx):
        yield Hit(field_ref(ctx, ms.ref, "category"),
                  "PI for an APM entity comes from its participants' submissions: this set may not be scored; "
                  "make sure the participating TINs or clinicians report PI")


@rule("P108")
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


@rule("P109")
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


@rule("P110")
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
