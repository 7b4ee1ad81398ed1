"""Near misses: edits that bring a valid submission right up to a rule's boundary without crossing it.

The counterpart of :mod:`.faults`.  For every program-rule code, ``NEAR_MISSES``
holds an edit of a valid generated submission that comes as close as the rule
allows and must stay clean of that code: data completeness exactly at the
year's threshold, exactly the case minimum, a PI period of exactly the minimum
days, an NPI with a valid check digit.  Called with ``over=True`` a near miss
that ``crosses`` returns the same edit nudged one unit past the boundary, which
the rule must report: together they pin the boundary where the rule puts it.
A near miss returns None when it does not apply to the submission (as an
injector does).  Near misses that set fields of one part of the document are
rows of ``CROSSING_FIELDS``; an edit reads ``env.over`` (or ``env.past``, 1 past
the boundary and 0 on it) to know the side.

    >>> clean = apply(doc, "Q102", Env(2024, "group", random.Random(1)))
    >>> flagged = apply(doc, "Q102", Env(2024, "group", random.Random(1)), over=True)
"""

from __future__ import annotations

import copy
from datetime import date
from datetime import timedelta

from ..checks.identifiers import npi_luhn_digit
from ..program import supported_years
from . import docparts as parts
from . import pools
from .docparts import IA
from .docparts import PI
from .docparts import QUALITY
from .edits import DoesNotApply
from .edits import Edit
from .edits import Edits
from .edits import Entry
from .edits import Env
from .edits import FaultError
from .edits import Result
from .edits import Row
from .edits import at
from .edits import needed
from .edits import side
from .edits import stepping
from .faults import INJECTORS
from .faults import keep_engagement_levels
from .faults import rule_codes

NearMiss = Entry
NEAR_MISSES = Edits("near miss")
near_miss = NEAR_MISSES.register

# Codes whose boundary has no clean neighbour to stand on, with the reason.
EXEMPT: dict[str, str] = {
    # The PI category is named by an enumeration ('aci' to 2017, 'pi' from 2018): the only values that do not
    # cross are the year's own name, which every valid submission already carries.
    "Y108": "the category name is one of two enumerated words; the clean side is the valid submission itself",
}


def apply(doc: dict, code: str, env: Env, over: bool = False) -> Result:
    """The near miss of ``code`` applied to a copy of ``doc`` (one unit past it with ``over``); None when
    it does not apply."""
    if over and not NEAR_MISSES.entry(code).crosses:
        raise FaultError(f"the near miss of {code} has no one-unit step over its boundary")
    return NEAR_MISSES.apply(doc, code, stepping(env, over))


def uncovered_codes() -> list[str]:
    """Rule codes with neither a near miss nor a reasoned exemption."""
    return [c for c in rule_codes() if c not in NEAR_MISSES and c not in EXEMPT]


def _fault(code: str) -> Edit:
    """The fault injector of ``code``: one unit past some boundaries is exactly the fault."""
    return INJECTORS[code].fn


# ---------------------------------------------------------------- helpers

def _set_counts(v: dict, met, not_met, eligible) -> None:
    """Give a single-rate value these counts (no exceptions or exclusions), keeping a submitted rate true to
    them."""
    v.update(performanceMet=met, performanceNotMet=not_met, eligiblePopulationException=0,
             eligiblePopulationExclusion=0, eligiblePopulation=eligible)
    if "performanceRate" in v:
        v["performanceRate"] = round(100.0 * met / (met + not_met), 2) if met + not_met else 0


def _counted(met, not_met, eligible, performance_rate) -> dict:
    """Field values of a single-rate value with these counts (no exceptions or exclusions) and rate."""
    return {"performanceMet": met, "performanceNotMet": not_met, "eligiblePopulationException": 0,
            "eligiblePopulationExclusion": 0, "eligiblePopulation": eligible, "performanceRate": performance_rate}


