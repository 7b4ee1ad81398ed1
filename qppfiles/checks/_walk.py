"""Shared helpers of the rules: walking the model, reading counts, naming things in messages."""

from __future__ import annotations

import re
from datetime import date
from typing import List, Optional, Tuple

from ..model import Measurement, MeasurementSet, MultiRateValue, SingleRateValue

PI_CATEGORIES = ("pi", "aci")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_pi(category: Optional[str]) -> bool:
    return category in PI_CATEGORIES


def measurements(ctx, category: Optional[str] = None) -> List[Tuple[MeasurementSet, Measurement]]:
    """Every (set, measurement) of the submission, optionally of one category (``pi`` covers ``aci``)."""
    key = ("measurements", category)
    found = ctx.cache.get(key)
    if found is None:
        found = ctx.cache[key] = [
            (ms, m) for ms in ctx.submission.measurement_sets
            if category is None or ms.category == category or (category == "pi" and is_pi(ms.category))
            for m in ms.measurements
        ]
    return found


def field_ref(ctx, ref: str, *fields: str) -> str:
    """The reference of a field below a node: a longer JSON pointer, or the node's own XPath."""
    if ctx.xpath_refs or not fields:
        return ref
    return "/".join((ref, *fields))


def count_groups(ctx, m: Measurement):
    """(label, Counts, ref) of a performance-rate measurement: its own counts, or each stratum's."""
    key = ("count_groups", id(m))
    groups = ctx.cache.get(key)
    if groups is None:
        value = m.value
        if isinstance(value, SingleRateValue):
            groups = [("", value.counts, field_ref(ctx, m.ref, "value"))]
        elif isinstance(value, MultiRateValue):
            groups = [(f"stratum '{s.name}': ", s.counts, s.ref or m.ref) for s in value.strata]
        else:
            groups = []
        ctx.cache[key] = groups
    return groups


def is_count(x) -> bool:
    # type(), not isinstance(): a bool is an int to isinstance, and this runs for every count.
    t = type(x)
    return t is int or t is float


_MISSING = object()


def catalog_entry(ctx, ms: MeasurementSet, measure_id: Optional[str]):
    """The catalog record of a measurement in its set's category, or None."""
    if measure_id is None:
        return None
    cache = ctx.cache
    key = (ms.category, measure_id)
    try:
        found = cache.get(key, _MISSING)
    except TypeError:  # an unhashable id the schema layer reports
        return None
    if found is not _MISSING:
        return found
    cat = ctx.catalog
    if cat is None:
        entry = None
    elif ms.category == "quality":
        entry = cat.quality.get(measure_id)
    elif ms.category == "ia":
        entry = cat.ia.get(measure_id)
    elif is_pi(ms.category):
        entry = cat.pi.get(measure_id)
    else:
        entry = None
    cache[key] = entry
    return entry


def pct(x: float) -> str:
    """A percentage for messages: 71.4%, 75%."""
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def parse_day(text) -> Optional[date]:
    """A YYYY-MM-DD string as a date; None when it is not a real calendar day."""
    if not isinstance(text, str) or not _DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def period_days(ms: MeasurementSet) -> Optional[int]:
    """Days in a set's performance period, both ends included; None when a date is unusable."""
    start, end = parse_day(ms.performance_start), parse_day(ms.performance_end)
    if start is None or end is None or end < start:
        return None
    return (end - start).days + 1


def num(x) -> str:
    """A count or points for messages: 12, 7.5, 3.25."""
    return f"{x:.2f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)


def plural(n, word: str, many: Optional[str] = None) -> str:
    return f"{num(n)} {word if n == 1 else (many or word + 's')}"
