"""Near misses: edits that bring a valid submission right up to a rule's boundary without crossing it.

The counterpart of :mod:`.faults`.  For every program-rule code, ``NEAR_MISSES``
holds an edit of a valid generated submission that comes as close as the rule
allows and must stay clean of that code: data completeness exactly at the
year's threshold, exactly the case minimum, a PI period of exactly the minimum
days, an NPI with a valid check digit.  Called with ``over=True`` a near miss
that ``crosses`` returns the same edit nudged one unit past the boundary, which
the rule must report: together they pin the boundary where the rule puts it.
A near miss returns None when it does not apply to the submission (as an
injector does).

    >>> clean = apply(doc, "Q102", Env(2024, "group", random.Random(1)))
    >>> flagged = apply(doc, "Q102", Env(2024, "group", random.Random(1)), over=True)
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from ..checks.identifiers import npi_luhn_digit
from ..program import supported_years
from . import pools
from .docparts import (
    count_groups as _count_groups,
    first as _first,
    pi_present as _pi_present,
    program as _program,
    put_multi_rate,
    quality_pool as _pool,
    replace_quality as _replace_quality,
    required_proportion,
    set_quality_method as _set_quality_method,
    single_rate as _single_rate,
    single_value as _single_value,
)
from .edits import Env, FaultError, Result
from .faults import _p107, _v104, rule_codes


@dataclass(frozen=True)
class NearMiss:
    code: str
    summary: str
    fn: Callable[[dict, Env, bool], Result]
    crosses: bool  # with over=True the edit steps one unit past the boundary


NEAR_MISSES: dict[str, NearMiss] = {}

# Codes whose boundary has no clean neighbour to stand on, with the reason.
EXEMPT: dict[str, str] = {
    # The PI category is named by an enumeration ('aci' to 2017, 'pi' from 2018): the only values that do not
    # cross are the year's own name, which every valid submission already carries.
    "Y108": "the category name is one of two enumerated words; the clean side is the valid submission itself",
}


def near_miss(code: str, summary: str, crosses: bool = False):
    def decorate(fn):
        if code in NEAR_MISSES:
            raise ValueError(f"two near misses for {code}")
        NEAR_MISSES[code] = NearMiss(code, summary, fn, crosses)
        return fn

    return decorate


def apply(doc: dict, code: str, env: Env, over: bool = False) -> Result:
    """The near miss of ``code`` applied to a copy of ``doc`` (one unit past it with ``over``); None when
    it does not apply."""
    entry = NEAR_MISSES.get(code)
    if entry is None:
        raise FaultError(f"no near miss for {code}")
    if over and not entry.crosses:
        raise FaultError(f"the near miss of {code} has no one-unit step over its boundary")
    return entry.fn(copy.deepcopy(doc), env, over)


def uncovered_codes() -> list[str]:
    """Rule codes with neither a near miss nor a reasoned exemption."""
    return [c for c in rule_codes() if c not in NEAR_MISSES and c not in EXEMPT]


# ---------------------------------------------------------------- helpers

def _set_counts(m: dict, met, not_met, eligible, exception=0) -> dict:
    """Give a single-rate measurement these counts (no exclusions), keeping a submitted rate true to them."""
    v = m["value"]
    v.update(performanceMet=met, performanceNotMet=not_met, eligiblePopulationException=exception,
             eligiblePopulationExclusion=0, eligiblePopulation=eligible)
    if "performanceRate" in v:
        v["performanceRate"] = round(100.0 * met / (met + not_met), 2) if met + not_met else 0
    return v


def _case_minimum(env: Env, measure_id: str) -> int:
    q = env.pack.quality
    return q.readmission_case_minimum if measure_id == q.readmission_measure_id else q.case_minimum


def _period(ms: dict, days: int) -> None:
    """Make the set's period exactly ``days`` long, ending where it ends."""
    end = date.fromisoformat(ms["performanceEnd"])
    ms["performanceStart"] = (end - timedelta(days=days - 1)).isoformat()


def _other_method(ms: dict) -> str:
    return pools.EHR if ms.get("submissionMethod") != pools.EHR else pools.REGISTRY


# ---------------------------------------------------------------- identifiers

