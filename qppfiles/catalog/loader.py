"""Load the measures catalog of a performance year from ``data/<year>.json``.

A year's file holds about a thousand records, of which a submission touches a
dozen. Loading therefore only indexes each record's line by its id; a record
is parsed the first time it is asked for, and kept.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any
from typing import Generic
from typing import TypeVar

from .records import Activity
from .records import AnyMeasure
from .records import Benchmark
from .records import CostMeasure
from .records import Mvp
from .records import PIMeasure
from .records import QualityMeasure
from .records import Stratum

DATA_DIR = Path(__file__).resolve().parent / "data"
SECTIONS = ("quality", "ia", "pi", "cost", "benchmarks", "mvps", "benchmark_exclusions")

T = TypeVar("T")


class UnknownYear(KeyError):
    """No catalog file exists for the requested performance year."""

    def __init__(self, year: object, available: tuple[int, ...]):
        self.year = year
        self.available = available
        super().__init__(year)

    def __str__(self) -> str:
        span = f"{self.available[0]}-{self.available[-1]}" if self.available else "none"
        return f"no measures catalog for performance year {self.year!r} (available: {span})"


@cache
def available_years() -> tuple[int, ...]:
    """Performance years that have a catalog file, in ascending order."""
    if not DATA_DIR.is_dir():
        return ()
    return tuple(sorted(int(p.stem) for p in DATA_DIR.glob("*.json") if p.stem.isdigit()))


def load_catalog(year: int) -> Catalog:
    """The catalog of ``year``; read on first use and cached for the process."""
    if isinstance(year, bool) or not isinstance(year, int):
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise UnknownYear(year, available_years()) from None
    if year not in available_years():
        raise UnknownYear(year, available_years())
    return _load(year)


@cache
def _load(year: int) -> Catalog:
    return Catalog((DATA_DIR / f"{year}.json").read_text(encoding="utf-8"))


class LazyRecords(Mapping, Generic[T]):
    """Read-only mapping id -> record that parses each record on first access."""

    __slots__ = ("_lines", "_made", "_make")

    def __init__(self, lines: dict[str, str], make: Callable[[str, Any], T]):
        self._lines = lines
        self._made: dict[str, T] = {}
        self._make = make

    def __getitem__(self, key: str) -> T:
        try:
            return self._made[key]
        except KeyError:
            pass
        line = self._lines[key]  # '"id":{...},' - the record starts after the id
        record = self._make(key, json.loads(line[len(key) + 3 : -1 if line.endswith(",") else None]))
        self._made[key] = record
        return record

    def get(self, key, default=None):
        # Mapping.get goes through __getitem__ and an exception per miss; rules call this per measure.
        made = self._made.get(key)
        if made is not None:
            return made
        return self[key] if key in self._lines else default

    def __contains__(self, key: object) -> bool:
        return key in self._lines

    def parsed(self) -> dict[str, T]:
        """The records parsed so far, as a plain dict: its ``get`` is the cheapest lookup of a hot loop,
        falling back on :meth:`get` for a record not parsed yet."""
        return self._made

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def __repr__(self) -> str:
        return f"<LazyRecords of {len(self)}>"

    def raw_lines(self) -> dict[str, str]:
        return self._lines


def _sections(text: str) -> dict[str, dict[str, str]]:
    """Map each section name to {record id: line holding the record}.

    Relies on the layout written by ``build.render``: sections come in the
    order of ``SECTIONS``, each opens with ``"name":{`` on its own line, has
    one ``"id":{...},`` line per record and closes with a line starting ``}``.
    """
    sections = {}
    position = 0
    for name in SECTIONS:
        opening = f'\n"{name}":{{\n'
        start = text.find(opening, position)
        if start < 0:
            raise ValueError(f"catalog file has no {name!r} section")
        start += len(opening)
        position = text.find("\n}", start - 1)
        body = text[start:position]
        sections[name] = {line[1 : line.index('"', 1)]: line for line in body.split("\n")} if body else {}
    return sections


def _header(text: str) -> dict:
    end = text.index('\n"quality":{')
    return json.loads(text[:end].rstrip(",") + "}")


def _tuples(record: dict) -> dict:
    """JSON lists become tuples so that records stay immutable."""
    return {k: tuple(v) if type(v) is list else v for k, v in record.items()}


def _quality(measure_id: str, record: dict) -> QualityMeasure:
    fields = _tuples(record)
    strata = record.get("strata")
    if strata:
        fields["strata"] = tuple(Stratum(**_tuples(s)) for s in strata)
        # A single-rate eCQM carries its population UUIDs on its only stratum.
        if len(strata) == 1:
            fields["population_uuids"] = strata[0].get("population_uuids")
    return QualityMeasure(measure_id=measure_id, **fields)


def _benchmarks(measure_id: str, records: list) -> tuple[Benchmark, ...]:
    made = []
    for record in records:
        fields = _tuples(record)
        percentiles = record.get("percentiles")
        if percentiles is not None:
            fields["percentiles"] = dict(sorted((int(k), v) for k, v in percentiles.items()))
        made.append(Benchmark(measure_id=measure_id, **fields))
    return tuple(made)


def _exclusion_records(measure_id: str, records: list) -> tuple:
    return tuple(records)


def _simple(cls, id_field: str = "measure_id"):
    def make(key: str, record: dict):
        return cls(**{id_field: key}, **_tuples(record))

    return make


class Catalog:
    """Measures, activities, benchmarks and MVPs of one performance year.

    ``quality``, ``ia``, ``pi``, ``cost`` and ``mvps`` are read-only mappings
    keyed by id (``LazyRecords``; use them as dicts).
    """

    __slots__ = ("year", "source_commit", "pi_category", "quality", "ia", "pi", "cost", "mvps", "_benchmarks",
                 "_exclusions", "_by_uuid")

    def __init__(self, text: str):
        header = _header(text)
        sections = _sections(text)
        self.year: int = header["year"]
        self.source_commit: str | None = header.get("source_commit")
        self.pi_category: str = header["pi_category"]
        self.quality: LazyRecords[QualityMeasure] = LazyRecords(sections["quality"], _quality)
        self.ia: LazyRecords[Activity] = LazyRecords(sections["ia"], _simple(Activity))
        self.pi: LazyRecords[PIMeasure] = LazyRecords(sections["pi"], _simple(PIMeasure))
        self.cost: LazyRecords[CostMeasure] = LazyRecords(sections["cost"], _simple(CostMeasure))
        self.mvps: LazyRecords[Mvp] = LazyRecords(sections["mvps"], _simple(Mvp, "mvp_id"))
        self._benchmarks: LazyRecords[tuple[Benchmark, ...]] = LazyRecords(
            sections["benchmarks"], _benchmarks
        )
        self._exclusions: LazyRecords[tuple] = LazyRecords(sections["benchmark_exclusions"], _exclusion_records)
        self._by_uuid: dict[str, str] | None = None

    def __repr__(self) -> str:
        return (
            f"<Catalog {self.year}: {len(self.quality)} quality, {len(self.ia)} ia, "
            f"{len(self.pi)} {self.pi_category}, {len(self.cost)} cost, {len(self.mvps)} mvps>"
        )

    def measure(self, measure_id: str) -> AnyMeasure | None:
        """The measure or activity with this id, whatever its category."""
        for table in (self.quality, self.ia, self.pi, self.cost):
            if measure_id in table:
                return table[measure_id]
        return None

    def benchmark(self, measure_id: str, submission_method: str) -> Benchmark | None:
        for benchmark in self._benchmarks.get(measure_id, ()):
            if benchmark.submission_method == submission_method:
                return benchmark
        return None

    def benchmark_exclusion(self, measure_id: str, submission_method: str) -> tuple[str, ...]:
        """Reason codes of CMS for setting no benchmark (``BR-022``: the measure was suppressed); () if none."""
        for record in self._exclusions.get(measure_id, ()):
            if record["submission_method"] == submission_method:
                return tuple(record["reason_codes"])
        return ()

    def benchmarks_for(self, measure_id: str) -> list[Benchmark]:
        return list(self._benchmarks.get(measure_id, ()))

    def quality_by_emeasure_uuid(self, uuid: str) -> QualityMeasure | None:
        """The eCQM with this version-specific UUID (any letter case)."""
        if self._by_uuid is None:
            # Only eCQM lines carry the key: parse those few, not the whole section.
            self._by_uuid = {
                found.lower(): key
                for key, line in self.quality.raw_lines().items()
                if '"emeasure_uuid":' in line
                for found in (self.quality[key].emeasure_uuid,)
                if found is not None
            }
        key = self._by_uuid.get(uuid.strip().lower())
        return None if key is None else self.quality[key]
