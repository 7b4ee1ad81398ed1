"""Read the per-year facts of the MIPS program from ``years/<year>.toml`` and ``years/shared.toml``.

Layout
------
``<first year>.toml`` holds every field.  Each later year lists only what
*changed* from the year before it; :mod:`qppfiles.program.packs` builds the
packs by applying the changes in order.  A field value is always replaced as a
whole (a table or an array is never merged key by key), so what a year says is
exactly what it gets.  A year's file name is the year; adding a year is adding
its file.

Besides the category tables (``[quality]``, ``[ia]``, ``[pi]``, ``[cost]``,
``[final]``, ``[periods]``, ``[identifiers]``, ``[eligibility]``) a year may carry:

``[sources]``
    ``"section.field" = ["ref", ...]``: where the value comes from.  ``ref`` is
    a key of ``[refs]`` in ``shared.toml``, which maps it to the citation key
    used in the program-rules notes (``W:`` web page, ``MD:`` / ``SD:`` CMS
    repositories, ``seed:`` the project's seed documents).
``[unconfirmed]``
    ``"section.field" = "why"``: best available value, not confirmed by a
    primary source.
``carried_forward_from = <year>``
    the whole year repeats an earlier one because nothing newer is published.

Setting a field in a year drops the sources and the unconfirmed flag that the
field inherited; a year can also flag or cite an inherited value without
changing it; an ``unconfirmed`` note of None clears an inherited flag.

What TOML cannot say
--------------------
- None: a table lists the keys whose value is None in its ``none`` array
  (``none = ["mvp_required_measures"]``; in ``[unconfirmed]`` it clears flags).
- A block several years share: write ``"shared:<name>"`` in place of the
  value, for a table ``[blocks.<name>]`` of ``shared.toml`` (the PI
  requirement rows, the public health exclusion links).  In a table, the key
  ``"<<" = "shared:<name>"`` puts the shared table's entries at that place.
- Tuples: arrays are read as tuples, except the lists the packs read as lists
  (``weights`` and ``app_weights`` rows, the citation lists of ``[sources]``).

Units: percentages are numbers 0-100 (the same unit as ``reportingRate`` and
``performanceRate`` in a submission); points are points; days are days.  A
row of category weights is in the order quality, cost, ia, pi.

The files are read on first use, once per process, from the package's
folder (through ``importlib.resources`` when the package is zipped); a
malformed file raises :class:`YearDataError` naming the file and the key.
``DATA_DIR`` may name another folder of the same layout; then call
:func:`clear_caches` and clear the caches of the packs.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from importlib.abc import Traversable  # importlib.resources.abc from Python 3.11

# A year's entry as the packs read it: nested plain data.
Raw = dict[str, Any]

SECTIONS = ("quality", "ia", "pi", "cost", "final", "periods", "identifiers", "eligibility")
SHARED_FILE = "shared.toml"
_YEAR_KEYS = frozenset(SECTIONS) | {"sources", "unconfirmed", "carried_forward_from"}
_LIST_KEYS = frozenset({"weights", "app_weights"})
_NONE = "none"
_MERGE = "<<"
_SHARED = "shared:"

# None: the folder ``years`` of this package.
DATA_DIR: Traversable | None = None


class YearDataError(ValueError):
    """A year file that cannot be read as year data."""

    def __init__(self, file: str, key: str, problem: str):
        super().__init__(f"{file}: {key}: {problem}" if key else f"{file}: {problem}")
        self.file = file
        self.key = key


def _folder() -> Traversable:
    if DATA_DIR is not None:
        return DATA_DIR
    beside = Path(__file__).with_name("years")
    if beside.is_dir():  # an installed package: the same folder importlib.resources gives, without its import
        return beside
    from importlib.resources import files  # a zipped package

    return files(__package__) / "years"


@cache
def available_years() -> tuple[int, ...]:
    """The years that have a file, in ascending order."""
    return tuple(sorted(int(p.name[:-5]) for p in _folder().iterdir()
                        if p.name.endswith(".toml") and p.name[:-5].isdigit()))


def clear_caches() -> None:
    """Forget what was read, as after pointing ``DATA_DIR`` elsewhere (the packs keep their own caches)."""
    for cached in (available_years, _shared_doc, refs, blocks, year_entry):
        cached.cache_clear()


@cache
def _shared_doc() -> Raw:
    return _read(SHARED_FILE)


@cache
def refs() -> Mapping[str, str]:
    """Citation key of each reference a year's ``sources`` names."""
    table = _shared_doc().get("refs", {})
    for key, value in table.items():
        if not isinstance(value, str):
            raise YearDataError(SHARED_FILE, f"refs.{key}", "a citation is a string")
    return MappingProxyType(dict(table))


