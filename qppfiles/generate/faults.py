"""Fault injection: turn a valid submission into one that breaks chosen rules.

One injector per finding code, registered in ``INJECTORS`` (code -> Injector).
An injector edits the QPP JSON document of a valid generated submission so
that the rule must fire; it returns None when the rule cannot apply to that
submission (for example an NPI fault on a group, or a Web Interface fault in
a year that has none).  :func:`inject` applies several, checks with the
validator that every chosen code is reported, and drops a fault that another
one masks.  Tests use the registry to prove every rule notices its fault.

    >>> data, codes = inject(sub, ["I103", "Q101"], random.Random(1))
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from ..catalog import load_catalog
from ..formats import qppjson
from ..model.submission import Measurement, MeasurementSet, Submission
from ..program import year_pack
from . import pools
from .fake import fake_counts, rate_value
from .ids import fake_npi

Result = dict | bytes | None


@dataclass
class Env:
    """What an injector may look at: the year's rules and catalog, the level, a random source."""

    year: int
    level: str
    rng: random.Random

    @cached_property
    def pack(self):
        return year_pack(self.year)

    @cached_property
    def catalog(self):
        return load_catalog(self.year)


@dataclass(frozen=True)
class Injector:
    code: str
    summary: str
    fn: Callable[[dict, Env], Result]


INJECTORS: dict[str, Injector] = {}


def injects(code: str, summary: str):
    def decorate(fn):
        if code in INJECTORS:
            raise ValueError(f"two injectors for {code}")
        INJECTORS[code] = Injector(code, summary, fn)
        return fn

    return decorate


class FaultError(ValueError):
    """A fault cannot be injected into this submission."""


# ---------------------------------------------------------------- document helpers

def _sets(doc: dict, category: str) -> list[dict]:
    wanted = ("pi", "aci") if category == "pi" else (category,)
    return [s for s in doc.get("measurementSets", []) if s.get("category") in wanted]


def _first(doc: dict, category: str) -> dict | None:
    found = _sets(doc, category)
    return found[0] if found else None


def _program(ms: dict) -> str:
    return ms.get("programName") or "mips"


def _count_groups(measurement: dict) -> list[dict]:
    value = measurement.get("value")
    if not isinstance(value, dict):
        return []
    if "strata" in value:
        return [s for s in value["strata"] if isinstance(s, dict)]
    return [value] if "eligiblePopulation" in value else []


def _counts_dict(counts) -> dict:
    return {
        "performanceMet": counts.performance_met,
        "performanceNotMet": counts.performance_not_met,
        "eligiblePopulationExclusion": counts.eligible_population_exclusion,
        "eligiblePopulationException": counts.eligible_population_exception,
        "eligiblePopulation": counts.eligible_population,
    }


def _single_value(env: Env, ehr: bool, inverse: bool = False) -> dict:
    q = env.pack.quality
    counts = fake_counts(env.rng, q.data_completeness_threshold_percent, q.case_minimum, inverse)
    return dict({"isEndToEndReported": ehr}, **_counts_dict(counts))


def _single_rate(doc: dict, env: Env) -> dict | None:
    """A single-rate quality measurement of the document (one is swapped in when there is none)."""
    ms = _first(doc, "quality")
    if ms is None or not ms["measurements"]:
        return None
    for m in ms["measurements"]:
        if isinstance(m.get("value"), dict) and "eligiblePopulation" in m["value"]:
            return m
    pool = [c for c in _pool(env, ms) if not c.strata]
    if not pool:
        return None
    present = {m["measureId"] for m in ms["measurements"]}
    choices = [c for c in pool if c.measure_id not in present] or pool
    choice = env.rng.choice(choices)
    m = ms["measurements"][0]
    m["measureId"] = choice.measure_id
    m["value"] = _single_value(env, ms.get("submissionMethod") == pools.EHR, choice.inverse)
    return m


def _pool(env: Env, ms: dict):
    program = _program(ms)
    ids = None
    if program in env.catalog.mvps:
        ids = tuple(env.catalog.mvps[program].quality_ids)
    return pools.quality_pool(env.year, ms.get("submissionMethod") or pools.REGISTRY, program, ids)


