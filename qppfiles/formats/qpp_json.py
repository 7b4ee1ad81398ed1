"""QPP JSON (Submissions API format): reader and canonical writer.

The reader accepts the bare submission object, the API envelope
``{"data": {"submission": ...}}`` and a document holding one measurement set.
Parsing uses orjson when it is installed and the text is plain (see
``_plain_doc``), the standard ``json`` module otherwise; the position map that
gives line and column is built only when a finding has to be located.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from ..model.digits import is_ascii_digits
from ..model.findings import ERROR, WARNING, Finding, Location
from ..model.submission import (
    BooleanValue,
    Counts,
    Measurement,
    MeasurementSet,
    MultiRateValue,
    NonProportionValue,
    ProportionValue,
    SingleRateValue,
    Stratum,
    Submission,
    UnknownValue,
)
from . import QPP_JSON, ReadResult
from .json_positions import Locator, PositionMap, build as build_positions, escape_token

try:
    import orjson as _orjson
except ImportError:  # optional: the json module reads every file the same, only slower
    _orjson = None

MAX_DEPTH = 64
# Between these numbers of pointers to place, one pass over the text places them all (json_locate);
# above (only with no findings limit) the full position map is as cheap, being built once for every node.
BATCH_LOCATE = 32
BATCH_LOCATE_MAX = 50_000


class _NonFinite(ValueError):
    pass


def _reject_constant(name: str):
    raise _NonFinite(name)


def _parse_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NonFinite(text)
    return value


def _parse_int(text: str) -> int:
    # An integer beyond a double's range breaks every later rate computation (and
    # past 4,300 digits int() itself refuses it): treat it like Infinity.
    if len(text) > 308 and float(text) in (float("inf"), float("-inf")):
        raise _NonFinite(text)
    return int(text)


class _Duplicates:
    """object_pairs_hook that notices duplicate keys without slowing the common case."""

    __slots__ = ("found",)

    def __init__(self):
        self.found = False

    def __call__(self, pairs):
        d = dict(pairs)
        if len(d) != len(pairs):
            self.found = True
        return d


def _file_finding(code: str, message: str, pointer: str | None = "", severity: str = ERROR,
                  line: int | None = None, column: int | None = None) -> Finding:
    return Finding.of(code, message, Location(pointer=pointer, line=line, column=column))


def decode(data: bytes, findings: list) -> str | None:
    """Bytes to text: UTF-8 (with or without BOM); UTF-16 accepted with a warning.

    UTF-16 is recognised by its byte-order mark or, without one, by the NUL byte beside each of
    the first characters: a JSON document starts with ASCII, which UTF-16 stores as a byte and a NUL.
    A file holding only a byte-order mark and white space is empty.
    """
    head = data[:8] if len(data) >= 2 else b""
    units = [head[i:i + 2] for i in range(0, len(head) - 1, 2)]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, described = "utf-16", "UTF-16"
    elif units and all(u[1] == 0 and 0 < u[0] < 0x80 for u in units):
        encoding, described = "utf-16-le", "UTF-16 (little-endian, without a byte-order mark)"
    elif units and all(u[0] == 0 and 0 < u[1] < 0x80 for u in units):
        encoding, described = "utf-16-be", "UTF-16 (big-endian, without a byte-order mark)"
    else:
        encoding = None
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            findings.append(_file_finding(
                "F002", "the file starts like UTF-16 (a byte-order mark or NUL bytes beside ASCII characters) but "
                        "is not valid UTF-16"))
            return None
        if not text.strip(" \t\r\n"):
            findings.append(_file_finding("F001", "the file is empty: it holds only a byte-order mark or white space"))
            return None
        findings.append(_file_finding(
            "F003", f"the file is encoded in {described}; CMS expects UTF-8, re-save it as UTF-8", severity=WARNING))
        return text
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        if not data.strip():
            findings.append(_file_finding("F001", "the file is empty: it holds only a byte-order mark or white space"))
            return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        findings.append(_file_finding(
            "F002",
            f"the file is not valid UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot be decoded",
            line=line, column=column))
        return None


def parse(data: bytes) -> tuple[Any, list, str | None, PositionMap | None]:
    """Parse bytes to a JSON value; returns (doc, file findings, text, position map if built)."""
    findings: list = []
    if not data.strip():
        findings.append(_file_finding("F001", "the file is empty"))
        return None, findings, None, None
    text = decode(data, findings)
    if text is None:
        return None, findings, None, None
    if "\x00" in text:
        offset = text.index("\x00")
        pm = PositionMap(text)
        line, column = pm.line_col(offset)
        findings.append(_file_finding("F004", "the file contains a NUL byte: it is binary, not JSON",
                                      line=line, column=column))
        return None, findings, text, None
    doc, pm = _parse_fast(text, findings)
    if doc is _FAILED:
        return None, findings, text, pm
    if "\\" in text and _SURROGATE_ESCAPE.search(text):
        pointer = _lone_surrogate(doc, "")
        if pointer is not None:
            findings.append(_file_finding(
                "F002", "a string holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff): it is not valid "
                "Unicode and cannot be written as UTF-8", pointer))
            return None, findings, text, pm
    return doc, findings, text, pm


_FAILED = object()
_CAREFUL = object()
_DOUBLE_MAX = 1.7976931348623157e308


_SPACE_THEN_COLON = (" :", "\t:", "\n:", "\r:")


def _no_duplicates(text: str, members: int) -> bool:
    """True when the text cannot hold a duplicate key, given the members of its parsed objects.

    Outside strings a colon follows each key exactly once, so colons >= keys >= members, and
    duplicates would make keys > members.  Equal colons and members prove there are none (and no
    colon inside a string); otherwise the key-closing quotes are counted, which colons in strings
    do not disturb."""
    return text.count(":") == members or _key_ends(text) == members


def _key_ends(text: str) -> int:
    """Quotes followed by a colon once white space is dropped: every key's closing quote, and sometimes
    a quote inside a string, so never fewer than the keys in the text.  Only string methods: a regular
    expression costs as much as the parse, and most files put no white space before a colon."""
    if any(pair in text for pair in _SPACE_THEN_COLON):
        text = "".join(text.split())
    return text.count('":')


def _loads(text: str, findings: list, **hooks):
    """json.loads, or _FAILED with the finding that says why; other ValueErrors are the caller's."""
    try:
        return json.loads(text, **hooks)
    except json.JSONDecodeError as exc:
        findings.append(_file_finding("F005", f"not valid JSON: {exc.msg.lower()}", None,
                                      line=exc.lineno, column=exc.colno))
    except RecursionError:
        findings.append(_file_finding("F007", f"the JSON is nested deeper than {MAX_DEPTH} levels"))
    return _FAILED


