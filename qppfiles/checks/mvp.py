"""MVP rules: the program name is real that year, measures come from the MVP, its required parts are there."""

from __future__ import annotations

from functools import cache

from . import Hit
from . import rule
from ._walk import catalog_entry
from ._walk import field_ref
from ._walk import is_pi
from ._walk import num
from ._walk import plural


@cache
def known_programs(year: int) -> frozenset:
    """Every program name the year accepts: the pack's, its MVP ids, and those the catalog's measures list."""
    from ..catalog import load_catalog
    from ..program import year_pack

    catalog, ids = load_catalog(year), year_pack(year).identifiers
    names = set(ids.program_names)
    if ids.mvp_program_names_allowed:
        names.update(catalog.mvps)
    for group in (catalog.quality, catalog.ia, catalog.pi):
        for record in group.values():
            names.update(record.allowed_programs or ())
    return frozenset(names)


@rule("R101")
def program_of_year(ctx):
    known = known_programs(ctx.year)
    for ms in ctx.submission.measurement_sets:
        if ms.program_name is not None and ms.program_name not in known:
            mvps = ctx.catalog.mvps
            hint = f" ({len(mvps)} MVPs that year)" if mvps else " (MVPs start in 2023)"
            yield Hit(field_ref(ctx, ms.ref, "programName"),
                      f"programName '{ms.program_name}' is not a program or MVP of {ctx.year}{hint}")


def _under_mvp(ctx, category: str):
    """(set, MVP, measurement) of every measurement of a ``category`` set reported under an MVP."""
    for ms in ctx.submission.measurement_sets:
        mvp = ctx.catalog.mvps.get(ms.program)
        if mvp is not None and ms.category == category:
            for m in ms.measurements:
                yield ms, mvp, m


def _mvp_quality_ids(mvp, entry, mvp_id) -> bool:
    ids = set(mvp.quality_ids) | set(mvp.foundation_quality_ids) | set(mvp.admin_claims_ids)
    return entry.measure_id in ids or mvp_id in (entry.allowed_programs or ())


@rule("R102")
def quality_in_mvp(ctx):
    for ms, mvp, m in _under_mvp(ctx, "quality"):
        entry = catalog_entry(ctx, ms, m.measure_id)
        if entry is not None and not _mvp_quality_ids(mvp, entry, mvp.mvp_id):
            yield Hit(field_ref(ctx, m.ref, "measureId"),
                      f"measure {m.measure_id} is not a quality measure of MVP {mvp.mvp_id} "
                      f"({mvp.title}) in {ctx.year}: it is not scored there", m.measure_id)


@rule("R103")
def activity_in_mvp(ctx):
    for _ms, mvp, m in _under_mvp(ctx, "ia"):
        activity = ctx.catalog.ia.get(m.measure_id) if m.measure_id else None
        if activity is not None and m.measure_id not in mvp.ia_ids \
                and mvp.mvp_id not in (activity.allowed_programs or ()):
            yield Hit(field_ref(ctx, m.ref, "measureId"),
                      f"activity {m.measure_id} is not an activity of MVP {mvp.mvp_id} in {ctx.year}: "
                      f"it earns no credit there", m.measure_id)


@rule("R104")
def foundational_pi(ctx):
    sub = ctx.submission
    if sub.set_only or ctx.options.small_practice or sub.entity_type == "apm":
        return  # APM entities' PI comes from their participants (see P107)
    mvp_sets = [ms for ms in sub.measurement_sets if ms.program in ctx.catalog.mvps]
    if mvp_sets and not any(is_pi(ms.category) for ms in sub.measurement_sets):
        yield Hit(field_ref(ctx, sub.ref, "measurementSets"),
                  f"MVP {mvp_sets[0].program} is reported without the foundational Promoting Interoperability "
                  f"set: PI scores 0 ({ctx.pack.final.weights.pi:g}% of the final score) unless it is reweighted")


@rule("R105")
def mvp_measure_count(ctx):
    required = ctx.pack.quality.mvp_required_measures
    if not required:
        return
    by_mvp: dict = {}
    for ms in ctx.submission.measurement_sets:
        if ms.category == "quality" and ms.program in ctx.catalog.mvps:
            first, ids = by_mvp.setdefault(ms.program, (ms, set()))
            ids.update(m.measure_id for m in ms.measurements if catalog_entry(ctx, ms, m.measure_id) is not None)
    for mvp_id, (ms, ids) in by_mvp.items():
        if len(ids) < required:
            missing = required - len(ids)
            yield Hit(field_ref(ctx, ms.ref, "measurements"),
                      f"{plural(len(ids), 'quality measure')} reported for MVP {mvp_id}; {required} are required: "
                      f"{missing} missing, each scoring 0 of "
                      f"{num(ctx.pack.quality.max_points_per_measure)} points")
