"""What a generated submission may contain: per year, program and method, the measures that fit.

Built once per combination from the catalog and the year pack and cached, so
that generating thousands of files costs a few random choices each.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..catalog import load_catalog
from ..program import year_pack

RATE_METRICS = ("singlePerformanceRate", "multiPerformanceRate")
# Activities that are not ordinary attestations: PCMH recognition and the MVP practice-wide activity.
_SPECIAL_ACTIVITIES = ("IA_MVP",)
REGISTRY = "registry"
EHR = "electronicHealthRecord"


@dataclass(frozen=True)
class QualityChoice:
    measure_id: str
    strata: tuple[str, ...]      # stratum names of a multi-rate measure, () for single rate
    inverse: bool
    outcome_or_hp: bool
    benchmarked: bool
    exceptions: bool = True      # the measure has a denominator-exception population


def program_names(year: int) -> tuple[str, ...]:
    return tuple(year_pack(year).identifiers.program_names)


def writes_program_name(year: int) -> bool:
    """Years where 'mips' is the only program leave programName out, as CMS's examples do."""
    return program_names(year) != ("mips",)


def _allowed(record, program: str) -> bool:
    return not record.allowed_programs or program in record.allowed_programs


def _active(record, year: int) -> bool:
    last = getattr(record, "last_performance_year", None)
    first = getattr(record, "first_performance_year", None)
    return (last is None or last >= year) and (first is None or first <= year)


def _has_uuids(m) -> bool:
    if m.metric_type == "singlePerformanceRate":
        return bool(m.population_uuids) or bool(m.strata and m.strata[0].population_uuids)
    return bool(m.strata) and all(s.population_uuids for s in m.strata)


def _has_exceptions(m) -> bool:
    """False only when the catalog lists the measure's populations and none is a denominator exception."""
    populations = [m.population_uuids] + [s.population_uuids for s in m.strata]
    known = [p for p in populations if p]
    return not known or any("denominatorException" in p for p in known)


@cache
def quality_pool(year: int, method: str, program: str, ids: tuple[str, ...] | None = None,
                 need_uuids: bool = False) -> tuple[QualityChoice, ...]:
    """Rate measures of ``year`` reportable by ``method`` under ``program`` (restricted to ``ids``)."""
    catalog = load_catalog(year)
    out = []
    for measure_id in (ids if ids is not None else catalog.quality):
        m = catalog.quality.get(measure_id)
        if m is None or m.metric_type not in RATE_METRICS or method not in m.submission_methods:
            continue
        if not _allowed(m, program) or not _active(m, year):
            continue
        if need_uuids and not (m.is_ecqm and _has_uuids(m)):
            continue
        strata: tuple[str, ...] = ()
        if m.metric_type == "multiPerformanceRate":
            strata = tuple(s.name for s in m.strata)
            if not strata or any(not n for n in strata):
                continue
        bench = catalog.benchmark(measure_id, method)
        out.append(QualityChoice(measure_id, strata, bool(m.is_inverse), m.is_outcome or m.is_high_priority,
                                 bench is not None and bench.status != "removed", _has_exceptions(m)))
    return tuple(out)


@cache
def ia_pool(year: int, program: str, ids: tuple[str, ...] | None = None) -> tuple[tuple[str, str | None], ...]:
    """(activity id, weight) of the activities that can earn points under ``program``."""
    catalog = load_catalog(year)
    pack = year_pack(year)
    out = []
    for activity_id in (ids if ids is not None else catalog.ia):
        a = catalog.ia.get(activity_id)
        if a is None or activity_id in _SPECIAL_ACTIVITIES or activity_id == pack.ia.pcmh_activity_id:
            continue
        if not _allowed(a, program) or not _active(a, year):
            continue
        if pack.ia.weighted and a.weight not in ("high", "medium"):
            continue
        out.append((activity_id, a.weight))
    return tuple(out)


@cache
def pi_options(year: int, program: str) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """For each PI requirement of the year, the options whose measures all exist under ``program``."""
    catalog = load_catalog(year)
    out = []
    for requirement in year_pack(year).pi.requirements:
        usable = tuple(option for option in requirement.options
                       if all(mid in catalog.pi and _allowed(catalog.pi[mid], program) for mid in option))
        if not usable:
            raise LookupError(f"no usable option for the {requirement.name} PI requirement of {year}")
        out.append(usable)
    return tuple(out)


def active_engagement(year: int, measure_id: str) -> str | None:
    """The production active-engagement companion of a public health measure, when the year has one."""
    levels = year_pack(year).pi.active_engagement.get(measure_id)
    return levels[-1] if levels else None


def mvp_ids(year: int) -> tuple[str, ...]:
    return tuple(load_catalog(year).mvps)