def _parse_fast(text: str, findings: list):
    """A plain parse (orjson's when the text allows it, else json.loads), then the checks of depth,
    numbers and duplicate keys: by counts when orjson parsed, else by one walk of the document.

    Most files are fine, and hooks on every object and number would double the parse time.
    Duplicate keys vanish in json.loads; they show as fewer members in the parsed objects than
    key-closing quotes in the text.  That count can only over-estimate the keys (a ``":`` inside a
    string), so equal counts prove there are none; otherwise the position map decides.  A NaN,
    an infinity or an integer beyond a double sends the file to the careful parse, which locates it.
    """
    doc = _plain_doc(text)
    if doc is _FAILED:
        try:
            doc = _loads(text, findings)
        except ValueError:  # an integer past int()'s digit limit
            return _parse_careful(text, findings)
        if doc is _FAILED:
            return _FAILED, None
    elif _shallow_and_unique(text, doc):
        return doc, None
    members = _walk(doc)
    if members is _CAREFUL:
        return _parse_careful(text, findings)
    pm = None
    if members is None or not _no_duplicates(text, members):
        pm = build_positions(text)
        _report_duplicates(pm, findings)
    if members is None:
        findings.append(_file_finding("F007", f"the JSON is nested deeper than {MAX_DEPTH} levels"))
        return _FAILED, pm
    return doc, pm


