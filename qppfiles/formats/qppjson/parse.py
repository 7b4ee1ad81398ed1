"""The one parse of QPP JSON text: bytes -> document + file findings.

Encoding (UTF-8 with or without a byte-order mark; UTF-16 with a warning), then a plain parse
(orjson's when it is installed and the text is plain, see ``_plain_doc``; the standard ``json``
module otherwise), then the checks CMS's intake makes that a plain parse lets through: duplicate
keys, depth, numbers that are not finite doubles, unpaired surrogates.  Every reader of a
submission's JSON text goes through :func:`parse`.
"""

from __future__ import annotations

import json
import re
from enum import Enum
from types import ModuleType
from typing import Any
from typing import NamedTuple
from typing import NoReturn

from ...model.findings import Finding
from ...model.findings import Location
from .locate import JsonLocator
from .pointers import escape_token
from .tokens import PositionMap
from .tokens import build as build_positions

_orjson: ModuleType | None
try:
    import orjson as _orjson
except ImportError:  # optional: the json module reads every file the same, only slower
    _orjson = None

MAX_DEPTH = 64


class ParsedJson(NamedTuple):
    document: Any  # None when the text could not be parsed (the findings say why)
    findings: list[Finding]
    text: str | None  # the decoded text, None when the bytes could not be decoded
    positions: PositionMap | None  # the full position map, when the checks had to build it

    def locator(self) -> JsonLocator | None:
        """The locator of the text's pointers (it reuses the full map when the parse built one)."""
        return None if self.text is None else JsonLocator(self.text, self.document, self.positions)


class _NonFinite(ValueError):
    pass


def _reject_constant(name: str) -> NoReturn:
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

    def __init__(self) -> None:
        self.found = False

    def __call__(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        d = dict(pairs)
        if len(d) != len(pairs):
            self.found = True
        return d


def _file_finding(code: str, message: str, pointer: str | None = "",
                  line: int | None = None, column: int | None = None) -> Finding:
    return Finding.of(code, message, Location(pointer=pointer, line=line, column=column))


def decode(data: bytes, findings: list[Finding]) -> str | None:
    """Bytes to text: UTF-8 (with or without BOM); UTF-16 accepted with a warning.

    UTF-16 is recognised by its byte-order mark or, without one, by the NUL byte beside each of
    the first characters: a JSON document starts with ASCII, which UTF-16 stores as a byte and a NUL.
    A file holding only a byte-order mark and white space is empty.
    """
    head = data[:8] if len(data) >= 2 else b""
    units = [head[i:i + 2] for i in range(0, len(head) - 1, 2)]
    encoding: str | None
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
            "F003", f"the file is encoded in {described}; CMS expects UTF-8, re-save it as UTF-8"))
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


def parse(data: bytes) -> ParsedJson:
    """Parse bytes to a JSON value with the findings of the file layer (F001-F008)."""
    findings: list[Finding] = []
    if not data.strip():
        findings.append(_file_finding("F001", "the file is empty"))
        return ParsedJson(None, findings, None, None)
    text = decode(data, findings)
    if text is None:
        return ParsedJson(None, findings, None, None)
    if "\x00" in text:
        line, column = JsonLocator(text).line_col(text.index("\x00"))
        findings.append(_file_finding("F004", "the file contains a NUL byte: it is binary, not JSON",
                                      line=line, column=column))
        return ParsedJson(None, findings, text, None)
    doc, pm = _parse_fast(text, findings)
    if doc is _FAILED:
        return ParsedJson(None, findings, text, pm)
    if "\\" in text and _SURROGATE_ESCAPE.search(text):
        pointer = _lone_surrogate(doc, "")
        if pointer is not None:
            findings.append(_file_finding(
                "F002", "a string holds an unpaired UTF-16 surrogate escape (\\ud800-\\udfff): it is not valid "
                "Unicode and cannot be written as UTF-8", pointer))
            return ParsedJson(None, findings, text, pm)
    return ParsedJson(doc, findings, text, pm)


_FAILED = object()


class _Walked(Enum):
    CAREFUL = "a number that is not a finite double: the careful parse finds it"


_CAREFUL = _Walked.CAREFUL
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