def _replace_quality(doc: dict, env: Env, choose) -> dict | None:
    """Put the first catalog measure that ``choose(record)`` accepts in place of the first quality measure."""
    ms = _first(doc, "quality")
    if ms is None or not ms["measurements"]:
        return None
    present = {m["measureId"] for m in ms["measurements"]}
    for measure_id in sorted(env.catalog.quality):
        if measure_id in present:
            continue
        record = env.catalog.quality[measure_id]
        if choose(record, ms):
            m = ms["measurements"][0]
            m["measureId"] = measure_id
            m["value"] = _single_value(env, ms.get("submissionMethod") == pools.EHR, bool(record.is_inverse))
            return m
    return None


def _allowed(record, program: str) -> bool:
    return not record.allowed_programs or program in record.allowed_programs


def _set_quality_method(doc: dict, env: Env, method: str) -> dict | None:
    """Switch the quality set to ``method``, with measures that method can report when there are enough."""
    ms = _first(doc, "quality")
    if ms is None:
        return None
    ms["submissionMethod"] = method
    if method != pools.EHR:
        ms.pop("cehrtId", None)
    pool = _pool(env, ms)
    n = len(ms["measurements"])
    if len(pool) >= n:
        q = env.pack.quality
        chosen = env.rng.sample(list(pool), n)
        measurements = tuple(
            Measurement(c.measure_id, rate_value(env.rng, c, q.data_completeness_threshold_percent,
                                                 q.case_minimum, False))
            for c in chosen)
        ms["measurements"] = qppjson.set_to_dict(MeasurementSet("quality", measurements=measurements))["measurements"]
    return doc


# ---------------------------------------------------------------- identifiers

@injects("I101", "TIN with 8 digits")
def _i101(doc, env):
    if "taxpayerIdentificationNumber" not in doc:
        return None
    doc["taxpayerIdentificationNumber"] = doc["taxpayerIdentificationNumber"][:8]
    return doc


@injects("I102", "NPI with 9 digits")
def _i102(doc, env):
    if "nationalProviderIdentifier" not in doc:
        return None
    doc["nationalProviderIdentifier"] = doc["nationalProviderIdentifier"][:9]
    return doc


@injects("I103", "NPI with a wrong check digit")
def _i103(doc, env):
    npi = doc.get("nationalProviderIdentifier")
    if npi is None:
        return None
    doc["nationalProviderIdentifier"] = npi[:9] + str((int(npi[9]) + 1 + env.rng.randrange(9)) % 10)
    return doc


@injects("I104", "a required identifier removed")
def _i104(doc, env):
    key = "taxpayerIdentificationNumber" if doc.get("entityType") in ("individual", "group") else "entityId"
    if key not in doc:
        return None
    del doc[key]
    return doc


@injects("I105", "an identifier the entity type does not take")
def _i105(doc, env):
    if doc.get("entityType") == "individual":
        doc["entityId"] = "X1234"
    else:
        doc["nationalProviderIdentifier"] = fake_npi(env.rng)
    return doc


@injects("I106", "a malformed entityId")
def _i106(doc, env):
    if "entityId" not in doc:
        return None
    doc["entityId"] = "bad id!"
    return doc


@injects("I107", "a subgroup reporting under traditional MIPS")
def _i107(doc, env):
    if doc.get("entityType") != "subgroup" or not _sets(doc, "quality"):
        return None
    _first(doc, "quality")["programName"] = "mips"
    return doc


# ---------------------------------------------------------------- year and periods

@injects("Y001", "an unsupported performance year")
def _y001(doc, env):
    doc["performanceYear"] = 2016
    return doc


@injects("Y101", "February 30th as a period end")
def _y101(doc, env):
    ms = _first(doc, "quality")
    if ms is None:
        return None
    ms["performanceEnd"] = f"{env.year}-02-30"
    return doc


@injects("Y102", "a period that ends before it starts")
def _y102(doc, env):
    ms = _first(doc, "quality")
    if ms is None:
        return None
    ms["performanceStart"], ms["performanceEnd"] = f"{env.year}-12-31", f"{env.year}-01-01"
    return doc


@injects("Y103", "a period starting in the previous year")
def _y103(doc, env):
    ms = _first(doc, "quality")
    if ms is None:
        return None
    ms["performanceStart"] = f"{env.year - 1}-12-01"
    return doc