# Digits become "0" and every other byte a space, so that one search finds a run of 19 digits:
# the shortest integer beyond 64 bits, which orjson would read as a float.
_DIGIT_CLASS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_DIGITS = b"0" * 19


def _plain_doc(text: str):
    """orjson's parse of a plain text, or _FAILED: orjson is missing, refused the text or would read it
    differently from json.

    orjson refuses what json accepts but CMS does not (NaN, infinities, unpaired surrogates), so
    those go to the json path, which reports them. A text with a backslash (a \\u escape could hide
    a colon) or a run of 19 digits (orjson turns a huge integer into a float) goes there too."""
    if _orjson is None or "\\" in text:
        return _FAILED
    raw = text.encode("utf-8", "surrogatepass")  # a surrogate makes orjson refuse the text
    if _LONG_DIGITS in raw.translate(_DIGIT_CLASS):
        return _FAILED
    try:
        return _orjson.loads(raw)
    except _orjson.JSONDecodeError:
        return _FAILED


def _shallow_and_unique(text: str, doc) -> bool:
    """True when counts prove that ``doc`` (parsed from ``text``, which holds no backslash) nests at
    most MAX_DEPTH levels and that the text has no duplicate key.

    Depth: no more levels than opening brackets. Duplicates: without escapes a string holds as many
    colons in the text as once parsed, so the text's colons are its keys plus its strings' colons,
    and the compact re-serialisation's are the parsed members plus the kept strings' colons. A
    dropped duplicate key takes at least its own colon with it, so equal counts rule duplicates out.
    """
    if text.count("{") + text.count("[") > MAX_DEPTH:
        return False
    return _orjson.dumps(doc).count(b":") == text.count(":")


def _parse_careful(text: str, findings: list):
    dup = _Duplicates()
    try:
        doc = _loads(text, findings, object_pairs_hook=dup, parse_constant=_reject_constant,
                     parse_float=_parse_float, parse_int=_parse_int)
    except _NonFinite:
        pm = build_positions(text)
        for pointer, offset in pm.non_finite or [("", 0)]:
            line, column = pm.line_col(offset)
            findings.append(_file_finding(
                "F006",
                "NaN, Infinity and numbers too large for a double are not usable JSON numbers; CMS rejects them",
                pointer, line=line, column=column))
        return _FAILED, pm
    if doc is _FAILED:
        return _FAILED, None
    pm = None
    if dup.found:
        pm = build_positions(text)
        _report_duplicates(pm, findings)
    if _walk(doc) is None:
        findings.append(_file_finding("F007", f"the JSON is nested deeper than {MAX_DEPTH} levels"))
        return _FAILED, pm
    return doc, pm


def _report_duplicates(pm: PositionMap, findings: list) -> None:
    for pointer, offset in pm.duplicates:
        line, column = pm.line_col(offset)
        key = pointer.rsplit("/", 1)[-1]
        findings.append(_file_finding(
            "F008", f"duplicate key '{key}': readers disagree on which value wins; keep one",
            pointer, line=line, column=column))


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogate(node: Any, pointer: str) -> str | None:
    """Pointer of the first key or string holding an unpaired surrogate (json.loads lets them through)."""
    if isinstance(node, str):
        return pointer if _SURROGATE.search(node) else None
    if isinstance(node, dict):
        for key, value in node.items():
            if _SURROGATE.search(key):
                return pointer  # the object: a pointer holding the key could not be printed
            found = _lone_surrogate(value, f"{pointer}/{escape_token(key)}")
            if found is not None:
                return found
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found = _lone_surrogate(value, f"{pointer}/{i}")
            if found is not None:
                return found
    return None


