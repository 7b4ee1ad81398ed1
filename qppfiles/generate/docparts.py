"""The parts of a QPP JSON document that faults and near misses edit, and the edits both make.

A *place* is ``place(doc, env)``: the part of the document an edit changes (a measurement set, a
measurement, a value, its counts), or None when the document has no such part.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from datetime import date
from datetime import timedelta
from typing import Any

from ..formats import qppjson
from ..model.submission import Measurement
from ..model.submission import MeasurementSet
from ..model.submission import MultiRateValue
from ..model.submission import SingleRateValue
from ..model.submission import Stratum
from ..model.submission import Value
from . import pools
from .edits import Edit
from .edits import Edits
from .edits import Env
from .edits import Place
from .edits import Result
from .edits import needed
from .fake import fake_counts
from .fake import rate_value

QUALITY, PI, IA = "quality", "pi", "ia"
COUNT_FIELDS = ("performanceMet", "performanceNotMet", "eligiblePopulationException",
                "eligiblePopulationExclusion")


# ---------------------------------------------------------------- finding parts

def sets(doc: dict, category: str) -> list[dict]:
    wanted = ("pi", "aci") if category == PI else (category,)
    return [s for s in doc.get("measurementSets", []) if s.get("category") in wanted]


def first(doc: dict, category: str) -> dict | None:
    found = sets(doc, category)
    return found[0] if found else None


def program(ms: dict) -> str:
    return ms.get("programName") or "mips"


def is_ehr(ms: dict) -> bool:
    return ms.get("submissionMethod") == pools.EHR


def count_groups(measurement: dict) -> list[dict]:
    value = measurement.get("value")
    if not isinstance(value, dict):
        return []
    if "strata" in value:
        return [s for s in value["strata"] if isinstance(s, dict)]
    return [value] if "eligiblePopulation" in value else []


def pi_present(doc: dict) -> tuple[dict | None, dict[str, dict]]:
    ms = first(doc, PI)
    return ms, ({m["measureId"]: m for m in ms["measurements"]} if ms else {})


def whole(doc: dict, env: Env) -> dict:
    return doc


def having(key: str) -> Place:
    """The document, when it has ``key``."""
    return lambda doc, env: doc if key in doc else None


def set_of(category: str) -> Place:
    """The first measurement set of ``category``."""
    return lambda doc, env: first(doc, category)


def having_set(category: str) -> Place:
    """The document, when it has a set of ``category``."""
    return lambda doc, env: doc if first(doc, category) is not None else None


def traditional_quality(doc: dict, env: Env) -> dict | None:
    """The first quality set, when it reports traditional MIPS."""
    ms = first(doc, QUALITY)
    return ms if ms is not None and program(ms) == "mips" else None


def outcome_quality(doc: dict, env: Env) -> dict | None:
    """The first quality set, where the year and its program require an outcome or high-priority measure."""
    ms = first(doc, QUALITY)
    if ms is None or not env.pack.quality.requires_outcome_or_high_priority or program(ms) in ("app1", "appPlus"):
        return None
    return ms


def measured_quality(doc: dict, env: Env) -> dict | None:
    """The first quality set, when it has measurements."""
    ms = first(doc, QUALITY)
    return ms if ms is not None and ms["measurements"] else None


def first_measurement(doc: dict, env: Env) -> dict | None:
    ms = measured_quality(doc, env)
    return ms["measurements"][0] if ms is not None else None


def mvp_set(category: str) -> Place:
    """The first set of ``category``, when it reports an MVP."""
    def place(doc: dict, env: Env) -> dict | None:
        ms = first(doc, category)
        return ms if ms is not None and program(ms) in env.catalog.mvps else None

    return place


def needing_cehrt(category: str, requirement: str) -> Place:
    """The first set of ``category``, in a year whose CEHRT ID requirements include ``requirement``."""
    def place(doc: dict, env: Env) -> dict | None:
        return first(doc, category) if requirement in env.pack.identifiers.cehrt_id_required_for else None

    return place


def cehrt_set(doc: dict, env: Env) -> dict | None:
    """The PI set, else the first set with a CEHRT ID."""
    return first(doc, PI) or next((s for s in doc["measurementSets"] if "cehrtId" in s), None)


def pi_proportion(doc: dict, env: Env) -> dict | None:
    """The value of the first PI measure reported as a numerator and denominator."""
    ms = first(doc, PI)
    for m in ms["measurements"] if ms else ():
        if isinstance(m["value"], dict) and "numerator" in m["value"]:
            return m["value"]
    return None


def pi_related(env: Env, present: Iterable[str], field: str) -> Iterator[tuple[str, str]]:
    """(reported measure, related measure) for each measure of the catalog's ``field`` ("exclusion",
    "substitutes") of a reported PI measure."""
    for mid in present:
        record = env.catalog.pi.get(mid)
        for related in (getattr(record, field) or ()) if record else ():
            if related in env.catalog.pi:
                yield mid, related


def required_proportion(doc: dict, env: Env) -> dict | None:
    """The first required PI measure of ``doc`` reported as a numerator and denominator, or None."""
    ms, present = pi_present(doc)
    for requirement in env.pack.pi.requirements:
        if requirement.kind != "measure":
            continue
        for mid in requirement.measure_ids:
            m = present.get(mid)
            if m is not None and isinstance(m["value"], dict) and "numerator" in m["value"]:
                return m
    return None


def required_proportion_value(doc: dict, env: Env) -> dict | None:
    m = required_proportion(doc, env)
    return m["value"] if m is not None else None


def cqm_counts(ms: dict, env: Env) -> dict | None:
    """The counts of the set's first measure that is not a registry (QCDR) measure."""
    for m in ms["measurements"]:
        record = env.catalog.quality.get(m["measureId"])
        groups = count_groups(m)
        if record is not None and not record.is_registry_measure and groups:
            return groups[0]
    return None


