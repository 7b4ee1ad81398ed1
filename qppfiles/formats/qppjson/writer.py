"""The model :class:`~qppfiles.model.submission.Submission` as canonical QPP JSON."""

from __future__ import annotations

import json
from typing import Any

from ...model.submission import BooleanValue
from ...model.submission import Counts
from ...model.submission import MeasurementSet
from ...model.submission import MultiRateValue
from ...model.submission import NonProportionValue
from ...model.submission import ProportionValue
from ...model.submission import SingleRateValue
from ...model.submission import Submission
from ...model.submission import Value
from .fields import COUNTS_WRITTEN
from .fields import SET_TEXT
from .fields import SUBMISSION_TEXT
from .fields import Fields


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is not None:
        out[key] = value


def _put_fields(out: dict[str, Any], obj: object, fields: Fields) -> dict[str, Any]:
    for key, attribute in fields:
        _put(out, key, getattr(obj, attribute))
    return out


def _counts_dict(c: Counts) -> dict[str, Any]:
    return _put_fields({}, c, COUNTS_WRITTEN)


def _value_json(v: Value) -> Any:
    if isinstance(v, BooleanValue):
        return v.value
    if isinstance(v, ProportionValue):
        return {"numerator": v.numerator, "denominator": v.denominator}
    out: dict[str, Any] = {}
    if isinstance(v, NonProportionValue):
        out = {"isEndToEndReported": v.is_end_to_end, "numerator": v.numerator, "denominator": v.denominator}
        _put(out, "numeratorExclusion", v.numerator_exclusion)
        _put(out, "denominatorException", v.denominator_exception)
        _put(out, "observationInstances", v.observation_instances)
        return {k: x for k, x in out.items() if x is not None}
    if isinstance(v, SingleRateValue):
        _put(out, "isEndToEndReported", v.is_end_to_end)
        out.update(_counts_dict(v.counts))
        _put(out, "performanceRate", v.performance_rate)
        return out
    if isinstance(v, MultiRateValue):
        _put(out, "isEndToEndReported", v.is_end_to_end)
        _put(out, "performanceRate", v.performance_rate)
        out["strata"] = [dict({"stratum": s.name}, **_counts_dict(s.counts)) for s in v.strata]
        return out
    return None


def set_to_dict(ms: MeasurementSet) -> dict[str, Any]:
    out = _put_fields({"category": ms.category}, ms, SET_TEXT)
    out["measurements"] = [{"measureId": m.measure_id, "value": _value_json(m.value)} for m in ms.measurements]
    return out


def to_dict(sub: Submission) -> dict[str, Any]:
    if sub.set_only and len(sub.measurement_sets) == 1:
        return set_to_dict(sub.measurement_sets[0])
    out = _put_fields({}, sub, SUBMISSION_TEXT)
    _put(out, "performanceYear", sub.performance_year)
    out["measurementSets"] = [set_to_dict(ms) for ms in sub.measurement_sets]
    return out


def write(sub: Submission) -> bytes:
    """Canonical QPP JSON: fixed key order, two-space indent, UTF-8, trailing newline."""
    return (json.dumps(to_dict(sub), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
