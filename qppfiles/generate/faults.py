"""Fault injection: turn a valid submission into one that breaks chosen rules.

One injector per finding code, registered in ``INJECTORS`` (code -> Injector).
An injector edits the QPP JSON document of a valid generated submission so
that the rule must fire; it returns None when the rule cannot apply to that
submission (for example an NPI fault on a group, or a Web Interface fault in
a year that has none).  Most injectors change fields of one part of the
document and are rows of ``FIELD_FAULTS``; the others are functions.
:func:`inject` applies several, checks with the validator that every chosen
code is reported, and drops a fault that another one masks.  Tests use the
registry to prove every rule notices its fault.

    >>> data, codes = inject(sub, ["I103", "Q101"], random.Random(1))
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable
from collections.abc import Sequence

from ..formats import qppjson
from ..model.submission import Submission
from . import pools
from .docparts import IA
from .docparts import PI
from .docparts import QUALITY
from .docparts import add_method_rows
from .docparts import add_spare_activity
from .docparts import allowed
from .docparts import cehrt_set
from .docparts import cqm_counts
from .docparts import extra_set
from .docparts import first
from .docparts import first_counts
from .docparts import first_measurement
from .docparts import having
from .docparts import having_set
from .docparts import is_ehr
from .docparts import lasting
from .docparts import measured_quality
from .docparts import mvp_set
from .docparts import needing_cehrt
from .docparts import outcome_quality
from .docparts import pi_present
from .docparts import pi_proportion
from .docparts import pi_related
from .docparts import pi_value
from .docparts import program
from .docparts import put_multi_rate
from .docparts import quality_pool
from .docparts import rate
from .docparts import replacing_quality
from .docparts import required_proportion_value
from .docparts import set_of
from .docparts import sets
from .docparts import single_value
from .docparts import traditional_quality
from .docparts import web_interface_closed
from .docparts import web_interface_for
from .docparts import whole
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
from .ids import fake_npi

Injector = Entry
INJECTORS = Edits("fault injector")
injects = INJECTORS.register


def _cut(key: str, keep: int) -> Callable[[dict, Env], str]:
    return lambda doc, env: doc[key][:keep]


def _wrong_check_digit(doc: dict, env: Env) -> str:
    npi = doc["nationalProviderIdentifier"]
    return npi[:9] + str((int(npi[9]) + 1 + env.rng.randrange(9)) % 10)


def _rate_off_by_30(value: dict, env: Env) -> float:
    rate = 100.0 * value["performanceMet"] / (value["performanceMet"] + value["performanceNotMet"])
    return round(rate - 30 if rate > 50 else rate + 30, 2)


def _short_quality_period(env: Env) -> int:
    periods = env.pack.periods
    return 180 if periods.quality_full_year_required else (periods.quality_min_days or 90) - 30


_NO_EXCEPTIONS = {"eligiblePopulationException": 0, "eligiblePopulationExclusion": 0}

# code, summary, the part of the document, {field: new value, or a function of the part and the Env}
FIELD_FAULTS: tuple[Row, ...] = (
    ("I101", "TIN with 8 digits", having("taxpayerIdentificationNumber"),
     {"taxpayerIdentificationNumber": _cut("taxpayerIdentificationNumber", 8)}),
    ("I102", "NPI with 9 digits", having("nationalProviderIdentifier"),
     {"nationalProviderIdentifier": _cut("nationalProviderIdentifier", 9)}),
    ("I103", "NPI with a wrong check digit", having("nationalProviderIdentifier"),
     {"nationalProviderIdentifier": _wrong_check_digit}),
    ("I106", "a malformed entityId", having("entityId"), {"entityId": "bad id!"}),
    ("Y001", "an unsupported performance year", whole, {"performanceYear": 2016}),
    ("Y101", "February 30th as a period end", set_of(QUALITY),
     {"performanceEnd": lambda ms, env: f"{env.year}-02-30"}),
    ("Y102", "a period that ends before it starts", set_of(QUALITY),
     {"performanceStart": lambda ms, env: f"{env.year}-12-31", "performanceEnd": lambda ms, env: f"{env.year}-01-01"}),
    ("Y103", "a period starting in the previous year", set_of(QUALITY),
     {"performanceStart": lambda ms, env: f"{env.year - 1}-12-01"}),
    ("Y104", "a PI period shorter than the year's minimum", set_of(PI),
     {"performanceStart": lasting(lambda env: env.pack.pi.min_performance_period_days - 10)}),
    ("Y105", "an IA period of 30 days", set_of(IA),
     {"performanceStart": lasting(lambda env: min(30, env.pack.ia.min_activity_days - 1))}),
    ("Y106", "a quality period shorter than required", set_of(QUALITY),
     {"performanceStart": lasting(_short_quality_period)}),
    ("Y108", "the PI category under the other year's name", set_of(PI),
     {"category": lambda ms, env: "pi" if ms["category"] == "aci" else "aci"}),
    ("M101", "a measure id that does not exist", first_measurement, {"measureId": "999X"}),
    ("M104", "a performance-rate measure given a true/false value", first_measurement, {"value": True}),
    ("A101", "a negative count", first_counts, {"performanceNotMet": -3}),
    ("A102", "a fractional count", first_counts, {"eligiblePopulation": lambda c, env: c["eligiblePopulation"] + 0.5}),
    ("A103", "met cases above the eligible population", first_counts,
     {"performanceMet": lambda c, env: c["eligiblePopulation"] + 5}),
    ("A104", "a PI numerator above its denominator", pi_proportion,
     {"numerator": lambda v, env: v["denominator"] + 7}),
    ("A106", "a performance rate of 170", rate, {"performanceRate": 170}),
    ("A107", "a performance rate that disagrees with the counts", rate, {"performanceRate": _rate_off_by_30}),
    ("A108", "a performance rate with no met or not-met cases", rate,
     {"performanceMet": 0, "performanceNotMet": 0, "performanceRate": 0}),
    ("Q101", "data completeness below the threshold", first_counts,
     {"performanceMet": 2, "performanceNotMet": 1, **_NO_EXCEPTIONS,
      "eligiblePopulation": lambda c, env: max(c["eligiblePopulation"], 100)}),
    ("Q102", "fewer cases than the case minimum", first_counts,
     {"performanceMet": 6, "performanceNotMet": 4, **_NO_EXCEPTIONS, "eligiblePopulation": 10}),
    ("V103", "PCMH recognition attested", set_of(IA),
     {"measurements": lambda ms, env: [*ms["measurements"], {"measureId": env.pack.ia.pcmh_activity_id,
                                                             "value": True}]}),
    ("P106", "a CEHRT ID of the wrong shape", cehrt_set, {"cehrtId": "NOT-A-CEHRT-ID"}),
    ("P108", "a required PI measure with numerator 0", required_proportion_value, {"numerator": 0}),
    ("R101", "a programName that is not a program of the year", set_of(QUALITY), {"programName": "G9999"}),
    ("B107", "an IA set sent by claims", set_of(IA), {"submissionMethod": "claims"}),
    ("S002", "the performance year as a string", whole,
     {"performanceYear": lambda doc, env: str(doc.get("performanceYear"))}),
    ("S003", "an unknown field", whole, {"colour": "blue"}),
)
INJECTORS.add_rows(FIELD_FAULTS)


# ---------------------------------------------------------------- identifiers

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


@injects("I107", "a subgroup reporting under traditional MIPS")
def _i107(doc, env):
    if doc.get("entityType") != "subgroup" or not sets(doc, QUALITY):
        return None
    first(doc, QUALITY)["programName"] = "mips"
    return doc


@injects("Y107", "an entity type the year does not have")
def _y107(doc, env):
    missing = [t for t in ("subgroup", "virtualGroup") if t not in env.pack.identifiers.entity_types]
    if not missing:
        return None
    doc["entityType"] = missing[0]
    return doc


# ---------------------------------------------------------------- catalog

@injects("M102", "a quality measure its submission method cannot report")
@replacing_quality
def _m102(record, ms, env):
    return (record.metric_type == "singlePerformanceRate" and record.submission_methods
            and ms.get("submissionMethod") not in record.submission_methods and allowed(record, program(ms)))


@injects("M103", "a quality measure not allowed under the set's program")
@replacing_quality
def _m103(record, ms, env):
    return (record.metric_type == "singlePerformanceRate" and record.allowed_programs
            and not allowed(record, program(ms)) and ms.get("submissionMethod") in record.submission_methods)


@injects("M105", "a multi-rate measure with a misnamed stratum")
def _m105(doc, env):
    return put_multi_rate(doc, env, env.rng.choice, lambda m: [m.strata[0] + "Typo", *m.strata[1:]])


@injects("M106", "a measure reported twice in a set")
@at(measured_quality)
def _m106(ms, env):
    ms["measurements"].append(copy.deepcopy(ms["measurements"][0]))


@injects("M107", "two quality sets with the same method and program")
@at(having_set(QUALITY))
def _m107(doc, env):
    doc["measurementSets"].append(copy.deepcopy(first(doc, QUALITY)))


# ---------------------------------------------------------------- arithmetic

@injects("A105", "eligiblePopulationExclusion on a MIPS CQM")
@at(set_of(QUALITY))
def _a105(ms, env):
    ms["submissionMethod"] = pools.REGISTRY
    ms.pop("cehrtId", None)
    needed(cqm_counts(ms, env))["eligiblePopulationExclusion"] = 2


# ---------------------------------------------------------------- quality

@injects("Q103", "five measures under traditional MIPS")
@at(traditional_quality)
def _q103(ms, env):
    del ms["measurements"][env.pack.quality.required_measures - 1:]


@injects("Q104", "no outcome or high-priority measure")
@at(outcome_quality)
def _q104(ms, env):
    plain = [c for c in quality_pool(env, ms) if not c.outcome_or_hp and not c.strata]
    n = len(ms["measurements"])
    if len(plain) < n:
        raise DoesNotApply
    ms["measurements"] = [{"measureId": c.measure_id, "value": single_value(env, is_ehr(ms))}
                          for c in env.rng.sample(plain, n)]


@injects("Q105", "a measure without a benchmark for its method")
@at(measured_quality)
def _q105(ms, env):
    present = {m["measureId"] for m in ms["measurements"]}
    choice = env.rng.choice(needed([c for c in quality_pool(env, ms)
                                    if not c.benchmarked and not c.strata and c.measure_id not in present]))
    ms["measurements"][0] = {"measureId": choice.measure_id, "value": single_value(env, is_ehr(ms), choice.inverse)}


@injects("Q106", "a topped-out measure")
@replacing_quality
def _q106(record, ms, env):
    bench = env.catalog.benchmark(record.measure_id, ms.get("submissionMethod"))
    return (record.metric_type == "singlePerformanceRate" and bench is not None
            and bench.is_topped_out_by_program and bench.status != "removed")


@injects("Q107", "a QCDR measure without its performanceRate")
@replacing_quality
def _q107(record, ms, env):
    return record.metric_type == "registrySinglePerformanceRate"


# ---------------------------------------------------------------- improvement activities

@injects("V101", "improvement activities short of full credit")
@at(set_of(IA))
def _v101(ms, env):
    mvp = program(ms) in env.catalog.mvps
    rules = env.pack.ia
    if rules.weighted:
        keep = [m for m in ms["measurements"]
                if rules.activity_points(env.catalog.ia[m["measureId"]].weight, mvp=mvp) < rules.full_credit_points]
        ms["measurements"] = keep[:1]
    else:
        needed = rules.mvp_activities_for_full_credit if mvp else rules.activities_for_full_credit
        ms["measurements"] = ms["measurements"][: max(0, (needed or 1) - 1)]


@injects("V102", "an activity answered false")
@at(set_of(IA))
def _v102(ms, env):
    add_spare_activity(ms, env, env.rng.choice, False)


@injects("V104", "an APM entity sending improvement activities")
def _v104(doc, env):
    if doc.get("entityType") != "apm" or sets(doc, IA):
        return None
    activities = pools.ia_pool(env.year, program(first(doc, QUALITY) or {}))
    if not activities:
        return None
    extra_set(doc, env, IA, [{"measureId": activities[0][0], "value": True}], 200)
    return doc


# ---------------------------------------------------------------- promoting interoperability

@injects("P101", "a required PI measure removed")
@at(set_of(PI))
def _p101(ms, env):
    ids = set(env.pack.pi.requirements[0].measure_ids)
    ms["measurements"] = [m for m in ms["measurements"] if m["measureId"] not in ids]


@injects("P102", "a required attestation answered false")
def _p102(doc, env):
    ms, present = pi_present(doc)
    for requirement in env.pack.pi.requirements:
        if requirement.kind == "attestation":
            for mid in requirement.measure_ids:
                if mid in present:
                    present[mid]["value"] = False
                    return doc
    return None


def _next_to(field: str, value_of: Callable[[Env, str], object]) -> Edit:
    """An edit adding, next to a reported PI measure, the first measure of its ``field`` (see
    :func:`pi_related`) not yet reported, with the value ``value_of(env, measure id)``."""
    def add(ms: dict, env: Env) -> None:
        present = dict.fromkeys(m["measureId"] for m in ms["measurements"])
        mid = needed([related for _, related in pi_related(env, present, field) if related not in present])[0]
        ms["measurements"].append({"measureId": mid, "value": value_of(env, mid)})

    return at(set_of(PI))(add)


INJECTORS.add("P103", "an exclusion next to the measure it excludes", _next_to("exclusion", lambda env, mid: True))
INJECTORS.add("P104", "a measure next to its substitute", _next_to("substitutes", pi_value))


@injects("P105", "a PI set without its CEHRT ID")
@at(needing_cehrt(PI, "pi"))
def _p105(ms, env):
    ms.pop("cehrtId", None)


@injects("P107", "an APM entity sending PI")
def _p107(doc, env):
    if doc.get("entityType") != "apm" or sets(doc, PI):
        return None
    ms = extra_set(doc, env, env.pack.pi.category_id, [], 200)
    ms["cehrtId"] = next((s["cehrtId"] for s in doc["measurementSets"] if "cehrtId" in s), None) or "0015C0000000000"
    for options in pools.pi_options(env.year, program(ms)):
        for mid in options[0]:
            ms["measurements"].append({"measureId": mid, "value": pi_value(env, mid)})
    return doc


@injects("P109", "an optional PI measure with numerator 0")
def _p109(doc, env):
    ms, present = pi_present(doc)
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


def keep_engagement_levels(ms: dict, env: Env, keep: int) -> None:
    """Report the PI set's first public health measure with only the last ``keep`` of its levels of active
    engagement (as met)."""
    levels = env.pack.pi.active_engagement
    mid = needed([m["measureId"] for m in ms["measurements"] if m["measureId"] in levels])[0]
    ms["measurements"] = [m for m in ms["measurements"] if m["measureId"] not in levels[mid]]
    ms["measurements"] += [{"measureId": level, "value": True} for level in levels[mid][len(levels[mid]) - keep:]]


INJECTORS.add("P110", "a public health measure without its active engagement level",
              at(set_of(PI))(lambda ms, env: keep_engagement_levels(ms, env, 0)))


# ---------------------------------------------------------------- MVPs

@injects("R102", "a quality measure outside the MVP")
@replacing_quality
def _r102(record, ms, env):
    mvp = env.catalog.mvps.get(program(ms))
    return (mvp is not None and record.metric_type == "singlePerformanceRate"
            and record.measure_id not in (*mvp.quality_ids, *mvp.foundation_quality_ids, *mvp.admin_claims_ids)
            and mvp.mvp_id not in (record.allowed_programs or ())
            and ms.get("submissionMethod") in record.submission_methods)


@injects("R103", "an improvement activity outside the MVP")
@at(mvp_set(IA))
def _r103(ms, env):
    mvp = env.catalog.mvps[program(ms)]
    outside = needed([a for a in sorted(env.catalog.ia)
                      if a not in mvp.ia_ids and mvp.mvp_id not in (env.catalog.ia[a].allowed_programs or ())])
    ms["measurements"].append({"measureId": outside[0], "value": True})


@injects("R104", "an MVP submission without its PI set")
def _r104(doc, env):
    if mvp_set(QUALITY)(doc, env) is None:
        return None
    doc["measurementSets"] = [s for s in doc["measurementSets"] if s.get("category") not in ("pi", "aci")]
    return doc


@injects("R105", "three measures in an MVP")
@at(mvp_set(QUALITY))
def _r105(ms, env):
    del ms["measurements"][needed(env.pack.quality.mvp_required_measures) - 1:]


# ---------------------------------------------------------------- submission methods

def _web_interface_sized(doc: dict, env: Env) -> bool:
    rules = env.pack.eligibility
    entity = doc.get("entityType")
    return bool(rules.web_interface_available and rules.web_interface_min_clinicians) \
        and entity in ("group", "virtualGroup", "apm") \
        and (rules.web_interface_for_mips_groups or entity == "apm")


add_method_rows(INJECTORS, (
    ("B101", "the CMS Web Interface where it is closed", "cmsWebInterface", web_interface_closed),
    ("B102", "the CMS Web Interface, whose size limit the file cannot show", "cmsWebInterface", _web_interface_sized),
    ("B103", "an individual or subgroup on the CMS Web Interface", "cmsWebInterface",
     web_interface_for(("individual", "subgroup"))),
    ("B104", "claims reporting without small-practice status", "claims",
     lambda doc, env: env.pack.eligibility.claims_small_practice_only),
    ("B105", "a group reporting by claims before groups could", "claims",
     lambda doc, env: not env.pack.eligibility.claims_groups_allowed
     and doc.get("entityType") not in (None, "individual")),
))


@injects("B106", "an eCQM quality set without a CEHRT ID")
@at(needing_cehrt(QUALITY, "quality_ecqm"))
def _b106(ms, env):
    ms["submissionMethod"] = pools.EHR
    ms.pop("cehrtId", None)


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


# ---------------------------------------------------------------- applying faults

def codes() -> list[str]:
    return sorted(INJECTORS)


def apply(doc: dict, code: str, env: Env) -> Result:
    """Apply the injector of ``code`` to a copy of ``doc``; None when it does not apply."""
    return INJECTORS.apply(doc, code, env)


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
    if sub.performance_year is None:
        raise FaultError("the submission has no performance year")
    env = Env(sub.performance_year, level or sub.entity_type or "measurement-set-only", rng)
    doc: dict | bytes = qppjson.to_dict(sub)
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

    found = {r.code.code for r in rules()}
    found.update(c.code for c in all_codes() if c.code[0] in "IMAQVPRBY")
    return sorted(found)


__all__ = ["Env", "FaultError", "INJECTORS", "Injector", "apply", "codes", "inject", "injects", "rule_codes",
           "to_bytes"]