def _short_period(ms: dict, days: int) -> None:
    end = date.fromisoformat(ms["performanceEnd"])
    ms["performanceStart"] = (end - timedelta(days=days - 1)).isoformat()


@injects("Y104", "a PI period shorter than the year's minimum")
def _y104(doc, env):
    ms = _first(doc, "pi")
    if ms is None:
        return None
    _short_period(ms, env.pack.pi.min_performance_period_days - 10)
    return doc


@injects("Y105", "an IA period of 30 days")
def _y105(doc, env):
    ms = _first(doc, "ia")
    if ms is None:
        return None
    _short_period(ms, min(30, env.pack.ia.min_activity_days - 1))
    return doc


@injects("Y106", "a quality period shorter than required")
def _y106(doc, env):
    ms = _first(doc, "quality")
    if ms is None:
        return None
    periods = env.pack.periods
    _short_period(ms, 180 if periods.quality_full_year_required else (periods.quality_min_days or 90) - 30)
    return doc


@injects("Y107", "an entity type the year does not have")
def _y107(doc, env):
    missing = [t for t in ("subgroup", "virtualGroup") if t not in env.pack.identifiers.entity_types]
    if not missing:
        return None
    doc["entityType"] = missing[0]
    return doc


@injects("Y108", "the PI category under the other year's name")
def _y108(doc, env):
    ms = _first(doc, "pi")
    if ms is None:
        return None
    ms["category"] = "pi" if ms["category"] == "aci" else "aci"
    return doc


# ---------------------------------------------------------------- catalog

@injects("M101", "a measure id that does not exist")
def _m101(doc, env):
    ms = _first(doc, "quality")
    if ms is None or not ms["measurements"]:
        return None
    ms["measurements"][0]["measureId"] = "999X"
    return doc


@injects("M102", "a quality measure its submission method cannot report")
def _m102(doc, env):
    def choose(record, ms):
        return (record.metric_type == "singlePerformanceRate" and record.submission_methods
                and ms.get("submissionMethod") not in record.submission_methods
                and _allowed(record, _program(ms)))

    return doc if _replace_quality(doc, env, choose) else None


@injects("M103", "a quality measure not allowed under the set's program")
def _m103(doc, env):
    def choose(record, ms):
        return (record.metric_type == "singlePerformanceRate" and record.allowed_programs
                and _program(ms) not in record.allowed_programs
                and ms.get("submissionMethod") in record.submission_methods)

    return doc if _replace_quality(doc, env, choose) else None


@injects("M104", "a performance-rate measure given a true/false value")
def _m104(doc, env):
    ms = _first(doc, "quality")
    if ms is None or not ms["measurements"]:
        return None
    ms["measurements"][0]["value"] = True
    return doc


def put_multi_rate(doc, env, choose, names_of):
    """Make the first quality measurement a multi-rate measure of the set's pool, or None when there is none.

    ``choose`` picks it among the candidates (those not yet reported, else all); ``names_of(measure)``
    gives the names of the strata to report."""
    ms = _first(doc, "quality")
    if ms is None or not ms["measurements"]:
        return None
    multi = [c for c in _pool(env, ms) if c.strata]
    if not multi:
        return None
    present = {m["measureId"] for m in ms["measurements"]}
    choice = choose([c for c in multi if c.measure_id not in present] or multi)
    ehr = ms.get("submissionMethod") == pools.EHR
    strata = [dict({"stratum": name}, **{k: v for k, v in _single_value(env, ehr).items() if k != "isEndToEndReported"})
              for name in names_of(choice)]
    ms["measurements"][0] = {"measureId": choice.measure_id, "value": {"isEndToEndReported": ehr, "strata": strata}}
    return doc


@injects("M105", "a multi-rate measure with a misnamed stratum")
def _m105(doc, env):
    return put_multi_rate(doc, env, env.rng.choice, lambda m: [m.strata[0] + "Typo", *m.strata[1:]])


@injects("M106", "a measure reported twice in a set")
def _m106(doc, env):
    ms = _first(doc, "quality")
    if ms is None or not ms["measurements"]:
        return None
    ms["measurements"].append(copy.deepcopy(ms["measurements"][0]))
    return doc