def _walk(doc: Any):
    """The number of object members in ``doc``; None when it nests deeper than MAX_DEPTH;
    _CAREFUL when it holds a number that is not a finite double (NaN, infinity, a huge integer).

    Breadth-first with a depth budget: a submission is about 8 levels deep.
    """
    members = 0
    level = [doc]
    if type(doc) not in (dict, list):
        level = []
        if type(doc) in (int, float) and not -_DOUBLE_MAX <= doc <= _DOUBLE_MAX:  # also false for NaN
            return _CAREFUL
    for _ in range(MAX_DEPTH):
        if not level:
            return members
        nxt = []
        push = nxt.append
        for node in level:
            if type(node) is dict:
                members += len(node)
                node = node.values()
            for v in node:
                t = type(v)
                if t is dict or t is list:
                    push(v)
                elif t is float:
                    if v - v != 0:  # NaN or an infinity
                        return _CAREFUL
                elif t is int and not -_DOUBLE_MAX <= v <= _DOUBLE_MAX:
                    return _CAREFUL
        level = nxt
    return None if level else members


# ---------------------------------------------------------------- model building

# type() rather than isinstance(): json gives exact types, a bool must not pass as a number, and
# these run for every field of every measurement.
def _str(v) -> str | None:
    return v if type(v) is str else None


def _num(v):
    t = type(v)
    return v if t is int or t is float else None


def _bool(v) -> bool | None:
    return v if type(v) is bool else None


def _counts(d: dict) -> Counts:
    get = d.get
    return Counts(
        _num(get("performanceMet")),
        _num(get("performanceNotMet")),
        _num(get("eligiblePopulation")),
        _num(get("eligiblePopulationExclusion")),
        _num(get("eligiblePopulationException")),
        _num(get("numeratorExclusion")),
    )


def _value(v, pointer: str):
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
    return MeasurementSet(
        category=_str(s.get("category")),
        submission_method=_str(s.get("submissionMethod")),
        program_name=_str(s.get("programName")),
        cehrt_id=_str(s.get("cehrtId")),
        performance_start=_str(s.get("performanceStart")),
        performance_end=_str(s.get("performanceEnd")),
        measurements=measurements,
        ref=pointer,
        source=_str(s.get("source")),
    )


def _year(v) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def unwrap(doc: Any) -> tuple[Any, str]:
    """The submission object of a document and its pointer (envelope aware)."""
    if isinstance(doc, dict) and isinstance(doc.get("data"), dict) and "submission" in doc["data"]:
        return doc["data"]["submission"], "/data/submission"
    return doc, ""


def is_set_only(obj: Any) -> bool:
    return isinstance(obj, dict) and "measurements" in obj and "measurementSets" not in obj \
        and "category" in obj


def set_nodes(obj: dict, base: str) -> list[tuple]:
    """(pointer, node) of each measurement set of a submission object, where the model reads them."""
    if is_set_only(obj):
        return [(base, obj)]
    listed = obj.get("measurementSets")
    return [(f"{base}/measurementSets/{i}", s) for i, s in enumerate(listed)] if isinstance(listed, list) else []


def to_model(doc: Any) -> Submission | None:
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
        entity_type=_str(obj.get("entityType")),
        taxpayer_identification_number=_str(obj.get("taxpayerIdentificationNumber")),
        national_provider_identifier=_str(obj.get("nationalProviderIdentifier")),
        entity_id=_str(obj.get("entityId")),
        measurement_sets=tuple(_measurement_set(s, pointer) for pointer, s in set_nodes(obj, base)),
        ref=base,
    )


_MEASURE_ID = '"measureId"'


