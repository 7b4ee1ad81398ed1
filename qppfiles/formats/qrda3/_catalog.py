"""The few catalog facts QRDA III needs: eCQM GUIDs and their population UUIDs."""

from __future__ import annotations

from dataclasses import dataclass

# Population names as the catalog may spell them -> the QRDA III population code.
_POPULATION_NAMES = {
    "initialpopulation": "IPOP",
    "ipp": "IPOP",
    "ipop": "IPOP",
    "denominator": "DENOM",
    "denom": "DENOM",
    "numerator": "NUMER",
    "numer": "NUMER",
    "denominatorexclusion": "DENEX",
    "denex": "DENEX",
    "denominatorexception": "DENEXCEP",
    "denexcep": "DENEXCEP",
    "numeratorexclusion": "NUMEX",
    "numex": "NUMEX",
}


def load(year: int | None):
    """The catalog of ``year``, or None when there is none (or no catalog package)."""
    if year is None:
        return None
    try:
        from ...catalog import load_catalog
    except ImportError:
        return None
    try:
        return load_catalog(year)
    except (KeyError, FileNotFoundError, ValueError):
        return None


def population_code(name: str) -> str | None:
    key = name.replace("_", "").replace("-", "").lower()
    if key.endswith("uuid"):
        key = key[:-4]
    return _POPULATION_NAMES.get(key)


def _normalise(uuids) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, uuid in (uuids or {}).items():
        code = population_code(str(name))
        if code and isinstance(uuid, str) and uuid:
            out[code] = uuid.upper()
    return out


PopulationGroup = tuple[str | None, dict[str, str]]


def population_groups(measure) -> list[PopulationGroup]:
    """(stratum name, {population code: UUID}) for each sub-population of an eCQM.

    A stratum without UUIDs keeps an empty dict: CMS reports it with zero counts.
    """
    strata = tuple(getattr(measure, "strata", None) or ())
    groups = [(s.name, _normalise(s.population_uuids)) for s in strata]
    if any(uuids for _, uuids in groups):
        return groups
    single = _normalise(getattr(measure, "population_uuids", None))
    return [(None, single)] if single else []


def is_multi_rate(measure) -> bool:
    return "multi" in (getattr(measure, "metric_type", None) or "").lower()


def describe(measure) -> str:
    """'001 (CMS122v12)' — how messages name an eCQM."""
    emeasure = getattr(measure, "emeasure_id", None)
    return f"{measure.measure_id} ({emeasure})" if emeasure else str(measure.measure_id)


@dataclass(frozen=True)
class Definition:
    """What reading an eCQM's counts takes from its catalog record."""

    name: str  # as messages name it
    groups: list[PopulationGroup]
    by_uuid: dict[str, int]  # population UUID -> index of its group (the first that has it)
    defined: frozenset[str]  # the population codes the definition has
    numerators: frozenset[str]  # the UUIDs of its NUMER populations
    multi_rate: bool


_DEFINITIONS: dict[int, tuple[object, Definition]] = {}
_MAX_DEFINITIONS = 1024  # a few years' eCQMs; callers' own catalogs only add records


def definition(measure) -> Definition:
    """The :class:`Definition` of a catalog record, made once per record (records are not changed)."""
    known = _DEFINITIONS.get(id(measure))
    if known is not None and known[0] is measure:
        return known[1]
    groups = population_groups(measure)
    by_uuid: dict[str, int] = {}
    for index, (_, uuids) in enumerate(groups):
        for uuid in uuids.values():
            by_uuid.setdefault(uuid, index)
    made = Definition(
        name=describe(measure),
        groups=groups,
        by_uuid=by_uuid,
        defined=frozenset(code for _, uuids in groups for code in uuids),
        numerators=frozenset(uuids["NUMER"] for _, uuids in groups if "NUMER" in uuids),
        multi_rate=is_multi_rate(measure),
    )
    if len(_DEFINITIONS) >= _MAX_DEFINITIONS:
        _DEFINITIONS.clear()
    _DEFINITIONS[id(measure)] = (measure, made)  # the record is kept, so its id is not reused
    return made