@injects("M107", "two quality sets with the same method and program")
def _m107(doc, env):
    ms = _first(doc, "quality")
    if ms is None:
        return None
    doc["measurementSets"].append(copy.deepcopy(ms))
    return doc


# ---------------------------------------------------------------- arithmetic

def _first_counts(doc, env) -> dict | None:
    m = _single_rate(doc, env)
    return _count_groups(m)[0] if m else None


@injects("A101", "a negative count")
def _a101(doc, env):
    c = _first_counts(doc, env)
    if c is None:
        return None
    c["performanceNotMet"] = -3
    return doc


@injects("A102", "a fractional count")
def _a102(doc, env):
    c = _first_counts(doc, env)
    if c is None:
        return None
    c["eligiblePopulation"] = c["eligiblePopulation"] + 0.5
    return doc


@injects("A103", "met cases above the eligible population")
def _a103(doc, env):
    c = _first_counts(doc, env)
    if c is None:
        return None
    c["performanceMet"] = c["eligiblePopulation"] + 5
    return doc


@injects("A104", "a PI numerator above its denominator")
def _a104(doc, env):
    ms = _first(doc, "pi")
    for m in ms["measurements"] if ms else ():
        if isinstance(m["value"], dict) and "numerator" in m["value"]:
            m["value"]["numerator"] = m["value"]["denominator"] + 7
            return doc
    return None


@injects("A105", "eligiblePopulationExclusion on a MIPS CQM")
def _a105(doc, env):
    ms = _first(doc, "quality")
    if ms is None:
        return None
    ms["submissionMethod"] = pools.REGISTRY
    ms.pop("cehrtId", None)
    for m in ms["measurements"]:
        record = env.catalog.quality.get(m["measureId"])
        groups = _count_groups(m)
        if record is not None and not record.is_registry_measure and groups:
            groups[0]["eligiblePopulationExclusion"] = 2
            return doc
    return None


@injects("A106", "a performance rate of 170")
def _a106(doc, env):
    m = _single_rate(doc, env)
    if m is None:
        return None
    m["value"]["performanceRate"] = 170
    return doc


@injects("A107", "a performance rate that disagrees with the counts")
def _a107(doc, env):
    m = _single_rate(doc, env)
    if m is None:
        return None
    v = m["value"]
    rate = 100.0 * v["performanceMet"] / (v["performanceMet"] + v["performanceNotMet"])
    v["performanceRate"] = round(rate - 30 if rate > 50 else rate + 30, 2)
    return doc


@injects("A108", "a performance rate with no met or not-met cases")
def _a108(doc, env):
    m = _single_rate(doc, env)
    if m is None:
        return None
    m["value"].update(performanceMet=0, performanceNotMet=0, performanceRate=0)
    return doc


# ---------------------------------------------------------------- quality

@injects("Q101", "data completeness below the threshold")
def _q101(doc, env):
    c = _first_counts(doc, env)
    if c is None:
        return None
    c.update(performanceMet=2, performanceNotMet=1, eligiblePopulationException=0, eligiblePopulationExclusion=0)
    c["eligiblePopulation"] = max(c["eligiblePopulation"], 100)
    return doc


@injects("Q102", "fewer cases than the case minimum")
def _q102(doc, env):
    c = _first_counts(doc, env)
    if c is None:
        return None
    c.update(performanceMet=6, performanceNotMet=4, eligiblePopulationException=0, eligiblePopulationExclusion=0,
             eligiblePopulation=10)
    return doc


@injects("Q103", "five measures under traditional MIPS")
def _q103(doc, env):
    ms = _first(doc, "quality")
    if ms is None or _program(ms) != "mips":
        return None
    del ms["measurements"][env.pack.quality.required_measures - 1:]
    return doc


@injects("Q104", "no outcome or high-priority measure")
def _q104(doc, env):
    ms = _first(doc, "quality")
    if ms is None or not env.pack.quality.requires_outcome_or_high_priority or _program(ms) in ("app1", "appPlus"):
        return None
    plain = [c for c in _pool(env, ms) if not c.outcome_or_hp and not c.strata]
    n = len(ms["measurements"])
    if len(plain) < n:
        return None
    ehr = ms.get("submissionMethod") == pools.EHR
    ms["measurements"] = [{"measureId": c.measure_id, "value": _single_value(env, ehr)}
                          for c in env.rng.sample(plain, n)]
    return doc