class MeasureIdKeys:
    """Offsets of the measureId keys of a plain text, found by string search.

    Most findings point at a measureId. In a text without backslashes every quote delimits a
    string, so each ``"measureId"`` is that key or a string equal to it. The text holds at least
    one per measurement that has the key; when it holds exactly that many (no such string or key
    elsewhere, no duplicate that dropped one), they are those keys, in document order. Otherwise
    ``offset`` gives None and the locator decides.
    """

    def __init__(self, text: str, doc: Any):
        self.text = text
        self.sets: dict = {}  # pointer of a set -> (measureId keys before it, its measurements)
        self.found: list[int] = []  # offsets of the first keys, in text order
        self.ordinals: dict = {}  # pointer of a set -> keys before each of its measurements
        obj, base = unwrap(doc)
        if "\\" in text or not isinstance(obj, dict):
            return
        keys = 0
        for pointer, s in set_nodes(obj, base):
            listed = s.get("measurements") if type(s) is dict else None
            if type(listed) is list:
                self.sets[pointer] = (keys, listed)
                keys += sum(1 for m in listed if type(m) is dict and "measureId" in m)
        if text.count(_MEASURE_ID) != keys:
            self.sets = {}

    def offset(self, pointer: str) -> int | None:
        """Offset of the key at ``pointer`` (".../measurements/N/measureId"), or None."""
        head, sep, tail = pointer.rpartition("/measurements/")
        index = tail[:-len("/measureId")]
        entry = self.sets.get(head) if sep and tail.endswith("/measureId") else None
        if entry is None or not is_ascii_digits(index) or int(index) >= len(entry[1]):
            return None
        before, listed = entry
        j = int(index)
        if type(listed[j]) is not dict or "measureId" not in listed[j]:
            return None
        ordinals = self.ordinals.get(head)
        if ordinals is None:  # the keys before each measurement of the set, counted once
            ordinals = self.ordinals[head] = list(accumulate(
                (type(m) is dict and "measureId" in m for m in listed), initial=before))
        k = ordinals[j]
        found, find = self.found, self.text.find
        while len(found) <= k:
            found.append(find(_MEASURE_ID, found[-1] + 1 if found else 0))
        return found[k]


def read(data: bytes, path: str | None = None) -> ReadResult:
    doc, findings, text, pm = parse(data)
    state = {"pm": pm, "locator": None, "measure_ids": None}

    def locate(location: Location) -> Location:
        if location.pointer is None or location.line is not None or text is None:
            return location
        pm = state["pm"]
        if pm is not None and pm.offsets:  # the parse built a full map
            pos = pm.position(location.pointer)
        else:
            if pm is None:
                pm = state["pm"] = PositionMap(text)  # line starts only
            offset = None
            if location.pointer.endswith("/measureId") and doc is not None:
                if state["measure_ids"] is None:
                    state["measure_ids"] = MeasureIdKeys(text, doc)
                offset = state["measure_ids"].offset(location.pointer)
            if offset is None:
                if state["locator"] is None:
                    state["locator"] = Locator(text)
                offset = state["locator"].find(location.pointer)[0]
            pos = pm.line_col(offset)
        if pos is None:
            return location
        return Location(pointer=location.pointer, xpath=location.xpath, line=pos[0], column=pos[1])

    def locate_all(locations: list[Location]) -> list[Location]:
        pending = {loc.pointer for loc in locations if loc.pointer is not None and loc.line is None}
        placed = _place_in_one_pass(text, pending) if BATCH_LOCATE < len(pending) <= BATCH_LOCATE_MAX else None
        if placed is None:
            return [locate(loc) for loc in locations]
        return [Location(loc.pointer, loc.xpath, *placed[loc.pointer])
                if loc.pointer in placed and loc.line is None else loc for loc in locations]

    submission = None
    if doc is not None:
        obj, _ = unwrap(doc)
        if not isinstance(obj, dict):
            kind = "an array" if isinstance(obj, list) else f"a {type(obj).__name__}"
            findings.append(_file_finding(
                "F009", f"the top level is {kind}; a QPP submission is a JSON object", ""))
        else:
            submission = to_model(doc)
    return ReadResult(QPP_JSON, submission, findings, locate, doc, locate_all)