@near_miss("I101", "a TIN of exactly nine digits, leading zeros kept", crosses=True)
def _i101(doc, env, over):
    if "taxpayerIdentificationNumber" not in doc:
        return None
    doc["taxpayerIdentificationNumber"] = "000000001" + ("0" if over else "")
    return doc


def _valid_npi(payload: str) -> str:
    return payload + npi_luhn_digit(payload)


@near_miss("I102", "an NPI of exactly ten digits", crosses=True)
def _i102(doc, env, over):
    if "nationalProviderIdentifier" not in doc:
        return None
    npi = _valid_npi("100000000")
    doc["nationalProviderIdentifier"] = npi[:9] if over else npi
    return doc


@near_miss("I103", "an NPI whose check digit is right", crosses=True)
def _i103(doc, env, over):
    if "nationalProviderIdentifier" not in doc:
        return None
    npi = _valid_npi("123456789")
    doc["nationalProviderIdentifier"] = npi[:9] + str((int(npi[9]) + 1) % 10) if over else npi
    return doc


@near_miss("I104", "every required identifier in its shortest valid form", crosses=True)
def _i104(doc, env, over):
    from ..checks.identifiers import REQUIRED

    required = REQUIRED.get(doc.get("entityType"), ())
    if not required or any(name not in doc for name in required):
        return None
    shortest = {"taxpayerIdentificationNumber": "000000000", "entityId": "A"}
    for name in required:
        doc[name] = shortest.get(name, doc[name])
    if over:
        del doc[required[0]]
    return doc


@near_miss("I105", "every identifier the entity type may take, and none it may not", crosses=True)
def _i105(doc, env, over):
    if doc.get("entityType") not in ("subgroup", "virtualGroup", "apm"):
        return None
    doc["taxpayerIdentificationNumber"] = "000456789"  # allowed beside the entityId
    if over:
        doc["nationalProviderIdentifier"] = _valid_npi("123456789")
    return doc


@near_miss("I106", "an entityId using every character class it allows", crosses=True)
def _i106(doc, env, over):
    if "entityId" not in doc:
        return None
    doc["entityId"] = "a9-_Z" + ("." if over else "")
    return doc


@near_miss("I107", "a subgroup whose every set names another MVP of the year")
def _i107(doc, env, over):
    if doc.get("entityType") != "subgroup":
        return None
    current = {s.get("programName") for s in doc["measurementSets"]}
    others = [m for m in sorted(env.catalog.mvps) if m not in current]
    if not others:
        return None
    for ms in doc["measurementSets"]:
        ms["programName"] = others[0]
    return doc


# ---------------------------------------------------------------- year and periods

@near_miss("Y001", "the first supported performance year", crosses=True)
def _y001(doc, env, over):
    doc["performanceYear"] = min(supported_years()) - (1 if over else 0)
    return doc


@near_miss("Y101", "the last day of February as a period end", crosses=True)
def _y101(doc, env, over):
    ms = _first(doc, "quality")
    if ms is None:
        return None
    last = (date(env.year, 3, 1) - timedelta(days=1)).day
    ms["performanceEnd"] = f"{env.year}-02-{last + (1 if over else 0):02d}"
    return doc


@near_miss("Y102", "a period of one day, starting and ending on the same date", crosses=True)
def _y102(doc, env, over):
    ms = _first(doc, "quality")
    if ms is None:
        return None
    end = date.fromisoformat(ms["performanceEnd"])
    ms["performanceStart"] = (end + timedelta(days=1 if over else 0)).isoformat()
    return doc


@near_miss("Y103", "a period from January 1 to December 31 of the year", crosses=True)
def _y103(doc, env, over):
    ms = _first(doc, "ia") or _first(doc, "quality")  # an IA period rarely spans the year already
    if ms is None:
        return None
    periods = env.pack.periods
    ms["performanceStart"] = (periods.start - timedelta(days=1 if over else 0)).isoformat()
    ms["performanceEnd"] = periods.end.isoformat()
    return doc


@near_miss("Y104", "a PI period of exactly the year's minimum days", crosses=True)
def _y104(doc, env, over):
    ms = _first(doc, "pi")
    if ms is None:
        return None
    _period(ms, env.pack.pi.min_performance_period_days - (1 if over else 0))
    return doc