@injects("Q105", "a measure without a benchmark for its method")
def _q105(doc, env):
    ms = _first(doc, "quality")
    if ms is None or not ms["measurements"]:
        return None
    present = {m["measureId"] for m in ms["measurements"]}
    plain = [c for c in _pool(env, ms) if not c.benchmarked and not c.strata and c.measure_id not in present]
    if not plain:
        return None
    choice = env.rng.choice(plain)
    ms["measurements"][0] = {"measureId": choice.measure_id,
                             "value": _single_value(env, ms.get("submissionMethod") == pools.EHR, choice.inverse)}
    return doc


@injects("Q106", "a topped-out measure")
def _q106(doc, env):
    def choose(record, ms):
        bench = env.catalog.benchmark(record.measure_id, ms.get("submissionMethod"))
        return (record.metric_type == "singlePerformanceRate" and bench is not None
                and bench.is_topped_out_by_program and bench.status != "removed")

    return doc if _replace_quality(doc, env, choose) else None


@injects("Q107", "a QCDR measure without its performanceRate")
def _q107(doc, env):
    def choose(record, ms):
        return record.metric_type == "registrySinglePerformanceRate"

    return doc if _replace_quality(doc, env, choose) else None


# ---------------------------------------------------------------- improvement activities

@injects("V101", "improvement activities short of full credit")
def _v101(doc, env):
    ms = _first(doc, "ia")
    if ms is None:
        return None
    program = _program(ms)
    mvp = program in env.catalog.mvps
    rules = env.pack.ia
    if rules.weighted:
        keep = [m for m in ms["measurements"]
                if rules.activity_points(env.catalog.ia[m["measureId"]].weight, mvp=mvp) < rules.full_credit_points]
        ms["measurements"] = keep[:1]
    else:
        needed = rules.mvp_activities_for_full_credit if mvp else rules.activities_for_full_credit
        ms["measurements"] = ms["measurements"][: max(0, (needed or 1) - 1)]
    return doc


@injects("V102", "an activity answered false")
def _v102(doc, env):
    ms = _first(doc, "ia")
    if ms is None:
        return None
    present = {m["measureId"] for m in ms["measurements"]}
    program = _program(ms)
    ids = tuple(env.catalog.mvps[program].ia_ids) if program in env.catalog.mvps else None
    spare = [a for a, _ in pools.ia_pool(env.year, program, ids) if a not in present]
    if not spare:
        return None
    ms["measurements"].append({"measureId": env.rng.choice(spare), "value": False})
    return doc


@injects("V103", "PCMH recognition attested")
def _v103(doc, env):
    ms = _first(doc, "ia")
    if ms is None:
        return None
    ms["measurements"].append({"measureId": env.pack.ia.pcmh_activity_id, "value": True})
    return doc


def _extra_set(doc: dict, env: Env, category: str, measurements: list, start_days: int) -> dict:
    periods = env.pack.periods
    ms = {"category": category, "submissionMethod": pools.REGISTRY,
          "performanceStart": (periods.end - timedelta(days=start_days)).isoformat(),
          "performanceEnd": periods.end.isoformat(), "measurements": measurements}
    quality = _first(doc, "quality")
    if quality is not None and "programName" in quality:
        ms["programName"] = quality["programName"]
    doc["measurementSets"].append(ms)
    return ms


@injects("V104", "an APM entity sending improvement activities")
def _v104(doc, env):
    if doc.get("entityType") != "apm" or _sets(doc, "ia"):
        return None
    activities = pools.ia_pool(env.year, _program(_first(doc, "quality") or {}))
    if not activities:
        return None
    _extra_set(doc, env, "ia", [{"measureId": activities[0][0], "value": True}], 200)
    return doc


# ---------------------------------------------------------------- promoting interoperability

def _pi_present(doc) -> tuple[dict | None, dict[str, dict]]:
    ms = _first(doc, "pi")
    return ms, ({m["measureId"]: m for m in ms["measurements"]} if ms else {})