def _place_in_one_pass(text: str | None, pointers: set):
    """{pointer: (line, column)} found in one pass over the text, or None to place them one by one."""
    from ..json_locate import line_columns, locate_pointers

    if text is None:
        return None
    try:
        offsets = locate_pointers(text, pointers)
    except (ValueError, IndexError, StopIteration, RecursionError):  # the text was parsed the careful way
        return None
    lines = line_columns(text, offsets.values())
    return {pointer: lines[offset] for pointer, offset in offsets.items()}


# ---------------------------------------------------------------- writer

def _put(out: dict, key: str, value) -> None:
    if value is not None:
        out[key] = value


def _counts_dict(c: Counts) -> dict:
    out: dict = {}
    _put(out, "performanceMet", c.performance_met)
    _put(out, "performanceNotMet", c.performance_not_met)
    _put(out, "eligiblePopulationExclusion", c.eligible_population_exclusion)
    _put(out, "eligiblePopulationException", c.eligible_population_exception)
    _put(out, "numeratorExclusion", c.numerator_exclusion)
    _put(out, "eligiblePopulation", c.eligible_population)
    return out


def _value_json(v):
    if isinstance(v, BooleanValue):
        return v.value
    if isinstance(v, ProportionValue):
        return {"numerator": v.numerator, "denominator": v.denominator}
    if isinstance(v, NonProportionValue):
        out = {"isEndToEndReported": v.is_end_to_end, "numerator": v.numerator, "denominator": v.denominator}
        _put(out, "numeratorExclusion", v.numerator_exclusion)
        _put(out, "denominatorException", v.denominator_exception)
        _put(out, "observationInstances", v.observation_instances)
        return {k: x for k, x in out.items() if x is not None}
    if isinstance(v, SingleRateValue):
        out = {}
        _put(out, "isEndToEndReported", v.is_end_to_end)
        out.update(_counts_dict(v.counts))
        _put(out, "performanceRate", v.performance_rate)
        return out
    if isinstance(v, MultiRateValue):
        out = {}
        _put(out, "isEndToEndReported", v.is_end_to_end)
        _put(out, "performanceRate", v.performance_rate)
        out["strata"] = [dict({"stratum": s.name}, **_counts_dict(s.counts)) for s in v.strata]
        return out
    return None


def set_to_dict(ms: MeasurementSet) -> dict:
    out: dict = {"category": ms.category}
    _put(out, "submissionMethod", ms.submission_method)
    _put(out, "programName", ms.program_name)
    _put(out, "cehrtId", ms.cehrt_id)
    _put(out, "performanceStart", ms.performance_start)
    _put(out, "performanceEnd", ms.performance_end)
    _put(out, "source", ms.source)
    out["measurements"] = [{"measureId": m.measure_id, "value": _value_json(m.value)} for m in ms.measurements]
    return out


def to_dict(sub: Submission) -> dict:
    if sub.set_only and len(sub.measurement_sets) == 1:
        return set_to_dict(sub.measurement_sets[0])
    out: dict = {}
    _put(out, "entityType", sub.entity_type)
    _put(out, "entityId", sub.entity_id)
    _put(out, "taxpayerIdentificationNumber", sub.taxpayer_identification_number)
    _put(out, "nationalProviderIdentifier", sub.national_provider_identifier)
    _put(out, "performanceYear", sub.performance_year)
    out["measurementSets"] = [set_to_dict(ms) for ms in sub.measurement_sets]
    return out


def write(sub: Submission) -> bytes:
    """Canonical QPP JSON: fixed key order, two-space indent, UTF-8, trailing newline."""
    return (json.dumps(to_dict(sub), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


__all__ = ["read", "write", "to_model", "to_dict", "parse", "escape_token"]