def _case_minimum(env: Env, measure_id: str) -> int:
    q = env.pack.quality
    return q.readmission_case_minimum if measure_id == q.readmission_measure_id else q.case_minimum


def _other_method(ms: dict) -> str:
    return pools.EHR if ms.get("submissionMethod") != pools.EHR else pools.REGISTRY


def _valid_npi(payload: str) -> str:
    return payload + npi_luhn_digit(payload)


_NPI = _valid_npi("123456789")


def _february_end(ms: dict, env: Env) -> str:
    last = (date(env.year, 3, 1) - timedelta(days=1)).day
    return f"{env.year}-02-{last + env.past:02d}"


def _ia_else_quality(doc: dict, env: Env) -> dict | None:
    return parts.first(doc, IA) or parts.first(doc, QUALITY)  # an IA period rarely spans the year already


def _registry_cqm_counts(doc: dict, env: Env) -> dict | None:
    ms = parts.first(doc, QUALITY)
    return parts.cqm_counts(ms, env) if ms is not None and ms.get("submissionMethod") == pools.REGISTRY else None


def _cehrt_of_format(ms: dict, env: Env) -> str:
    shape = env.pack.identifiers.cehrt_id_formats[0]
    filler = iter("z9" * len(shape))
    return "".join(next(filler) if ch == "X" else ch for ch in shape) + ("z" if env.over else "")


# code, summary, the part of the document, {field: value, or a function of the part and the Env}; every row
# crosses its boundary with env.over
CROSSING_FIELDS: tuple[Row, ...] = (
    ("I101", "a TIN of exactly nine digits, leading zeros kept", parts.having("taxpayerIdentificationNumber"),
     {"taxpayerIdentificationNumber": side("000000001", "0000000010")}),
    ("I102", "an NPI of exactly ten digits", parts.having("nationalProviderIdentifier"),
     {"nationalProviderIdentifier": side(_valid_npi("100000000"), _valid_npi("100000000")[:9])}),
    ("I103", "an NPI whose check digit is right", parts.having("nationalProviderIdentifier"),
     {"nationalProviderIdentifier": side(_NPI, _NPI[:9] + str((int(_NPI[9]) + 1) % 10))}),
    ("I106", "an entityId using every character class it allows", parts.having("entityId"),
     {"entityId": side("a9-_Z", "a9-_Z.")}),
    ("Y001", "the first supported performance year", parts.whole,
     {"performanceYear": lambda doc, env: min(supported_years()) - env.past}),
    ("Y101", "the last day of February as a period end", parts.set_of(QUALITY), {"performanceEnd": _february_end}),
    ("Y102", "a period of one day, starting and ending on the same date", parts.set_of(QUALITY),
     {"performanceStart": lambda ms, env: (date.fromisoformat(ms["performanceEnd"])
                                           + timedelta(days=env.past)).isoformat()}),
    ("Y103", "a period from January 1 to December 31 of the year", _ia_else_quality,
     {"performanceStart": lambda ms, env: (env.pack.periods.start - timedelta(days=env.past)).isoformat(),
      "performanceEnd": lambda ms, env: env.pack.periods.end.isoformat()}),
    ("Y104", "a PI period of exactly the year's minimum days", parts.set_of(PI),
     {"performanceStart": parts.lasting(lambda env: env.pack.pi.min_performance_period_days - env.past)}),
    ("Y105", "an IA period of exactly the minimum days", parts.set_of(IA),
     {"performanceStart": parts.lasting(lambda env: env.pack.ia.min_activity_days - env.past)}),
    ("A101", "a count of 0", parts.rate, {"performanceNotMet": side(0, -1)}),
    ("A102", "a whole count written as a decimal", parts.rate,
     {"eligiblePopulation": lambda v, env: float(v["eligiblePopulation"]) + (0.5 if env.over else 0.0)}),
    ("A103", "met + not met + exceptions + exclusions exactly the eligible population", parts.rate,
     {"eligiblePopulation": lambda v, env: sum(v.get(k, 0) for k in parts.COUNT_FIELDS) - env.past}),
    ("A104", "a PI numerator equal to its denominator", parts.pi_proportion,
     {"numerator": lambda v, env: v["denominator"] + env.past}),
    ("A105", "eligiblePopulationExclusion written as 0 on a MIPS CQM", _registry_cqm_counts,
     {"eligiblePopulationExclusion": side(0, 1)}),
    ("A106", "a performance rate of exactly 100, true to its counts", parts.rate, _counted(40, 0, 40, side(100, 101))),
    ("A107", "a submitted rate exactly half a point from the counts' rate", parts.rate,
     _counted(30, 10, 40, side(75.5, 75.6))),  # the counts' rate is 75%
    ("A108", "a rate of 0 over a single not-met case", parts.rate, _counted(0, side(1, 0), 1, 0)),
    ("V103", "PCMH recognition listed but answered false", parts.set_of(IA),
     {"measurements": lambda ms, env: [*ms["measurements"], {"measureId": env.pack.ia.pcmh_activity_id,
                                                             "value": env.over}]}),
    ("P106", "a CEHRT ID of exactly the year's format, lower-case letters included", parts.cehrt_set,
     {"cehrtId": _cehrt_of_format}),
    ("P108", "a required PI measure with numerator 1", parts.required_proportion_value, {"numerator": side(1, 0)}),
    ("B107", "an IA set sent as electronicHealthRecord", parts.set_of(IA),
     {"submissionMethod": side(pools.EHR, "claims")}),
)
NEAR_MISSES.add_rows(CROSSING_FIELDS, crosses=True)


