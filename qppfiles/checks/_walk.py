"""Shared helpers of the rules: walking the model, reading counts, naming things in messages."""

from __future__ import annotations

from typing import Iterator, Optional, Tuple

from ..model import Measurement, MeasurementSet, MultiRateValue, SingleRateValue

PI_CATEGORIES = ("pi", "aci")


def is_pi(category: Optional[str]) -> bool:
    return category in PI_CATEGORIES


def measurements(ctx, category: Optional[str] = None) -> Iterator[Tuple[MeasurementSet, Measurement]]:
    """Every (set, measurement) of the submission, optionally of one category (``pi`` covers ``aci``)."""
    for ms in ctx.submission.measurement_sets:
        if category is not None and not (ms.category == category or (category == "pi" and is_pi(ms.category))):
            continue
        for m in ms.measurements:
            yield ms, m


def field_ref(ctx, ref: str, *fields: str) -> str:
    """The reference of a field below a node: a longer JSON pointer, or the node's own XPath."""
    if ctx.xpath_refs or not fields:
        return ref
    return ref + "".join(f"/{f}" for f in fields)


def count_groups(ctx, m: Measurement):
    """(label, Counts, ref) of a performance-rate measurement: its own counts, or each stratum's."""
    value = m.value
    if isinstance(value, SingleRateValue):
        return [("", value.counts, field_ref(ctx, m.ref, "value"))]
    if isinstance(value, MultiRateValue):
        return [(f"stratum '{s.name}': ", s.counts, s.ref or m.ref) for s in value.strata]
    return []


def is_count(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def catalog_entry(ctx, ms: MeasurementSet, measure_id: Optional[str]):
    """The catalog record of a measurement in its set's category, or None."""
    if measure_id is None or ctx.catalog is None:
        return None
    cat = ctx.catalog
    if ms.category == "quality":
        return cat.quality.get(measure_id)
    if ms.category == "ia":
        return cat.ia.get(measure_id)
    if is_pi(ms.category):
        return cat.pi.get(measure_id)
    return None


def pct(x: float) -> str:
    """A percentage for messages: 71.4%, 75%."""
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"