@near_miss("Y105", "an IA period of exactly the minimum days", crosses=True)
def _y105(doc, env, over):
    ms = _first(doc, "ia")
    if ms is None:
        return None
    _period(ms, env.pack.ia.min_activity_days - (1 if over else 0))
    return doc


@near_miss("Y106", "a quality period of exactly what the year requires", crosses=True)
def _y106(doc, env, over):
    ms = _first(doc, "quality")
    if ms is None:
        return None
    periods = env.pack.periods
    ms["performanceEnd"] = periods.end.isoformat()
    if periods.quality_full_year_required:
        ms["performanceStart"] = (periods.start + timedelta(days=1 if over else 0)).isoformat()
    elif periods.quality_min_days:
        _period(ms, periods.quality_min_days - (1 if over else 0))
    else:
        return None
    return doc


@near_miss("Y107", "the entity type the year added last", crosses=True)
def _y107(doc, env, over):
    allowed = env.pack.identifiers.entity_types
    missing = [t for t in ("subgroup", "virtualGroup") if t not in allowed]
    if not missing:
        return None
    newest = [t for t in ("virtualGroup", "apm", "group") if t in allowed]
    doc["entityType"] = missing[0] if over else newest[0]
    return doc


# ---------------------------------------------------------------- catalog

@near_miss("M101", "a quality measure id with its leading zeros", crosses=True)
def _m101(doc, env, over):
    ms = _first(doc, "quality")
    if ms is None or not ms["measurements"]:
        return None
    present = {m["measureId"] for m in ms["measurements"]}
    for c in _pool(env, ms):
        stripped = c.measure_id.lstrip("0")
        if c.measure_id.startswith("0") and not c.strata and c.measure_id not in present \
                and stripped not in env.catalog.quality:
            ms["measurements"][0] = {"measureId": stripped if over else c.measure_id,
                                     "value": _single_value(env, ms.get("submissionMethod") == pools.EHR, c.inverse)}
            return doc
    return None


@near_miss("M102", "a measure whose only submission method is the set's")
def _m102(doc, env, over):
    def choose(record, ms):
        return (record.metric_type == "singlePerformanceRate"
                and tuple(record.submission_methods) == (ms.get("submissionMethod"),)
                and (not record.allowed_programs or _program(ms) in record.allowed_programs))

    return doc if _replace_quality(doc, env, choose) else None


@near_miss("M103", "a measure restricted to named programs, reported under one of them")
def _m103(doc, env, over):
    def choose(record, ms):
        return (record.metric_type == "singlePerformanceRate" and record.allowed_programs
                and _program(ms) in record.allowed_programs
                and ms.get("submissionMethod") in record.submission_methods)

    return doc if _replace_quality(doc, env, choose) else None


@near_miss("M104", "a performance-rate value holding only the three counts it needs")
def _m104(doc, env, over):
    m = _single_rate(doc, env)
    if m is None:
        return None
    v = m["value"]
    m["value"] = {k: v[k] for k in ("performanceMet", "performanceNotMet", "eligiblePopulation")}
    return doc


@near_miss("M105", "every stratum named exactly, in reverse order", crosses=True)
def _m105(doc, env, over):
    def names_of(measure):
        names = list(reversed(measure.strata))
        if over:
            names[0] = names[0].upper() if names[0] != names[0].upper() else names[0].lower()
        return names

    return put_multi_rate(doc, env, lambda candidates: candidates[0], names_of)


def _second_quality_set(doc, env, same_method: bool) -> dict | None:
    ms = _first(doc, "quality")
    if ms is None or not ms["measurements"]:
        return None
    twin = copy.deepcopy(ms)
    if not same_method:
        twin["submissionMethod"] = _other_method(ms)
    doc["measurementSets"].append(twin)
    return twin


@near_miss("M106", "the same measure in two quality sets that differ only by method", crosses=True)
def _m106(doc, env, over):
    ms = _first(doc, "quality")
    if ms is None or not ms["measurements"]:
        return None
    if over:
        ms["measurements"].append(copy.deepcopy(ms["measurements"][0]))
        return doc
    twin = _second_quality_set(doc, env, False)
    twin["measurements"] = twin["measurements"][:1]
    return doc