# ---------------------------------------------------------------- identifiers

@near_miss("I104", "every required identifier in its shortest valid form", crosses=True)
def _i104(doc, env):
    from ..checks.identifiers import REQUIRED

    required = REQUIRED.get(doc.get("entityType"), ())
    if not required or any(name not in doc for name in required):
        return None
    shortest = {"taxpayerIdentificationNumber": "000000000", "entityId": "A"}
    for name in required:
        doc[name] = shortest.get(name, doc[name])
    if env.over:
        del doc[required[0]]
    return doc


@near_miss("I105", "every identifier the entity type may take, and none it may not", crosses=True)
def _i105(doc, env):
    if doc.get("entityType") not in ("subgroup", "virtualGroup", "apm"):
        return None
    doc["taxpayerIdentificationNumber"] = "000456789"  # allowed beside the entityId
    if env.over:
        doc["nationalProviderIdentifier"] = _NPI
    return doc


@near_miss("I107", "a subgroup whose every set names another MVP of the year")
def _i107(doc, env):
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

@near_miss("Y106", "a quality period of exactly what the year requires", crosses=True)
@at(parts.set_of(QUALITY))
def _y106(ms, env):
    periods = env.pack.periods
    ms["performanceEnd"] = periods.end.isoformat()
    if periods.quality_full_year_required:
        ms["performanceStart"] = (periods.start + timedelta(days=env.past)).isoformat()
    else:
        ms["performanceStart"] = parts.period_start(ms, needed(periods.quality_min_days) - env.past)


@near_miss("Y107", "the entity type the year added last", crosses=True)
def _y107(doc, env):
    allowed_types = env.pack.identifiers.entity_types
    missing = [t for t in ("subgroup", "virtualGroup") if t not in allowed_types]
    if not missing:
        return None
    newest = [t for t in ("virtualGroup", "apm", "group") if t in allowed_types]
    doc["entityType"] = missing[0] if env.over else newest[0]
    return doc


# ---------------------------------------------------------------- catalog

@near_miss("M101", "a quality measure id with its leading zeros", crosses=True)
@at(parts.measured_quality)
def _m101(ms, env):
    present = {m["measureId"] for m in ms["measurements"]}
    c = needed([c for c in parts.quality_pool(env, ms) if c.measure_id.startswith("0") and not c.strata
                and c.measure_id not in present and c.measure_id.lstrip("0") not in env.catalog.quality])[0]
    ms["measurements"][0] = {"measureId": c.measure_id.lstrip("0") if env.over else c.measure_id,
                             "value": parts.single_value(env, parts.is_ehr(ms), c.inverse)}


