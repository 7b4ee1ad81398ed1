"""The few catalog facts QRDA III needs: eCQM GUIDs and their population UUIDs."""

from __future__ import annotations

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