# ---------------------------------------------------------------- quality measures

def value_dict(value: Value) -> Any:
    """A model value as the QPP JSON writer writes it."""
    return qppjson.set_to_dict(MeasurementSet(QUALITY, measurements=(Measurement("", value),)))["measurements"][0][
        "value"]


def _fake_counts(env: Env, inverse: bool = False):
    q = env.pack.quality
    return fake_counts(env.rng, q.data_completeness_threshold_percent, q.case_minimum, inverse)


def single_value(env: Env, ehr: bool, inverse: bool = False) -> Any:
    return value_dict(SingleRateValue(_fake_counts(env, inverse), is_end_to_end=ehr))


def quality_pool(env: Env, ms: dict) -> tuple[pools.QualityChoice, ...]:
    name = program(ms)
    ids = tuple(env.catalog.mvps[name].quality_ids) if name in env.catalog.mvps else None
    return pools.quality_pool(env.year, ms.get("submissionMethod") or pools.REGISTRY, name, ids)


def single_rate(doc: dict, env: Env) -> dict | None:
    """A single-rate quality measurement of the document (one is swapped in when there is none)."""
    ms = measured_quality(doc, env)
    if ms is None:
        return None
    for m in ms["measurements"]:
        if isinstance(m.get("value"), dict) and "eligiblePopulation" in m["value"]:
            return m
    pool = [c for c in quality_pool(env, ms) if not c.strata]
    if not pool:
        return None
    present = {m["measureId"] for m in ms["measurements"]}
    choices = [c for c in pool if c.measure_id not in present] or pool
    choice = env.rng.choice(choices)
    m = ms["measurements"][0]
    m["measureId"] = choice.measure_id
    m["value"] = single_value(env, is_ehr(ms), choice.inverse)
    return m


def rate(doc: dict, env: Env) -> dict | None:
    """The value of :func:`single_rate`."""
    m = single_rate(doc, env)
    return m["value"] if m is not None else None


def first_counts(doc: dict, env: Env) -> dict | None:
    m = single_rate(doc, env)
    return count_groups(m)[0] if m else None


def allowed(record: Any, name: str) -> bool:
    """The catalog record may be reported under program ``name``."""
    return not record.allowed_programs or name in record.allowed_programs


def replace_quality(doc: dict, env: Env, choose: Callable[[Any, dict], object]) -> dict | None:
    """Put the first catalog measure that ``choose(record, set)`` accepts in place of the first quality measure."""
    ms = measured_quality(doc, env)
    if ms is None:
        return None
    present = {m["measureId"] for m in ms["measurements"]}
    for measure_id in sorted(env.catalog.quality):
        if measure_id in present:
            continue
        record = env.catalog.quality[measure_id]
        if choose(record, ms):
            m = ms["measurements"][0]
            m["measureId"] = measure_id
            m["value"] = single_value(env, is_ehr(ms), bool(record.is_inverse))
            return m
    return None


def replacing_quality(choose: Callable[[Any, dict, Env], object]) -> Callable[[dict, Env], dict | None]:
    """Decorator: an edit that puts the first catalog measure ``choose(record, set, env)`` accepts in place of
    the first quality measure (None when there is none)."""
    def edit(doc: dict, env: Env) -> dict | None:
        return doc if replace_quality(doc, env, lambda record, ms: choose(record, ms, env)) else None

    return edit