def _loads(text: str, findings: list[Finding], **hooks: Any) -> Any:
    """json.loads, or _FAILED with the finding that says why; other ValueErrors are the caller's."""
    try:
        return json.loads(text, **hooks)
    except json.JSONDecodeError as exc:
        findings.append(_file_finding("F005", f"not valid JSON: {exc.msg.lower()}", None,
                                      line=exc.lineno, column=exc.colno))
    except RecursionError:
        findings.append(_file_finding("F007", f"the JSON is nested deeper than {MAX_DEPTH} levels"))
    return _FAILED


def _parse_fast(text: str, findings: list[Finding]) -> tuple[Any, PositionMap | None]:
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
        _report_duplicates(text, pm, findings)
    if members is None:
        findings.append(_file_finding("F007", f"the JSON is nested deeper than {MAX_DEPTH} levels"))
        return _FAILED, pm
    return doc, pm


# Digits become "0" and every other byte a space, so that one search finds a run of 19 digits:
# the shortest integer beyond 64 bits, which orjson would read as a float.
_DIGIT_CLASS = bytes(48 if 48 <= b <= 57 else 32 for b in range(256))
_LONG_DIGITS = b"0" * 19


def _plain_doc(text: str) -> Any:
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


def _shallow_and_unique(text: str, doc: Any) -> bool:
    """True when counts prove that ``doc`` (parsed by orjson from ``text``, which holds no backslash)
    nests at most MAX_DEPTH levels and that the text has no duplicate key.

    Depth: no more levels than opening brackets. Duplicates: without escapes a string holds as many
    colons in the text as once parsed, so the text's colons are its keys plus its strings' colons,
    and the compact re-serialisation's are the parsed members plus the kept strings' colons. A
    dropped duplicate key takes at least its own colon with it, so equal counts rule duplicates out.
    """
    if text.count("{") + text.count("[") > MAX_DEPTH:
        return False
    assert _orjson is not None, "only orjson's documents are checked by counts"
    serialised: bytes = _orjson.dumps(doc)
    return serialised.count(b":") == text.count(":")


def _parse_careful(text: str, findings: list[Finding]) -> tuple[Any, PositionMap | None]:
    dup = _Duplicates()
    try:
        doc = _loads(text, findings, object_pairs_hook=dup, parse_constant=_reject_constant,
                     parse_float=_parse_float, parse_int=_parse_int)
    except _NonFinite:
        pm = build_positions(text)
        places = pm.non_finite or [("", 0)]
        lines = JsonLocator(text).line_columns(offset for _, offset in places)
        for pointer, offset in places:
            line, column = lines[offset]
            findings.append(_file_finding(
                "F006",
                "NaN, Infinity and numbers too large for a double are not usable JSON numbers; CMS rejects them",
                pointer, line=line, column=column))
        return _FAILED, pm
    if doc is _FAILED:
        return _FAILED, None
    positions = None
    if dup.found:
        positions = build_positions(text)
        _report_duplicates(text, positions, findings)
    if _walk(doc) is None:
        findings.append(_file_finding("F007", f"the JSON is nested deeper than {MAX_DEPTH} levels"))
        return _FAILED, positions
    return doc, positions


def _report_duplicates(text: str, pm: PositionMap, findings: list[Finding]) -> None:
    lines = JsonLocator(text).line_columns(offset for _, offset in pm.duplicates)
    for pointer, offset in pm.duplicates:
        line, column = lines[offset]
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


def _walk(doc: Any) -> int | _Walked | None:
    """The number of object members in ``doc``; None when it nests deeper than MAX_DEPTH;
    _CAREFUL when it holds a number that is not a finite double (NaN, infinity, a huge integer).

    Breadth-first with a depth budget: a submission is about 8 levels deep.
    """
    members = 0
    level: list[Any] = [doc]
    if type(doc) not in (dict, list):
        level = []
        if type(doc) in (int, float) and not -_DOUBLE_MAX <= doc <= _DOUBLE_MAX:  # also false for NaN
            return _CAREFUL
    for _ in range(MAX_DEPTH):
        if not level:
            return members
        nxt: list[Any] = []
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