@injects("P101", "a required PI measure removed")
def _p101(doc, env):
    ms, present = _pi_present(doc)
    if ms is None:
        return None
    requirement = env.pack.pi.requirements[0]
    ids = set(requirement.measure_ids)
    ms["measurements"] = [m for m in ms["measurements"] if m["measureId"] not in ids]
    return doc


@injects("P102", "a required attestation answered false")
def _p102(doc, env):
    ms, present = _pi_present(doc)
    for requirement in env.pack.pi.requirements:
        if requirement.kind == "attestation":
            for mid in requirement.measure_ids:
                if mid in present:
                    present[mid]["value"] = False
                    return doc
    return None


@injects("P103", "an exclusion next to the measure it excludes")
def _p103(doc, env):
    ms, present = _pi_present(doc)
    for mid in present:
        record = env.catalog.pi.get(mid)
        for exclusion in (record.exclusion or ()) if record else ():
            if exclusion not in present and exclusion in env.catalog.pi:
                ms["measurements"].append({"measureId": exclusion, "value": True})
                return doc
    return None


def _pi_value(env: Env, measure_id: str):
    if env.catalog.pi[measure_id].metric_type == "proportion":
        return {"numerator": 10, "denominator": 20}
    return True


@injects("P104", "a measure next to its substitute")
def _p104(doc, env):
    ms, present = _pi_present(doc)
    for mid in present:
        record = env.catalog.pi.get(mid)
        for substitute in record.substitutes if record else ():
            if substitute not in present and substitute in env.catalog.pi:
                ms["measurements"].append({"measureId": substitute, "value": _pi_value(env, substitute)})
                return doc
    return None


@injects("P105", "a PI set without its CEHRT ID")
def _p105(doc, env):
    ms = _first(doc, "pi")
    if ms is None or "pi" not in env.pack.identifiers.cehrt_id_required_for:
        return None
    ms.pop("cehrtId", None)
    return doc


@injects("P106", "a CEHRT ID of the wrong shape")
def _p106(doc, env):
    ms = _first(doc, "pi") or next((s for s in doc["measurementSets"] if "cehrtId" in s), None)
    if ms is None:
        return None
    ms["cehrtId"] = "NOT-A-CEHRT-ID"
    return doc


@injects("P107", "an APM entity sending PI")
def _p107(doc, env):
    if doc.get("entityType") != "apm" or _sets(doc, "pi"):
        return None
    ms = _extra_set(doc, env, env.pack.pi.category_id, [], 200)
    ms["cehrtId"] = next((s["cehrtId"] for s in doc["measurementSets"] if "cehrtId" in s), None) or "0015C0000000000"
    for options in pools.pi_options(env.year, _program(ms)):
        for mid in options[0]:
            ms["measurements"].append({"measureId": mid, "value": _pi_value(env, mid)})
    return doc


def required_proportion(doc, env):
    """The first required PI measure of ``doc`` reported as a numerator and denominator, or None."""
    ms, present = _pi_present(doc)
    for requirement in env.pack.pi.requirements:
        if requirement.kind != "measure":
            continue
        for mid in requirement.measure_ids:
            m = present.get(mid)
            if m is not None and isinstance(m["value"], dict) and "numerator" in m["value"]:
                return m
    return None


@injects("P108", "a required PI measure with numerator 0")
def _p108(doc, env):
    m = required_proportion(doc, env)
    if m is None:
        return None
    m["value"]["numerator"] = 0
    return doc


@injects("P109", "an optional PI measure with numerator 0")
def _p109(doc, env):
    ms, present = _pi_present(doc)
    if ms is None:
        return None
    required = {mid for r in env.pack.pi.requirements for mid in r.measure_ids}
    for mid in sorted(env.catalog.pi):
        record = env.catalog.pi[mid]
        substitutes = set(record.substitutes) | {e for p in present for e in (env.catalog.pi[p].exclusion or ())
                                                 if p in env.catalog.pi}
        if mid in required or mid in present or record.metric_type != "proportion" or substitutes & set(present):
            continue
        if record.reporting_category == "exclusion" or mid in substitutes:
            continue
        ms["measurements"].append({"measureId": mid, "value": {"numerator": 0, "denominator": 40}})
        return doc
    return None


# ---------------------------------------------------------------- MVPs

