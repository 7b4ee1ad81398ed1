"""Improvement activity rules: points or activity count against full credit, attestations, PCMH."""

from __future__ import annotations

import math

from ..model.submission import BooleanValue
from . import Hit
from . import rule
from ._walk import field_ref
from ._walk import measurements
from ._walk import num
from ._walk import plural


def attested_by_program(ctx):
    """{program: ([IA sets], [(measurement, catalog activity)])}, in file order: the activities answered
    true that the year's catalog knows, each once.  Built once per file."""
    found = ctx.cache.ia_attested
    if found is not None:
        return found
    found = ctx.cache.ia_attested = {}
    for ms in ctx.submission.sets("ia"):
        found.setdefault(ms.program, ([], []))[0].append(ms)
    seen = set()
    for ms, m, activity in measurements(ctx, "ia"):
        key = (ms.program, m.measure_id)
        if activity is None or key in seen:
            continue
        if type(m.value) is BooleanValue and m.value.value is True:
            seen.add(key)
            found[key[0]][1].append((m, activity))
    return found


def is_special(ctx) -> bool:
    """Small practices count as a special status for improvement activities."""
    return bool(ctx.options.small_practice or ctx.options.special_status)


def ia_shortfall(ctx, program: str, activities) -> str | None:
    """Why the activities fall short of full credit, with the points consequence; None at full credit."""
    rules = ctx.pack.ia
    mvp = program in ctx.catalog.mvps
    special = is_special(ctx)
    weight = ctx.pack.final.weights.ia
    status = " (MVP)" if mvp else " (special status)" if special else ""
    if rules.weighted:
        total = sum(rules.activity_points(a.weight, special, mvp) for _, a in activities)
        full = rules.full_credit_points
        if total >= full:
            return None
        missing = full - total
        high = rules.activity_points("high", special, mvp)
        medium = rules.activity_points("medium", special, mvp)
        n_high, n_medium = math.ceil(missing / high), math.ceil(missing / medium)
        if n_high == n_medium:
            add = f"add {plural(n_high, 'activity', 'activities')} of either weight"
        else:
            add = (f"add {plural(n_high, 'high-weighted activity', 'high-weighted activities')} or "
                   f"{plural(n_medium, 'medium-weighted activity', 'medium-weighted activities')}")
        share = total / full
        return (f"improvement activities total {num(total)} of {full} points{status} in {ctx.year}: the "
                f"category scores {num(round(share * 100, 1))}% ({num(round(share * weight, 2))} of "
                f"{num(weight)} final-score points); {add}")
    needed = (rules.mvp_activities_for_full_credit if mvp else
              rules.activities_for_full_credit_special_status if special else rules.activities_for_full_credit)
    if not needed or len(activities) >= needed:
        return None
    share = len(activities) / needed
    return (f"{plural(len(activities), 'activity', 'activities')} attested{status}; {ctx.year} gives full credit "
            f"for {needed}: the category scores {num(round(share * 100, 1))}% ({num(round(share * weight, 2))} "
            f"of {num(weight)} final-score points); add {plural(needed - len(activities), 'activity', 'activities')}")


@rule("V101")
def below_full_credit(ctx):
    if ctx.submission.entity_type == "apm":
        return
    pcmh = ctx.pack.ia.pcmh_activity_id
    for program, (sets, activities) in attested_by_program(ctx).items():
        if any(a.measure_id == pcmh for _, a in activities):
            continue
        message = ia_shortfall(ctx, program, activities)
        if message:
            yield Hit(field_ref(ctx, sets[0].ref, "measurements"), message)


@rule("V102")
def not_attested(ctx):
    for ms in ctx.submission.sets("ia"):
        for m in ms.measurements:
            if isinstance(m.value, BooleanValue) and m.value.value is False:
                yield Hit(field_ref(ctx, m.ref, "value"),
                          f"activity {m.measure_id} is answered false: it earns no points", m.measure_id)


@rule("V103")
def pcmh_full_credit(ctx):
    pcmh = ctx.pack.ia.pcmh_activity_id
    for _, activities in attested_by_program(ctx).values():
        for m, _ in activities:
            if m.measure_id == pcmh:
                yield Hit(field_ref(ctx, m.ref, "measureId"),
                          f"{pcmh} attested: the improvement activities category gets full credit "
                          f"({ctx.pack.ia.full_credit_points} points) if the recognition is current", m.measure_id)


@rule("V104")
def apm_ia(ctx):
    if ctx.submission.entity_type != "apm":
        return
    for ms in ctx.submission.sets("ia"):
        yield Hit(field_ref(ctx, ms.ref, "category"),
                  "APM entities receive improvement activities credit automatically; this set is not needed")