@near_miss("M107", "a second quality set with another submission method", crosses=True)
def _m107(doc, env, over):
    return doc if _second_quality_set(doc, env, over) is not None else None


# ---------------------------------------------------------------- arithmetic

@near_miss("A101", "a count of 0", crosses=True)
def _a101(doc, env, over):
    m = _single_rate(doc, env)
    if m is None:
        return None
    m["value"]["performanceNotMet"] = -1 if over else 0
    return doc


@near_miss("A102", "a whole count written as a decimal", crosses=True)
def _a102(doc, env, over):
    m = _single_rate(doc, env)
    if m is None:
        return None
    m["value"]["eligiblePopulation"] = float(m["value"]["eligiblePopulation"]) + (0.5 if over else 0.0)
    return doc


@near_miss("A103", "met + not met + exceptions + exclusions exactly the eligible population", crosses=True)
def _a103(doc, env, over):
    m = _single_rate(doc, env)
    if m is None:
        return None
    v = m["value"]
    parts = sum(v.get(k, 0) for k in ("performanceMet", "performanceNotMet", "eligiblePopulationException",
                                       "eligiblePopulationExclusion"))
    v["eligiblePopulation"] = parts - (1 if over else 0)
    return doc


@near_miss("A104", "a PI numerator equal to its denominator", crosses=True)
def _a104(doc, env, over):
    ms = _first(doc, "pi")
    for m in ms["measurements"] if ms else ():
        if isinstance(m["value"], dict) and "numerator" in m["value"]:
            m["value"]["numerator"] = m["value"]["denominator"] + (1 if over else 0)
            return doc
    return None


@near_miss("A105", "eligiblePopulationExclusion written as 0 on a MIPS CQM", crosses=True)
def _a105(doc, env, over):
    ms = _first(doc, "quality")
    if ms is None or ms.get("submissionMethod") != pools.REGISTRY:
        return None
    for m in ms["measurements"]:
        record = env.catalog.quality.get(m["measureId"])
        groups = _count_groups(m)
        if record is not None and not record.is_registry_measure and groups:
            groups[0]["eligiblePopulationExclusion"] = 1 if over else 0
            return doc
    return None


@near_miss("A106", "a performance rate of exactly 100, true to its counts", crosses=True)
def _a106(doc, env, over):
    m = _single_rate(doc, env)
    if m is None:
        return None
    v = _set_counts(m, 40, 0, 40)
    v["performanceRate"] = 101 if over else 100
    return doc


@near_miss("A107", "a submitted rate exactly half a point from the counts' rate", crosses=True)
def _a107(doc, env, over):
    m = _single_rate(doc, env)
    if m is None:
        return None
    v = _set_counts(m, 30, 10, 40)  # 75%
    v["performanceRate"] = 75.6 if over else 75.5
    return doc


@near_miss("A108", "a rate of 0 over a single not-met case", crosses=True)
def _a108(doc, env, over):
    m = _single_rate(doc, env)
    if m is None:
        return None
    v = _set_counts(m, 0, 0 if over else 1, 1)
    v["performanceRate"] = 0
    return doc


# ---------------------------------------------------------------- quality