def set_quality_method(doc: dict, env: Env, method: str) -> dict | None:
    """Switch the quality set to ``method``, with measures that method can report when there are enough."""
    ms = first(doc, QUALITY)
    if ms is None:
        return None
    ms["submissionMethod"] = method
    if method != pools.EHR:
        ms.pop("cehrtId", None)
    pool = quality_pool(env, ms)
    n = len(ms["measurements"])
    if len(pool) >= n:
        q = env.pack.quality
        chosen = env.rng.sample(list(pool), n)
        measurements = tuple(
            Measurement(c.measure_id, rate_value(env.rng, c, q.data_completeness_threshold_percent,
                                                 q.case_minimum, False))
            for c in chosen)
        ms["measurements"] = qppjson.set_to_dict(MeasurementSet(QUALITY, measurements=measurements))["measurements"]
    return doc


def web_interface_closed(doc: dict, env: Env) -> bool:
    rules = env.pack.eligibility
    return not rules.web_interface_available or (not rules.web_interface_for_mips_groups
                                                 and doc.get("entityType") != "apm")


def web_interface_for(entities: tuple[str, ...]) -> Callable[[dict, Env], bool]:
    """Whether the year has the CMS Web Interface and the document's entity type is one of ``entities``."""
    return lambda doc, env: env.pack.eligibility.web_interface_available and doc.get("entityType") in entities


def switching_method(method: str, when: Callable[[dict, Env], object]) -> Edit:
    """An edit: the quality set switched to ``method`` (see :func:`set_quality_method`) where ``when(doc, env)``."""
    def edit(doc: dict, env: Env) -> Result:
        return set_quality_method(doc, env, method) if when(doc, env) else None

    return edit


def add_method_rows(registry: Edits, rows: Iterable[tuple[str, str, str, Callable[[dict, Env], object]]]) -> None:
    """Register rows (code, summary, quality submission method, when) of :func:`switching_method`."""
    for code, summary, method, when in rows:
        registry.add(code, summary, switching_method(method, when))


def put_multi_rate(doc: dict, env: Env, choose: Callable[[list], Any],
                   names_of: Callable[[Any], Sequence[str]]) -> dict | None:
    """Make the first quality measurement a multi-rate measure of the set's pool, or None when there is none.

    ``choose`` picks it among the candidates (those not yet reported, else all); ``names_of(measure)``
    gives the names of the strata to report."""
    ms = measured_quality(doc, env)
    if ms is None:
        return None
    multi = [c for c in quality_pool(env, ms) if c.strata]
    if not multi:
        return None
    present = {m["measureId"] for m in ms["measurements"]}
    choice = choose([c for c in multi if c.measure_id not in present] or multi)
    strata = tuple(Stratum(name, _fake_counts(env)) for name in names_of(choice))
    ms["measurements"][0] = {"measureId": choice.measure_id,
                             "value": value_dict(MultiRateValue(strata, is_end_to_end=is_ehr(ms)))}
    return doc


# ---------------------------------------------------------------- improvement activities

def ia_ids(env: Env, name: str) -> tuple[str, ...] | None:
    """The activities of MVP ``name`` (None for a program that is not an MVP)."""
    return tuple(env.catalog.mvps[name].ia_ids) if name in env.catalog.mvps else None


def add_spare_activity(ms: dict, env: Env, pick: Callable[[list[str]], str], answer: bool) -> None:
    """Add to the IA set an activity of its program it does not report yet (``pick`` chooses), answered
    ``answer``."""
    present = {m["measureId"] for m in ms["measurements"]}
    spare = needed([a for a, _ in pools.ia_pool(env.year, program(ms), ia_ids(env, program(ms))) if a not in present])
    ms["measurements"].append({"measureId": pick(spare), "value": answer})


# ---------------------------------------------------------------- periods and sets

def period_start(ms: dict, days: int) -> str:
    """The start of a period of ``days`` days that ends where the set's ends."""
    end = date.fromisoformat(ms["performanceEnd"])
    return (end - timedelta(days=days - 1)).isoformat()


def lasting(days_of: Callable[[Env], int]) -> Callable[[dict, Env], str]:
    """A value for ``performanceStart``: the start of a period of ``days_of(env)`` days up to the set's end."""
    return lambda ms, env: period_start(ms, days_of(env))


def extra_set(doc: dict, env: Env, category: str, measurements: list, start_days: int) -> dict:
    periods = env.pack.periods
    ms = {"category": category, "submissionMethod": pools.REGISTRY,
          "performanceStart": (periods.end - timedelta(days=start_days)).isoformat(),
          "performanceEnd": periods.end.isoformat(), "measurements": measurements}
    quality = first(doc, QUALITY)
    if quality is not None and "programName" in quality:
        ms["programName"] = quality["programName"]
    doc["measurementSets"].append(ms)
    return ms


def pi_value(env: Env, measure_id: str) -> Any:
    """A passing value of the PI measure: a proportion or a yes."""
    if env.catalog.pi[measure_id].metric_type == "proportion":
        return {"numerator": 10, "denominator": 20}
    return True
