"""QPP JSON (Submissions API format) to the model :class:`~qppfiles.model.submission.Submission`.

The text is parsed once (:mod:`.parse`); lines and columns are found only when a finding has to be
located (:mod:`.locate`).
"""

from __future__ import annotations

from typing import Any

from ...model.digits import is_ascii_digits
from ...model.findings import Finding
from ...model.findings import Location
from ...model.submission import BooleanValue
from ...model.submission import Count
from ...model.submission import Counts
from ...model.submission import Measurement
from ...model.submission import MeasurementSet
from ...model.submission import MultiRateValue
from ...model.submission import NonProportionValue
from ...model.submission import ProportionValue
from ...model.submission import SingleRateValue
from ...model.submission import Stratum
from ...model.submission import Submission
from ...model.submission import UnknownValue
from ...model.submission import Value
from .. import QPP_JSON
from .. import ReadResult
from .fields import SET_TEXT
from .fields import SUBMISSION_TEXT
from .fields import Fields
from .parse import parse
from .shape import is_set_only
from .shape import set_nodes
from .shape import unwrap


# type() rather than isinstance(): json gives exact types, a bool must not pass as a number, and
# these run for every field of every measurement.
def _str(v: Any) -> str | None:
    return v if type(v) is str else None


def _num(v: Any) -> Count:
    t = type(v)
    return v if t is int or t is float else None


def _bool(v: Any) -> bool | None:
    return v if type(v) is bool else None


def _text_fields(d: dict[str, Any], fields: Fields) -> dict[str, Any]:
    return {attribute: _str(d.get(key)) for key, attribute in fields}


def _counts(d: dict[str, Any]) -> Counts:
    get = d.get
    return Counts(
        _num(get("performanceMet")),
        _num(get("performanceNotMet")),
        _num(get("eligiblePopulation")),
        _num(get("eligiblePopulationExclusion")),
        _num(get("eligiblePopulationException")),
        _num(get("numeratorExclusion")),
    )


def _value(v: Any, pointer: str) -> Value:
    if isinstance(v, bool):
        return BooleanValue(v)
    if not isinstance(v, dict):
        return UnknownValue()
    if "strata" in v:
        strata = v["strata"] if isinstance(v["strata"], list) else []
        return MultiRateValue(
            strata=tuple(
                Stratum(_str(s.get("stratum")), _counts(s), f"{pointer}/strata/{i}")
                for i, s in enumerate(strata) if isinstance(s, dict)
            ),
            performance_rate=_num(v.get("performanceRate")),
            is_end_to_end=_bool(v.get("isEndToEndReported")),
        )
    if "performanceMet" in v or "eligiblePopulation" in v:
        return SingleRateValue(_counts(v), _num(v.get("performanceRate")), _bool(v.get("isEndToEndReported")))
    if "observationInstances" in v:
        return NonProportionValue(
            _num(v.get("numerator")), _num(v.get("denominator")), _num(v.get("observationInstances")),
            _num(v.get("numeratorExclusion")), _num(v.get("denominatorException")),
            _bool(v.get("isEndToEndReported")))
    if "numerator" in v or "denominator" in v:
        return ProportionValue(_num(v.get("numerator")), _num(v.get("denominator")))
    return UnknownValue()


def _measurement(m: Any, pointer: str) -> Measurement:
    if not isinstance(m, dict):
        return Measurement(None, UnknownValue(), pointer)
    return Measurement(_str(m.get("measureId")), _value(m.get("value"), f"{pointer}/value"), pointer)


def _measurement_set(s: Any, pointer: str) -> MeasurementSet:
    if not isinstance(s, dict):
        return MeasurementSet(None, ref=pointer)
    ms = s.get("measurements")
    measurements = tuple(
        _measurement(m, f"{pointer}/measurements/{i}") for i, m in enumerate(ms)
    ) if isinstance(ms, list) else ()
    return MeasurementSet(category=_str(s.get("category")), measurements=measurements, ref=pointer,
                          **_text_fields(s, SET_TEXT))


def _year(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def to_model(doc: Any) -> Submission | None:
    """The submission of a parsed document (bare, in the API envelope, or one measurement set)."""
    obj, base = unwrap(doc)
    if not isinstance(obj, dict):
        return None
    if is_set_only(obj):
        ms = _measurement_set(obj, base)
        year = _year(obj.get("performanceYear"))
        if year is None and ms.performance_start and is_ascii_digits(ms.performance_start[:4]):
            year = int(ms.performance_start[:4])
        return Submission(year, measurement_sets=(ms,), ref=base, set_only=True)
    return Submission(
        performance_year=_year(obj.get("performanceYear")),
        measurement_sets=tuple(_measurement_set(s, pointer) for pointer, s in set_nodes(obj, base)),
        ref=base,
        **_text_fields(obj, SUBMISSION_TEXT),
    )


def read(data: bytes, path: str | None = None) -> ReadResult:
    """Parse, model and a locator of the file's pointers (``path`` is not read: the bytes are given)."""
    parsed = parse(data)
    findings: list[Finding] = parsed.findings
    submission = None
    if parsed.document is not None:
        obj, _ = unwrap(parsed.document)
        if not isinstance(obj, dict):
            kind = "an array" if isinstance(obj, list) else f"a {type(obj).__name__}"
            message = f"the top level is {kind}; a QPP submission is a JSON object"
            findings.append(Finding.of("F009", message, Location(pointer="")))
        else:
            submission = to_model(parsed.document)
    locator = parsed.locator()
    if locator is None:
        return ReadResult(QPP_JSON, submission, findings, document=parsed.document)
    return ReadResult(QPP_JSON, submission, findings, locator.locate, parsed.document, locator.locate_all)
