"""Shared helpers of the rules: walking the model, reading counts, naming things in messages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from ..model.measure_math import is_count  # noqa: F401  (the rules import it from here)
from ..model.submission import Measurement
from ..model.submission import MeasurementSet
from ..model.submission import MultiRateValue
from ..model.submission import SingleRateValue
from .cache import CountGroup
from .cache import Entry
from .cache import KnownEntry
from .cache import RateEntry

if TYPE_CHECKING:
    from . import Context

PI_CATEGORIES = ("pi", "aci")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def is_pi(category: str | None) -> bool:
    return category in PI_CATEGORIES


def measurements(ctx: Context, category: str | None = None) -> Sequence[Entry]:
    """(set, measurement, catalog record or None) of the submission, optionally of one category
    (``pi`` covers ``aci``).  Built once per file: every rule walks these lists."""
    by_category = ctx.cache.measurements
    if by_category is None:
        by_category = ctx.cache.measurements = _index(ctx)
    return by_category.get(category, ())


def catalogued(ctx: Context, category: str | None = None) -> list[KnownEntry]:
    """The entries of :func:`measurements` whose measure is in the year's catalog (the others are M101's)."""
    return [(ms, m, entry) for ms, m, entry in measurements(ctx, category) if entry is not None]


def _index(ctx: Context) -> dict[str | None, list[Entry]]:
    cat = ctx.catalog
    tables = {} if cat is None else {"quality": cat.quality, "ia": cat.ia, "pi": cat.pi, "aci": cat.pi}
    every: list[Entry] = []
    by_category: dict[str | None, list[Entry]] = {None: every, "quality": [], "ia": [], "pi": []}
    for ms in ctx.submission.measurement_sets:
        category = ms.category
        table = tables.get(category) if type(category) is str else None
        parsed = table.parsed() if table is not None else None
        group = by_category.get("pi" if category in PI_CATEGORIES else category) if category is not None else None
        for m in ms.measurements:
            mid = m.measure_id
            entry = None
            if table is not None and parsed is not None and type(mid) is str:
                entry = parsed.get(mid)
                if entry is None:
                    entry = table.get(mid)
            item = (ms, m, entry)
            every.append(item)
            if group is not None:
                group.append(item)
    return by_category


def field_ref(ctx: Context, ref: str, *fields: str) -> str:
    """The reference of a field below a node: a longer JSON pointer, or the node's own XPath."""
    if ctx.xpath_refs or not fields:
        return ref
    return "/".join((ref, *fields))


def count_groups(ctx: Context, m: Measurement) -> list[CountGroup]:
    """(label, Counts, ref) of a performance-rate measurement: its own counts, or each stratum's."""
    value = m.value
    if type(value) is SingleRateValue:
        return [("", value.counts, field_ref(ctx, m.ref, "value"))]
    if type(value) is MultiRateValue:
        return [(f"stratum '{s.name}': ", s.counts, s.ref or m.ref) for s in value.strata]
    return []


def rate_measurements(ctx: Context) -> list[RateEntry]:
    """(set, measurement, catalog record, count groups) of every quality measurement with counts."""
    found = ctx.cache.rate_measurements
    if found is None:
        found = ctx.cache.rate_measurements = [
            (ms, m, entry, groups) for ms, m, entry in measurements(ctx, "quality")
            for groups in (count_groups(ctx, m),) if groups
        ]
    return found


def catalog_entry(ctx, ms: MeasurementSet, measure_id: str | None):
    """The catalog record of a measurement in its set's category, or None."""
    if type(measure_id) is not str:
        return None
    cat = ctx.catalog
    if cat is None:
        return None
    category = ms.category
    if category == "quality":
        return cat.quality.get(measure_id)
    if category == "ia":
        return cat.ia.get(measure_id)
    if category in PI_CATEGORIES:
        return cat.pi.get(measure_id)
    return None


def pct(x: float) -> str:
    """A percentage for messages: 71.4%, 75%."""
    text = f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


_DAYS: dict = {}  # the same few dates fill every file of a year


def parse_day(text) -> date | None:
    """A YYYY-MM-DD string as a date; None when it is not a real calendar day."""
    if type(text) is not str:
        return None
    day = _DAYS.get(text, _DAYS)
    if day is not _DAYS:
        return day
    day = None
    if _DAY.fullmatch(text):
        try:
            day = date.fromisoformat(text)
        except ValueError:
            pass
    if len(_DAYS) < 10_000:
        _DAYS[text] = day
    return day


def set_periods(ctx: Context) -> list[tuple[MeasurementSet, date | None, date | None]]:
    """(set, start day, end day) of every measurement set; a day is None when it is not a real date."""
    found = ctx.cache.set_periods
    if found is None:
        found = ctx.cache.set_periods = [
            (ms, parse_day(ms.performance_start), parse_day(ms.performance_end))
            for ms in ctx.submission.measurement_sets
        ]
    return found


def num(x) -> str:
    """A count or points for messages: 12, 7.5, 3.25."""
    return f"{x:.2f}".rstrip("0").rstrip(".") if isinstance(x, float) else str(x)


def plural(n, word: str, many: str | None = None) -> str:
    return f"{num(n)} {word if n == 1 else (many or word + 's')}"