@cache
def blocks() -> Mapping[str, Any]:
    """The ``[blocks]`` of ``shared.toml`` that years name as ``"shared:<name>"``."""
    table = _shared_doc().get("blocks", {})
    return MappingProxyType({name: _value(SHARED_FILE, f"blocks.{name}", name, block, {})
                             for name, block in table.items()})


@cache
def year_entry(year: int) -> Raw:
    """What the file of ``year`` says, with its shared blocks, None values and tuples in place."""
    file = f"{year}.toml"
    doc = _read(file)
    for key in doc:
        if key not in _YEAR_KEYS:
            raise YearDataError(file, key, f"unknown key (known: {', '.join(sorted(_YEAR_KEYS))})")
    entry: Raw = {}
    for key, value in doc.items():
        if key in SECTIONS:
            entry[key] = _value(file, key, key, _table(file, key, value), blocks())
            _known_fields(year, file, key, entry[key])
        elif key == "carried_forward_from":
            if isinstance(value, bool) or not isinstance(value, int) or value not in available_years():
                raise YearDataError(file, key, f"{value!r} is not a year with a file")
            entry[key] = value
        elif key == "sources":
            entry[key] = {path: _citations(file, path, cited) for path, cited in _table(file, key, value).items()}
        else:
            notes = _with_nones(file, key, _table(file, key, value))
            for path, note in notes.items():
                if note is not None and not isinstance(note, str):
                    raise YearDataError(file, f"{key}.{path}", "a note is a string")
            entry[key] = notes
    return entry


def _known_fields(year: int, file: str, section: str, fields: Raw) -> None:
    """A later year changes only fields the first year sets, so a misspelt name is not a silent new field."""
    first = available_years()[0]
    if year == first:
        return
    known = year_entry(first).get(section, {})
    for name in fields:
        if name not in known:
            raise YearDataError(file, f"{section}.{name}", f"no such field in [{section}] of {first}.toml")


def _read(file: str) -> Raw:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        text = (_folder() / file).read_text(encoding="utf-8")
    except OSError as exc:
        raise YearDataError(file, "", f"cannot be read ({exc.strerror or exc})") from None
    try:
        doc: Raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise YearDataError(file, "", f"not valid TOML ({exc})") from None
    return doc


def _table(file: str, key: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise YearDataError(file, key, "must be a table")
    return value


def _citations(file: str, path: str, cited: Any) -> list[str]:
    if not isinstance(cited, list) or not cited:
        raise YearDataError(file, f"sources.{path}", "must be a non-empty array of references")
    for ref in cited:
        if ref not in refs():
            raise YearDataError(file, f"sources.{path}", f"unknown reference {ref!r} (not in [refs] of {SHARED_FILE})")
    return list(cited)


def _with_nones(file: str, key: str, table: dict[str, Any]) -> dict[str, Any]:
    """The table with the keys of its ``none`` array set to None."""
    names = table.get(_NONE, [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise YearDataError(file, f"{key}.{_NONE}", "must be an array of key names")
    both = [n for n in names if n in table]
    if both:
        raise YearDataError(file, f"{key}.{both[0]}", f"both given a value and listed in {_NONE!r}")
    out = {k: v for k, v in table.items() if k != _NONE}
    out.update(dict.fromkeys(names))
    return out


def _value(file: str, key: str, name: str, value: Any, blocks: Mapping[str, Any]) -> Any:
    """One value as the packs read it; ``key`` is its dotted place, for errors."""
    if isinstance(value, str) and value.startswith(_SHARED):
        return _shared(file, key, value, blocks)
    if isinstance(value, list):
        items = [_value(file, f"{key}[{i}]", "", item, blocks) for i, item in enumerate(value)]
        return items if name in _LIST_KEYS else tuple(items)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in _with_nones(file, key, value).items():
            if k == _MERGE:
                merged = _shared(file, f"{key}.{k}", v, blocks)
                if not isinstance(merged, dict):
                    raise YearDataError(file, f"{key}.{k}", "names a block that is not a table")
                out.update(merged)
            else:
                out[k] = _value(file, f"{key}.{k}", k, v, blocks)
        return out
    return value


def _shared(file: str, key: str, ref: Any, blocks: Mapping[str, Any]) -> Any:
    name = ref[len(_SHARED):] if isinstance(ref, str) and ref.startswith(_SHARED) else None
    if name is None or name not in blocks:
        raise YearDataError(file, key, f"{ref!r} names no [blocks.<name>] of {SHARED_FILE}")
    return _copy(blocks[name])


def _copy(value: Any) -> Any:
    # Each use gets its own dicts, as a year's changes must not reach another year's block.
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