def _mvp_set(doc, env, category) -> dict | None:
    ms = _first(doc, category)
    return ms if ms is not None and _program(ms) in env.catalog.mvps else None


@injects("P110", "a public health measure without its active engagement level")
def _p110(doc, env):
    ms, present = _pi_present(doc)
    levels = env.pack.pi.active_engagement
    for mid in present:
        if mid in levels:
            ms["measurements"] = [m for m in ms["measurements"] if m["measureId"] not in levels[mid]]
            return doc
    return None


@injects("R101", "a programName that is not a program of the year")
def _r101(doc, env):
    ms = _first(doc, "quality")
    if ms is None:
        return None
    ms["programName"] = "G9999"
    return doc


@injects("R102", "a quality measure outside the MVP")
def _r102(doc, env):
    ms = _mvp_set(doc, env, "quality")
    if ms is None:
        return None
    mvp = env.catalog.mvps[_program(ms)]

    def choose(record, s):
        return (record.metric_type == "singlePerformanceRate" and record.measure_id not in mvp.quality_ids
                and record.measure_id not in mvp.foundation_quality_ids
                and record.measure_id not in mvp.admin_claims_ids
                and mvp.mvp_id not in (record.allowed_programs or ())
                and s.get("submissionMethod") in record.submission_methods)

    return doc if _replace_quality(doc, env, choose) else None


@injects("R103", "an improvement activity outside the MVP")
def _r103(doc, env):
    ms = _mvp_set(doc, env, "ia")
    if ms is None:
        return None
    mvp = env.catalog.mvps[_program(ms)]
    for activity_id in sorted(env.catalog.ia):
        activity = env.catalog.ia[activity_id]
        if activity_id not in mvp.ia_ids and mvp.mvp_id not in (activity.allowed_programs or ()):
            ms["measurements"].append({"measureId": activity_id, "value": True})
            return doc
    return None


@injects("R104", "an MVP submission without its PI set")
def _r104(doc, env):
    if _mvp_set(doc, env, "quality") is None:
        return None
    doc["measurementSets"] = [s for s in doc["measurementSets"] if s.get("category") not in ("pi", "aci")]
    return doc


@injects("R105", "three measures in an MVP")
def _r105(doc, env):
    ms = _mvp_set(doc, env, "quality")
    if ms is None or not env.pack.quality.mvp_required_measures:
        return None
    del ms["measurements"][env.pack.quality.mvp_required_measures - 1:]
    return doc


# ---------------------------------------------------------------- submission methods

@injects("B101", "the CMS Web Interface where it is closed")
def _b101(doc, env):
    rules = env.pack.eligibility
    closed = not rules.web_interface_available or (not rules.web_interface_for_mips_groups
                                                    and doc.get("entityType") != "apm")
    return _set_quality_method(doc, env, "cmsWebInterface") if closed else None


@injects("B102", "the CMS Web Interface, whose size limit the file cannot show")
def _b102(doc, env):
    rules = env.pack.eligibility
    entity = doc.get("entityType")
    if not (rules.web_interface_available and rules.web_interface_min_clinicians) \
            or entity not in ("group", "virtualGroup", "apm") \
            or (not rules.web_interface_for_mips_groups and entity != "apm"):
        return None
    return _set_quality_method(doc, env, "cmsWebInterface")


@injects("B103", "an individual or subgroup on the CMS Web Interface")
def _b103(doc, env):
    if not env.pack.eligibility.web_interface_available or doc.get("entityType") not in ("individual", "subgroup"):
        return None
    return _set_quality_method(doc, env, "cmsWebInterface")


@injects("B104", "claims reporting without small-practice status")
def _b104(doc, env):
    if not env.pack.eligibility.claims_small_practice_only:
        return None
    return _set_quality_method(doc, env, "claims")


@injects("B105", "a group reporting by claims before groups could")
def _b105(doc, env):
    if env.pack.eligibility.claims_groups_allowed or doc.get("entityType") in (None, "individual"):
        return None
    return _set_quality_method(doc, env, "claims")


@injects("B106", "an eCQM quality set without a CEHRT ID")
def _b106(doc, env):
    ms = _first(doc, "quality")
    if ms is None or "quality_ecqm" not in env.pack.identifiers.cehrt_id_required_for:
        return None
    ms["submissionMethod"] = pools.EHR
    ms.pop("cehrtId", None)
    return doc