@near_miss("M102", "a measure whose only submission method is the set's")
@parts.replacing_quality
def _m102(record, ms, env):
    only_method = tuple(record.submission_methods) == (ms.get("submissionMethod"),)
    return record.metric_type == "singlePerformanceRate" and only_method and parts.allowed(record, parts.program(ms))


@near_miss("M103", "a measure restricted to named programs, reported under one of them")
@parts.replacing_quality
def _m103(record, ms, env):
    return (record.metric_type == "singlePerformanceRate" and record.allowed_programs
            and parts.allowed(record, parts.program(ms)) and ms.get("submissionMethod") in record.submission_methods)


@near_miss("M104", "a performance-rate value holding only the three counts it needs")
@at(parts.single_rate)
def _m104(m, env):
    m["value"] = {k: m["value"][k] for k in ("performanceMet", "performanceNotMet", "eligiblePopulation")}


@near_miss("M105", "every stratum named exactly, in reverse order", crosses=True)
def _m105(doc, env):
    def names_of(measure):
        names = list(reversed(measure.strata))
        if env.over:
            names[0] = names[0].upper() if names[0] != names[0].upper() else names[0].lower()
        return names

    return parts.put_multi_rate(doc, env, lambda candidates: candidates[0], names_of)


def _second_quality_set(doc: dict, env: Env, same_method: bool) -> dict | None:
    ms = parts.measured_quality(doc, env)
    if ms is None:
        return None
    twin = copy.deepcopy(ms)
    if not same_method:
        twin["submissionMethod"] = _other_method(ms)
    doc["measurementSets"].append(twin)
    return twin


@near_miss("M106", "the same measure in two quality sets that differ only by method", crosses=True)
def _m106(doc, env):
    if env.over:
        return _fault("M106")(doc, env)
    twin = _second_quality_set(doc, env, False)
    if twin is None:
        return None
    twin["measurements"] = twin["measurements"][:1]
    return doc


@near_miss("M107", "a second quality set with another submission method", crosses=True)
def _m107(doc, env):
    return doc if _second_quality_set(doc, env, env.over) is not None else None


# ---------------------------------------------------------------- quality