@near_miss("Q101", "data completeness exactly at the year's threshold", crosses=True)
def _q101(doc, env, over):
    m = _single_rate(doc, env)
    if m is None:
        return None
    threshold = env.pack.quality.data_completeness_threshold_percent
    eligible = max(100, _case_minimum(env, m["measureId"]) * 2)
    reported = -(-threshold * eligible // 100) - (1 if over else 0)  # the fewest cases that reach it
    _set_counts(m, int(reported) - 10, 10, eligible)
    return doc


@near_miss("Q102", "an eligible population of exactly the case minimum", crosses=True)
def _q102(doc, env, over):
    m = _single_rate(doc, env)
    if m is None:
        return None
    cases = _case_minimum(env, m["measureId"]) - (1 if over else 0)
    _set_counts(m, cases - cases // 2, cases // 2, cases)
    return doc


def _trim(ms: dict | None, keep: int) -> bool:
    if ms is None or not keep or len({m["measureId"] for m in ms["measurements"]}) < keep:
        return False
    del ms["measurements"][keep:]
    return True


@near_miss("Q103", "exactly the number of measures traditional MIPS requires", crosses=True)
def _q103(doc, env, over):
    ms = _first(doc, "quality")
    if ms is None or _program(ms) != "mips":
        return None
    required = env.pack.quality.required_measures
    return doc if _trim(ms, required - (1 if over else 0)) else None


@near_miss("Q104", "a single high-priority or outcome measure among process measures", crosses=True)
def _q104(doc, env, over):
    ms = _first(doc, "quality")
    if ms is None or not env.pack.quality.requires_outcome_or_high_priority or _program(ms) in ("app1", "appPlus"):
        return None
    pool = [c for c in _pool(env, ms) if not c.strata]
    plain = [c for c in pool if not c.outcome_or_hp]
    priority = [c for c in pool if c.outcome_or_hp]
    n = len(ms["measurements"])
    if len(plain) < n or not priority:
        return None
    chosen = env.rng.sample(plain, n)
    if not over:
        chosen[-1] = env.rng.choice(priority)
    ehr = ms.get("submissionMethod") == pools.EHR
    ms["measurements"] = [{"measureId": c.measure_id, "value": _single_value(env, ehr, c.inverse)} for c in chosen]
    return doc


@near_miss("Q105", "a measure benchmarked for the set's method only")
def _q105(doc, env, over):
    def choose(record, ms):
        method = ms.get("submissionMethod")
        bench = env.catalog.benchmark(record.measure_id, method)
        others = [env.catalog.benchmark(record.measure_id, o) for o in record.submission_methods if o != method]
        return (record.metric_type == "singlePerformanceRate" and method in record.submission_methods
                and (not record.allowed_programs or _program(ms) in record.allowed_programs)
                and bench is not None and bench.status != "removed" and others and all(b is None for b in others))

    return doc if _replace_quality(doc, env, choose) else None


@near_miss("Q106", "a measure topped out for another method but not for the set's")
def _q106(doc, env, over):
    def choose(record, ms):
        method = ms.get("submissionMethod")
        bench = env.catalog.benchmark(record.measure_id, method)
        others = [env.catalog.benchmark(record.measure_id, o) for o in record.submission_methods if o != method]
        return (record.metric_type == "singlePerformanceRate" and method in record.submission_methods
                and (not record.allowed_programs or _program(ms) in record.allowed_programs)
                and bench is not None and not bench.is_topped_out_by_program
                and any(b is not None and b.is_topped_out_by_program and b.status != "removed" for b in others))

    return doc if _replace_quality(doc, env, choose) else None


@near_miss("Q107", "a QCDR measure with its performanceRate", crosses=True)
def _q107(doc, env, over):
    def choose(record, ms):
        return record.metric_type == "registrySinglePerformanceRate"

    m = _replace_quality(doc, env, choose)
    if m is None:
        return None
    v = m["value"]
    if not over:
        v["performanceRate"] = round(100.0 * v["performanceMet"] / (v["performanceMet"] + v["performanceNotMet"]), 2)
    return doc


# ---------------------------------------------------------------- improvement activities

def _ia_ids(env: Env, program: str):
    return tuple(env.catalog.mvps[program].ia_ids) if program in env.catalog.mvps else None


@near_miss("V101", "activities worth exactly full credit", crosses=True)
def _v101(doc, env, over):
    ms = _first(doc, "ia")
    if ms is None:
        return None
    program = _program(ms)
    mvp = program in env.catalog.mvps
    rules = env.pack.ia
    pool = list(pools.ia_pool(env.year, program, _ia_ids(env, program)))
    if rules.weighted:
        chosen, total = [], 0
        # Lightest activities first, so that the last one lands on full credit rather than past it.
        for activity_id, weight in sorted(pool, key=lambda a: (rules.activity_points(a[1], mvp=mvp), a[0])):
            if total >= rules.full_credit_points:
                break
            chosen.append(activity_id)
            total += rules.activity_points(weight, mvp=mvp)
        if total != rules.full_credit_points:
            return None
    else:
        needed = rules.mvp_activities_for_full_credit if mvp else rules.activities_for_full_credit
        if not needed or len(pool) < needed:
            return None
        chosen = [a for a, _ in pool[:needed]]
    if over:
        chosen = chosen[:-1]
    ms["measurements"] = [{"measureId": a, "value": True} for a in chosen]
    return doc


@near_miss("V102", "an extra activity answered true", crosses=True)
def _v102(doc, env, over):
    ms = _first(doc, "ia")
    if ms is None:
        return None
    present = {m["measureId"] for m in ms["measurements"]}
    program = _program(ms)
    spare = [a for a, _ in pools.ia_pool(env.year, program, _ia_ids(env, program)) if a not in present]
    if not spare:
        return None
    ms["measurements"].append({"measureId": spare[0], "value": not over})
    return doc


@near_miss("V103", "PCMH recognition listed but answered false", crosses=True)
def _v103(doc, env, over):
    ms = _first(doc, "ia")
    if ms is None:
        return None
    ms["measurements"].append({"measureId": env.pack.ia.pcmh_activity_id, "value": over})
    return doc


def _as_virtual_group(doc: dict, env: Env, over: bool) -> dict | None:
    """An APM entity's file turned into a virtual group's (the other entity an entityId names)."""
    if doc.get("entityType") != "apm" or "virtualGroup" not in env.pack.identifiers.entity_types:
        return None
    if not over:
        doc["entityType"] = "virtualGroup"
    return doc


@near_miss("V104", "a virtual group (not an APM entity) sending improvement activities", crosses=True)
def _nv104(doc, env, over):
    result = _v104(doc, env)
    return _as_virtual_group(result, env, over) if result is not None else None


# ---------------------------------------------------------------- promoting interoperability

def _excluded_instead(doc: dict, env: Env):
    """Replace a reported required PI measure by a claim (true) of its exclusion: (set, measure, exclusion)."""
    ms, present = _pi_present(doc)
    if ms is None:
        return None
    for requirement in env.pack.pi.requirements:
        if requirement.kind != "measure" or len(requirement.options) != 1:
            continue
        for mid in requirement.measure_ids:
            record = env.catalog.pi.get(mid)
            exclusions = [e for e in (record.exclusion or ()) if e in env.catalog.pi] if record else []
            if mid in present and exclusions:
                measure = present[mid]
                ms["measurements"] = [m for m in ms["measurements"] if m["measureId"] != mid]
                claim = {"measureId": exclusions[0], "value": True}
                ms["measurements"].append(claim)
                return ms, measure, claim
    return None


@near_miss("P101", "a required measure left out with its exclusion claimed", crosses=True)
def _p101(doc, env, over):
    found = _excluded_instead(doc, env)
    if found is None:
        return None
    if over:
        found[2]["value"] = False
    return doc


@near_miss("P102", "an optional PI attestation answered false", crosses=True)
def _p102(doc, env, over):
    ms, present = _pi_present(doc)
    if ms is None:
        return None
    if over:
        for requirement in env.pack.pi.requirements:
            if requirement.kind == "attestation":
                for mid in requirement.measure_ids:
                    if mid in present:
                        present[mid]["value"] = False
                        return doc
        return None
    required = {mid for r in env.pack.pi.requirements for mid in r.measure_ids}
    related = {x for p in present if p in env.catalog.pi
               for x in (*(env.catalog.pi[p].exclusion or ()), *env.catalog.pi[p].substitutes)}
    for mid in sorted(env.catalog.pi):
        record = env.catalog.pi[mid]
        if mid in required or mid in present or mid in related or record.metric_type != "boolean" \
                or record.reporting_category == "exclusion" or record.exclusion:
            continue
        ms["measurements"].append({"measureId": mid, "value": False})
        return doc
    return None


@near_miss("P103", "an exclusion claimed in place of the measure it excludes", crosses=True)
def _p103(doc, env, over):
    found = _excluded_instead(doc, env)
    if found is None:
        return None
    if over:
        found[0]["measurements"].append(found[1])
    return doc


@near_miss("P110", "a public health measure with exactly one level of active engagement", crosses=True)
def _p110(doc, env, over):
    ms, present = _pi_present(doc)
    levels = env.pack.pi.active_engagement
    for mid in present:
        if mid in levels:
            keep = () if over else levels[mid][-1:]
            ms["measurements"] = [m for m in ms["measurements"] if m["measureId"] not in levels[mid]]
            ms["measurements"] += [{"measureId": level, "value": True} for level in keep]
            return doc
    return None


@near_miss("P104", "a substitute reported in place of the measures it replaces", crosses=True)
def _p104(doc, env, over):
    ms, present = _pi_present(doc)
    for mid in present:
        record = env.catalog.pi.get(mid)
        for substitute in record.substitutes if record else ():
            if substitute in present or substitute not in env.catalog.pi:
                continue
            rivals = set(env.catalog.pi[substitute].substitutes) | {mid}
            keep = [m for m in ms["measurements"] if m["measureId"] not in rivals]
            if over:
                keep.append(present[mid])
            value = True if env.catalog.pi[substitute].metric_type != "proportion" else \
                {"numerator": 10, "denominator": 20}
            ms["measurements"] = keep + [{"measureId": substitute, "value": value}]
            return doc
    return None


@near_miss("P105", "a CEHRT ID on the PI set and nowhere else", crosses=True)
def _p105(doc, env, over):
    ms = _first(doc, "pi")
    if ms is None or "pi" not in env.pack.identifiers.cehrt_id_required_for or "cehrtId" not in ms:
        return None
    cehrt = ms["cehrtId"]
    for s in doc["measurementSets"]:
        s.pop("cehrtId", None)
    if not over:
        ms["cehrtId"] = cehrt
    return doc


@near_miss("P106", "a CEHRT ID of exactly the year's format, lower-case letters included", crosses=True)
def _p106(doc, env, over):
    ms = _first(doc, "pi") or next((s for s in doc["measurementSets"] if "cehrtId" in s), None)
    if ms is None:
        return None
    shape = env.pack.identifiers.cehrt_id_formats[0]
    filler = iter("z9" * len(shape))
    ms["cehrtId"] = "".join(next(filler) if ch == "X" else ch for ch in shape) + ("z" if over else "")
    return doc


@near_miss("P107", "a virtual group (not an APM entity) sending PI", crosses=True)
def _np107(doc, env, over):
    result = _p107(doc, env)
    return _as_virtual_group(result, env, over) if result is not None else None


@near_miss("P108", "a required PI measure with numerator 1", crosses=True)
def _p108(doc, env, over):
    m = required_proportion(doc, env)
    if m is None:
        return None
    m["value"]["numerator"] = 0 if over else 1
    return doc


@near_miss("P109", "an optional PI measure with numerator 1", crosses=True)
def _p109(doc, env, over):
    from .faults import _p109 as zero_numerator

    if zero_numerator(doc, env) is None:
        return None
    added = _first(doc, "pi")["measurements"][-1]
    added["value"]["numerator"] = 0 if over else 1
    return doc


# ---------------------------------------------------------------- MVPs

@near_miss("R101", "another program name the year knows")
def _r101(doc, env, over):
    from ..checks.mvp import known_programs

    ms = _first(doc, "quality")
    if ms is None:
        return None
    others = sorted(known_programs(env.year) - {ms.get("programName")})
    ms["programName"] = others[-1] if others else "mips"
    return doc


@near_miss("R102", "a measure the MVP takes through its allowed programs or foundational layer, else its own")
def _r102(doc, env, over):
    ms = _first(doc, "quality")
    if ms is None or _program(ms) not in env.catalog.mvps:
        return None
    mvp = env.catalog.mvps[_program(ms)]
    listed = set(mvp.quality_ids)
    edges = (lambda r: r.measure_id not in listed and mvp.mvp_id in (r.allowed_programs or ()),
             lambda r: r.measure_id in mvp.foundation_quality_ids and r.measure_id not in listed,
             lambda r: r.measure_id in listed)
    for edge in edges:
        def choose(record, s, edge=edge):
            return (edge(record) and record.metric_type == "singlePerformanceRate"
                    and s.get("submissionMethod") in record.submission_methods)

        if _replace_quality(doc, env, choose):
            return doc
    return None


@near_miss("R103", "an activity an MVP takes only through its allowed programs")
def _r103(doc, env, over):
    ms = _first(doc, "ia")
    if ms is None or _program(ms) not in env.catalog.mvps:
        return None
    mvp = env.catalog.mvps[_program(ms)]
    present = {m["measureId"] for m in ms["measurements"]}
    through_programs = [a for a in sorted(env.catalog.ia) if a not in mvp.ia_ids
                        and mvp.mvp_id in (env.catalog.ia[a].allowed_programs or ())]
    spare = [a for a in through_programs + list(mvp.ia_ids) if a not in present and a in env.catalog.ia]
    if not spare:
        return None
    ms["measurements"].append({"measureId": spare[0], "value": True})
    return doc


@near_miss("R104", "an MVP submission whose PI set holds no measurement", crosses=True)
def _r104(doc, env, over):
    ms = _first(doc, "pi")
    quality = _first(doc, "quality")
    if ms is None or quality is None or _program(quality) not in env.catalog.mvps:
        return None
    if over:
        doc["measurementSets"] = [s for s in doc["measurementSets"] if s is not ms]
    else:
        ms["measurements"] = []
    return doc


@near_miss("R105", "exactly the number of measures the MVP requires", crosses=True)
def _r105(doc, env, over):
    ms = _first(doc, "quality")
    required = env.pack.quality.mvp_required_measures
    if ms is None or not required or _program(ms) not in env.catalog.mvps:
        return None
    return doc if _trim(ms, required - (1 if over else 0)) else None


# ---------------------------------------------------------------- submission methods

def _web_closed(doc, env) -> bool:
    rules = env.pack.eligibility
    return not rules.web_interface_available or (not rules.web_interface_for_mips_groups
                                                 and doc.get("entityType") != "apm")


@near_miss("B101", "the CMS Web Interface used by an entity the year still opens it to")
def _b101(doc, env, over):
    return None if _web_closed(doc, env) else _set_quality_method(doc, env, "cmsWebInterface")


@near_miss("B102", "the CMS Web Interface used by an individual or subgroup, where open")
def _b102(doc, env, over):
    if not env.pack.eligibility.web_interface_available or doc.get("entityType") not in ("individual", "subgroup"):
        return None
    return _set_quality_method(doc, env, "cmsWebInterface")


@near_miss("B103", "the CMS Web Interface used by a group-level entity")
def _b103(doc, env, over):
    if not env.pack.eligibility.web_interface_available \
            or doc.get("entityType") not in ("group", "virtualGroup", "apm"):
        return None
    return _set_quality_method(doc, env, "cmsWebInterface")


@near_miss("B104", "claims quality reporting in a year open to every practice size")
def _b104(doc, env, over):
    if env.pack.eligibility.claims_small_practice_only:
        return None
    return _set_quality_method(doc, env, "claims")


@near_miss("B105", "claims reporting by an entity the year allows to use it")
def _b105(doc, env, over):
    if not env.pack.eligibility.claims_groups_allowed and doc.get("entityType") != "individual":
        return None
    return _set_quality_method(doc, env, "claims")


@near_miss("B106", "an eCQM quality set with a CEHRT ID where one is required, without where not", crosses=True)
def _b106(doc, env, over):
    ms = _first(doc, "quality")
    required = "quality_ecqm" in env.pack.identifiers.cehrt_id_required_for
    if ms is None or (over and not required):
        return None
    cehrt = next((s["cehrtId"] for s in doc["measurementSets"] if "cehrtId" in s), None)
    if _set_quality_method(doc, env, pools.EHR) is None:
        return None
    if required and not over:
        if cehrt is None:
            return None
        ms["cehrtId"] = cehrt
    else:
        ms.pop("cehrtId", None)
    return doc


@near_miss("B107", "an IA set sent as electronicHealthRecord", crosses=True)
def _b107(doc, env, over):
    ms = _first(doc, "ia")
    if ms is None:
        return None
    ms["submissionMethod"] = "claims" if over else pools.EHR
    return doc


__all__ = ["EXEMPT", "NEAR_MISSES", "NearMiss", "apply", "near_miss", "uncovered_codes"]