@injects("B107", "an IA set sent by claims")
def _b107(doc, env):
    ms = _first(doc, "ia")
    if ms is None:
        return None
    ms["submissionMethod"] = "claims"
    return doc


# ---------------------------------------------------------------- file and schema

def to_bytes(doc: dict) -> bytes:
    return (json.dumps(doc, indent=2) + "\n").encode("utf-8")


@injects("F001", "an empty file")
def _f001(doc, env):
    return b""


@injects("F005", "JSON cut off in the middle")
def _f005(doc, env):
    data = to_bytes(doc)
    return data[: len(data) // 2]


@injects("F008", "a key given twice")
def _f008(doc, env):
    return to_bytes(doc).replace(b"{", b'{\n  "performanceYear": 2017,', 1)


@injects("S002", "the performance year as a string")
def _s002(doc, env):
    doc["performanceYear"] = str(doc.get("performanceYear"))
    return doc


@injects("S003", "an unknown field")
def _s003(doc, env):
    doc["colour"] = "blue"
    return doc


# ---------------------------------------------------------------- applying faults

def codes() -> list[str]:
    return sorted(INJECTORS)


def apply(doc: dict, code: str, env: Env) -> Result:
    """Apply the injector of ``code`` to a copy of ``doc``; None when it does not apply."""
    injector = INJECTORS.get(code)
    if injector is None:
        raise FaultError(f"no fault injector for {code}; known: {', '.join(codes())}")
    return injector.fn(copy.deepcopy(doc), env)


def _found(data: bytes) -> set:
    from ..pipeline.validate import validate_bytes

    return {f.code for f in validate_bytes(data).findings}


def inject(sub: Submission, wanted: Sequence[str], rng: random.Random, count: int | None = None,
           level: str | None = None) -> tuple[bytes, list[str]]:
    """Break ``sub`` so that it triggers codes from ``wanted``.

    With ``count`` None every code of ``wanted`` must be injected (FaultError otherwise);
    with a ``count``, up to that many are taken from ``wanted`` in random order, skipping
    the ones that do not apply or that another fault hides.  Returns the file's bytes and
    the codes it triggers (each verified with the validator).
    """
    env = Env(sub.performance_year, level or sub.entity_type, rng)
    doc = qppjson.to_dict(sub)
    data = qppjson.write(sub)
    applied: list[str] = []
    order = list(wanted)
    if count is not None:
        rng.shuffle(order)
    for code in order:
        if count is not None and len(applied) >= count:
            break
        if isinstance(doc, bytes):
            break  # a byte-level fault ends the document
        try:
            result = apply(doc, code, env)
        except FaultError:
            raise
        except (ArithmeticError, LookupError, ValueError, TypeError) as exc:
            # An earlier fault took away what this one works on (an NPI cut short, a period made
            # impossible, counts set to zero): it does not apply to this document any more.
            if count is None:
                raise FaultError(f"fault {code} cannot be injected after {', '.join(applied) or 'the others'} "
                                 f"in this {env.year} {env.level} submission ({exc})") from None
            continue
        if result is None:
            if count is None:
                raise FaultError(f"fault {code} does not apply to a {env.year} {env.level} submission")
            continue
        candidate = result if isinstance(result, bytes) else to_bytes(result)
        found = _found(candidate)
        if code in found and all(c in found for c in applied):
            doc, data = result, candidate
            applied.append(code)
        elif count is None:
            raise FaultError(f"fault {code} could not be injected into this {env.year} {env.level} submission "
                             f"without hiding {', '.join(c for c in applied if c not in found) or 'itself'}")
    return data, applied


def rule_codes() -> list[str]:
    """Codes the program rules can report (the ones fault injection must cover)."""
    from ..checks import rules
    from ..model.codes import all_codes
    from ..pipeline import validate  # noqa: F401  (defines the year code)

    found = {r.code.code for r in rules()}
    found.update(c.code for c in all_codes() if c.code[0] in "IMAQVPRBY")
    return sorted(found)


__all__ = ["Env", "FaultError", "INJECTORS", "Injector", "apply", "codes", "inject", "injects", "rule_codes",
           "to_bytes"]