@near_miss("Q101", "data completeness exactly at the year's threshold", crosses=True)
@at(parts.single_rate)
def _q101(m, env):
    threshold = env.pack.quality.data_completeness_threshold_percent
    eligible = max(100, _case_minimum(env, m["measureId"]) * 2)
    reported = -(-threshold * eligible // 100) - env.past  # the fewest cases that reach it
    _set_counts(m["value"], int(reported) - 10, 10, eligible)


@near_miss("Q102", "an eligible population of exactly the case minimum", crosses=True)
@at(parts.single_rate)
def _q102(m, env):
    cases = _case_minimum(env, m["measureId"]) - env.past
    _set_counts(m["value"], cases - cases // 2, cases // 2, cases)


def _trim(ms: dict, keep: int) -> None:
    """Keep the set's first ``keep`` measurements, when it reports that many measures."""
    if not keep or len({m["measureId"] for m in ms["measurements"]}) < keep:
        raise DoesNotApply
    del ms["measurements"][keep:]


@near_miss("Q103", "exactly the number of measures traditional MIPS requires", crosses=True)
@at(parts.traditional_quality)
def _q103(ms, env):
    _trim(ms, env.pack.quality.required_measures - env.past)


@near_miss("Q104", "a single high-priority or outcome measure among process measures", crosses=True)
@at(parts.outcome_quality)
def _q104(ms, env):
    pool = [c for c in parts.quality_pool(env, ms) if not c.strata]
    plain = [c for c in pool if not c.outcome_or_hp]
    priority = needed([c for c in pool if c.outcome_or_hp])
    n = len(ms["measurements"])
    if len(plain) < n:
        raise DoesNotApply
    chosen = env.rng.sample(plain, n)
    if not env.over:
        chosen[-1] = env.rng.choice(priority)
    ms["measurements"] = [{"measureId": c.measure_id, "value": parts.single_value(env, parts.is_ehr(ms), c.inverse)}
                          for c in chosen]


def _benchmarked(record, ms: dict, env: Env) -> tuple:
    """(benchmark for the set's method or None, benchmarks for the measure's other methods) of a single-rate
    measure the set may report; (None, []) for one it may not."""
    method = ms.get("submissionMethod")
    if not (record.metric_type == "singlePerformanceRate" and method in record.submission_methods
            and parts.allowed(record, parts.program(ms))):
        return None, []
    others = [env.catalog.benchmark(record.measure_id, o) for o in record.submission_methods if o != method]
    return env.catalog.benchmark(record.measure_id, method), others


@near_miss("Q105", "a measure benchmarked for the set's method only")
@parts.replacing_quality
def _q105(record, ms, env):
    bench, others = _benchmarked(record, ms, env)
    return bench is not None and bench.status != "removed" and others and all(b is None for b in others)


@near_miss("Q106", "a measure topped out for another method but not for the set's")
@parts.replacing_quality
def _q106(record, ms, env):
    bench, others = _benchmarked(record, ms, env)
    return (bench is not None and not bench.is_topped_out_by_program
            and any(b is not None and b.is_topped_out_by_program and b.status != "removed" for b in others))


@near_miss("Q107", "a QCDR measure with its performanceRate", crosses=True)
def _q107(doc, env):
    if _fault("Q107")(doc, env) is None:  # the QCDR measure, first of the quality set, without its rate
        return None
    v = parts.measured_quality(doc, env)["measurements"][0]["value"]
    if not env.over:
        v["performanceRate"] = round(100.0 * v["performanceMet"] / (v["performanceMet"] + v["performanceNotMet"]), 2)
    return doc


# ---------------------------------------------------------------- improvement activities

@near_miss("V101", "activities worth exactly full credit", crosses=True)
@at(parts.set_of(IA))
def _v101(ms, env):
    mvp = parts.program(ms) in env.catalog.mvps
    rules = env.pack.ia
    pool = list(pools.ia_pool(env.year, parts.program(ms), parts.ia_ids(env, parts.program(ms))))
    if rules.weighted:
        chosen, total = [], 0
        # Lightest activities first, so that the last one lands on full credit rather than past it.
        for activity_id, weight in sorted(pool, key=lambda a: (rules.activity_points(a[1], mvp=mvp), a[0])):
            if total >= rules.full_credit_points:
                break
            chosen.append(activity_id)
            total += rules.activity_points(weight, mvp=mvp)
        if total != rules.full_credit_points:
            raise DoesNotApply
    else:
        needed_count = needed(rules.mvp_activities_for_full_credit if mvp else rules.activities_for_full_credit)
        if len(pool) < needed_count:
            raise DoesNotApply
        chosen = [a for a, _ in pool[:needed_count]]
    ms["measurements"] = [{"measureId": a, "value": True} for a in chosen[:len(chosen) - env.past]]


@near_miss("V102", "an extra activity answered true", crosses=True)
@at(parts.set_of(IA))
def _v102(ms, env):
    parts.add_spare_activity(ms, env, lambda spare: spare[0], not env.over)


def _as_virtual_group(code: str) -> Edit:
    """The fault of ``code`` for an APM entity; the clean side turns the file into a virtual group's (the other
    entity an entityId names)."""
    def edit(doc: dict, env: Env) -> Result:
        if "virtualGroup" not in env.pack.identifiers.entity_types or _fault(code)(doc, env) is None:
            return None
        if not env.over:
            doc["entityType"] = "virtualGroup"
        return doc

    return edit


NEAR_MISSES.add("V104", "a virtual group (not an APM entity) sending improvement activities",
                _as_virtual_group("V104"), crosses=True)
NEAR_MISSES.add("P107", "a virtual group (not an APM entity) sending PI", _as_virtual_group("P107"), crosses=True)


# ---------------------------------------------------------------- promoting interoperability

def _claiming_exclusion(step_over) -> Edit:
    """An edit replacing a reported required PI measure by a claim (true) of its exclusion; with env.over,
    ``step_over(set, measure, claim)`` then steps past the boundary."""
    @at(parts.set_of(PI))
    def edit(ms: dict, env: Env) -> None:
        present = {m["measureId"]: m for m in ms["measurements"]}
        single = [r for r in env.pack.pi.requirements if r.kind == "measure" and len(r.options) == 1]
        mid, exclusion = needed([(mid, e) for r in single for mid in r.measure_ids if mid in present
                                 for _, e in parts.pi_related(env, [mid], "exclusion")])[0]
        ms["measurements"] = [m for m in ms["measurements"] if m["measureId"] != mid]
        claim = {"measureId": exclusion, "value": True}
        ms["measurements"].append(claim)
        if env.over:
            step_over(ms, present[mid], claim)

    return edit


NEAR_MISSES.add("P101", "a required measure left out with its exclusion claimed",
                _claiming_exclusion(lambda ms, measure, claim: claim.update(value=False)), crosses=True)
NEAR_MISSES.add("P103", "an exclusion claimed in place of the measure it excludes",
                _claiming_exclusion(lambda ms, measure, claim: ms["measurements"].append(measure)), crosses=True)


@near_miss("P102", "an optional PI attestation answered false", crosses=True)
def _p102(doc, env):
    if env.over:
        return _fault("P102")(doc, env)
    ms, present = parts.pi_present(doc)
    if ms is None:
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


NEAR_MISSES.add("P110", "a public health measure with exactly one level of active engagement",
                at(parts.set_of(PI))(lambda ms, env: keep_engagement_levels(ms, env, 1 - env.past)), crosses=True)


@near_miss("P104", "a substitute reported in place of the measures it replaces", crosses=True)
@at(parts.set_of(PI))
def _p104(ms, env):
    present = {m["measureId"]: m for m in ms["measurements"]}
    related = parts.pi_related(env, present, "substitutes")
    mid, substitute = needed([(mid, s) for mid, s in related if s not in present])[0]
    rivals = set(env.catalog.pi[substitute].substitutes) | {mid}
    keep = [m for m in ms["measurements"] if m["measureId"] not in rivals]
    if env.over:
        keep.append(present[mid])
    ms["measurements"] = keep + [{"measureId": substitute, "value": parts.pi_value(env, substitute)}]


@near_miss("P105", "a CEHRT ID on the PI set and nowhere else", crosses=True)
def _p105(doc, env):
    ms = parts.first(doc, PI)
    if ms is None or "pi" not in env.pack.identifiers.cehrt_id_required_for or "cehrtId" not in ms:
        return None
    cehrt = ms["cehrtId"]
    for s in doc["measurementSets"]:
        s.pop("cehrtId", None)
    if not env.over:
        ms["cehrtId"] = cehrt
    return doc


@near_miss("P109", "an optional PI measure with numerator 1", crosses=True)
def _p109(doc, env):
    if _fault("P109")(doc, env) is None:  # the measure it adds comes last, with numerator 0
        return None
    parts.first(doc, PI)["measurements"][-1]["value"]["numerator"] = 1 - env.past
    return doc


# ---------------------------------------------------------------- MVPs

@near_miss("R101", "another program name the year knows")
@at(parts.set_of(QUALITY))
def _r101(ms, env):
    from ..checks.mvp import known_programs

    others = sorted(known_programs(env.year) - {ms.get("programName")})
    ms["programName"] = others[-1] if others else "mips"


@near_miss("R102", "a measure the MVP takes through its allowed programs or foundational layer, else its own")
def _r102(doc, env):
    ms = parts.mvp_set(QUALITY)(doc, env)
    if ms is None:
        return None
    mvp = env.catalog.mvps[parts.program(ms)]
    listed = set(mvp.quality_ids)
    edges = (lambda r: r.measure_id not in listed and mvp.mvp_id in (r.allowed_programs or ()),
             lambda r: r.measure_id in mvp.foundation_quality_ids and r.measure_id not in listed,
             lambda r: r.measure_id in listed)
    for edge in edges:
        def choose(record, s, env, edge=edge):
            return (edge(record) and record.metric_type == "singlePerformanceRate"
                    and s.get("submissionMethod") in record.submission_methods)

        if parts.replacing_quality(choose)(doc, env):
            return doc
    return None


@near_miss("R103", "an activity an MVP takes only through its allowed programs")
@at(parts.mvp_set(IA))
def _r103(ms, env):
    mvp = env.catalog.mvps[parts.program(ms)]
    present = {m["measureId"] for m in ms["measurements"]}
    through_programs = [a for a in sorted(env.catalog.ia) if a not in mvp.ia_ids
                        and mvp.mvp_id in (env.catalog.ia[a].allowed_programs or ())]
    spare = needed([a for a in through_programs + list(mvp.ia_ids) if a not in present and a in env.catalog.ia])
    ms["measurements"].append({"measureId": spare[0], "value": True})


@near_miss("R104", "an MVP submission whose PI set holds no measurement", crosses=True)
def _r104(doc, env):
    ms = parts.first(doc, PI)
    if ms is None or parts.mvp_set(QUALITY)(doc, env) is None:
        return None
    if env.over:
        doc["measurementSets"] = [s for s in doc["measurementSets"] if s is not ms]
    else:
        ms["measurements"] = []
    return doc


@near_miss("R105", "exactly the number of measures the MVP requires", crosses=True)
@at(parts.mvp_set(QUALITY))
def _r105(ms, env):
    _trim(ms, needed(env.pack.quality.mvp_required_measures) - env.past)


# ---------------------------------------------------------------- submission methods

parts.add_method_rows(NEAR_MISSES, (
    ("B101", "the CMS Web Interface used by an entity the year still opens it to", "cmsWebInterface",
     lambda doc, env: not parts.web_interface_closed(doc, env)),
    ("B102", "the CMS Web Interface used by an individual or subgroup, where open", "cmsWebInterface",
     parts.web_interface_for(("individual", "subgroup"))),
    ("B103", "the CMS Web Interface used by a group-level entity", "cmsWebInterface",
     parts.web_interface_for(("group", "virtualGroup", "apm"))),
    ("B104", "claims quality reporting in a year open to every practice size", "claims",
     lambda doc, env: not env.pack.eligibility.claims_small_practice_only),
    ("B105", "claims reporting by an entity the year allows to use it", "claims",
     lambda doc, env: env.pack.eligibility.claims_groups_allowed or doc.get("entityType") == "individual"),
))


@near_miss("B106", "an eCQM quality set with a CEHRT ID where one is required, without where not", crosses=True)
def _b106(doc, env):
    ms = parts.first(doc, QUALITY)
    required = "quality_ecqm" in env.pack.identifiers.cehrt_id_required_for
    if ms is None or (env.over and not required):
        return None
    cehrt = next((s["cehrtId"] for s in doc["measurementSets"] if "cehrtId" in s), None)
    if parts.set_quality_method(doc, env, pools.EHR) is None:
        return None
    if required and not env.over:
        if cehrt is None:
            return None
        ms["cehrtId"] = cehrt
    else:
        ms.pop("cehrtId", None)
    return doc


__all__ = ["EXEMPT", "NEAR_MISSES", "NearMiss", "apply", "near_miss", "uncovered_codes"]
