"""Which exclusion measures exclude which PI measure, for one year.

The measures data links most exclusions to their measure (``exclusion``); for
some years it leaves them unlinked, and the year pack names those
(``pi.exclusion_links``).  Checks and scoring both read these maps.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

_MAPS: dict = {}


def _maps(pi_rules, pi_table):
    key = (id(pi_rules), id(pi_table))
    held = _MAPS.get(key)
    if held is not None and held[0] is pi_rules and held[1] is pi_table:
        return held[2], held[3]
    by_measure: dict = {}
    for measure_id, record in pi_table.items():
        if record.exclusion:
            by_measure[measure_id] = tuple(record.exclusion)
    for measure_id, extra in pi_rules.exclusion_links.items():
        by_measure[measure_id] = tuple(dict.fromkeys(by_measure.get(measure_id, ()) + tuple(extra)))
    by_exclusion: dict = {}
    for measure_id, exclusions in by_measure.items():
        for exclusion in exclusions:
            by_exclusion.setdefault(exclusion, []).append(measure_id)
    result = (MappingProxyType(by_measure), MappingProxyType({k: tuple(v) for k, v in by_exclusion.items()}))
    _MAPS[key] = (pi_rules, pi_table, *result)
    return result


def exclusions_by_measure(pi_rules, pi_table) -> Mapping[str, tuple]:
    """{PI measure id: the ids of its exclusions}."""
    return _maps(pi_rules, pi_table)[0]


def measures_by_exclusion(pi_rules, pi_table) -> Mapping[str, tuple]:
    """{exclusion id: the PI measures it excludes}."""
    return _maps(pi_rules, pi_table)[1]
