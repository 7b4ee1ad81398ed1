"""Validate a parsed QPP JSON document against the shipped JSON Schemas.

``validate_document(doc)`` returns ``[(pointer, message), ...]``: the RFC 6901 pointer of the
offending node and a plain-words message. A missing property is reported on the object that
lacks it; an unknown property on the property itself. Each pointer gets at most one message.

jsonschema-rs is used when it is importable and jsonschema otherwise; both give the same
result. Schemas are read and compiled on first use, so importing this module is cheap.

``check_document(doc, limit=N)`` stops reading the backend's errors once more than N pointers
have a problem, so a document with a problem in each of 200,000 list items costs little more
than one with N. Below the limit its result is exactly ``validate_document``'s. jsonschema is
lazy by itself; jsonschema-rs builds all the errors of a call at once, so long arrays are given
to it a window of items at a time (see ``_windows``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import NamedTuple

__all__ = ["validate_document", "check_document", "SchemaCheck", "available_backends", "preferred_backend",
           "load_schemas", "ROOT_SCHEMA"]

ROOT_SCHEMA = "document.json"
BACKENDS = ("jsonschema_rs", "jsonschema")

_schemas: dict[str, dict] | None = None
_validators: dict[str, Any] = {}
_backends: tuple[str, ...] | None = None
_preferred: str | None = None

# Patterns used by the schemas, and how to name what they expect.
_PATTERN_NAMES = {
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$": "a date as YYYY-MM-DD",
    "^[0-9]{9}$": "9 digits",
    "^[0-9]{10}$": "10 digits",
}

_TYPE_NAMES = {
    "integer": "an integer",
    "number": "a number",
    "string": "a string",
    "boolean": "a boolean",
    "object": "an object",
    "array": "an array",
    "null": "null",
}

# When several problems land on one node, the first kind in this order wins.
_PRIORITY = ("type", "required", "enum", "const", "pattern", "minLength", "minItems", "minimum", "maximum")


def schema_dir():
    """The published schemas: ``qppfiles/schemas`` in an installed wheel (the build copies the
    repository's top-level ``schemas/`` there), the top-level folder itself in a source tree."""
    from importlib.resources import files
    from pathlib import Path

    packaged = files("qppfiles") / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "schemas"


def load_schemas() -> dict[str, dict]:
    """All shipped schemas by file name, which is also their ``$id`` here.

    The files carry no ``$id``: a tool reading them from disk then resolves their relative ``$ref``s
    against the file's own location, from any working directory."""
    global _schemas
    if _schemas is None:
        _schemas = {
            entry.name: {"$id": entry.name, **json.loads(entry.read_text(encoding="utf-8"))}
            for entry in schema_dir().iterdir()
            if entry.name.endswith(".json")
        }
    return _schemas


def _importable(name: str) -> bool:
    try:
        __import__(name)
    except ImportError:
        return False
    return True


def available_backends() -> tuple[str, ...]:
    """The validation backends that can be imported here, preferred first (looked up once)."""
    global _backends
    if _backends is None:
        _backends = tuple(name for name in BACKENDS if _importable(name))
    return _backends


def preferred_backend() -> str:
    """The first backend of BACKENDS that imports (looked up once).  Unlike :func:`available_backends`
    it stops there: importing the pure-Python ``jsonschema`` too costs a new process about 0.1 s."""
    global _preferred
    if _preferred is None:
        found = _backends if _backends is not None else (name for name in BACKENDS if _importable(name))
        _preferred = next(iter(found), None)
        if _preferred is None:
            raise ImportError(f"no JSON schema backend: install one of {', '.join(BACKENDS)}")
    return _preferred


# What kind of problem a pointer has, from the validator's error keyword (never from the wording).
MISSING, WRONG_TYPE, UNKNOWN_FIELD, BAD_VALUE = "missing", "type", "unknown", "value"


class SchemaProblem(NamedTuple):
    pointer: str
    message: str
    kind: str                        # MISSING, WRONG_TYPE, UNKNOWN_FIELD or BAD_VALUE


class SchemaCheck(NamedTuple):
    problems: list[SchemaProblem]    # sorted by pointer
    complete: bool                   # False when the limit stopped the check early


def validate_document(doc: Any, *, backend: str | None = None) -> list[tuple[str, str]]:
    """Check ``doc`` (already parsed JSON) against ``document.json``: ``[(pointer, message), ...]``.

    ``backend`` forces "jsonschema_rs" or "jsonschema"; by default the fastest available is used.
    """
    return [(p.pointer, p.message) for p in check_document(doc, backend=backend).problems]


def check_document(doc: Any, *, limit: int | None = None, backend: str | None = None) -> SchemaCheck:
    """Like :func:`validate_document`, reporting at most ``limit`` pointers (None: no limit).

    The result is complete, and identical to ``validate_document``'s, whenever the document has
    at most ``limit`` problem pointers; otherwise it holds ``limit`` of them and ``complete`` is False.
    """
    if backend is None:
        backend = preferred_backend()
    if backend == "jsonschema_rs":
        raws = _errors_rs(doc)
    elif backend == "jsonschema":
        raws = _errors_py(doc)
    else:
        raise ValueError(f"unknown schema backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    return _summarise(raws, limit)


# --- backends ---------------------------------------------------------------------------------


@dataclass
class _Raw:
    """One backend error, reduced to what the messages need."""

    path: tuple
    keyword: str
    instance: Any
    detail: Any = None
    extra: list = field(default_factory=list)


def _validator(backend: str):
    cached = _validators.get(backend)
    if cached is not None:
        return cached
    schemas = load_schemas()
    if backend == "jsonschema_rs":
        import jsonschema_rs

        registry = jsonschema_rs.Registry(list(schemas.items()))
        cached = jsonschema_rs.Draft202012Validator(schemas[ROOT_SCHEMA], registry=registry)
    else:
        from jsonschema import Draft202012Validator
        from referencing import Registry
        from referencing import Resource
        from referencing.jsonschema import DRAFT202012

        resources = Registry().with_resources(
            (name, Resource.from_contents(schema, default_specification=DRAFT202012))
            for name, schema in schemas.items()
        )
        cached = Draft202012Validator(schemas[ROOT_SCHEMA], registry=resources)
    _validators[backend] = cached
    return cached


_RS_KEYWORDS = {
    "Type": "type",
    "Required": "required",
    "AdditionalProperties": "additionalProperties",
    "Enum": "enum",
    "Constant": "const",
    "Pattern": "pattern",
    "MinLength": "minLength",
    "MinItems": "minItems",
    "Minimum": "minimum",
    "Maximum": "maximum",
}


# JSON values one jsonschema-rs call may see. It builds every error of a call (each a few kB)
# before returning the first, so a call must not see an unbounded number of bad items.
BUDGET = 5000


def _windows(iter_errors, doc: Any, budget: int) -> Iterator[tuple[tuple, Any]]:
    """``(path, error)`` for every error of ``doc``, each backend call seeing about ``budget`` values.

    An array item's errors depend only on the item (the schemas apply ``items`` with no
    sibling-dependent keyword but ``minItems: 1``), so an array too heavy for one call is cut
    into chunks: the document is checked with each heavy array cut to its first chunk, then each
    further chunk in a copy where it is all its array holds (other heavy arrays emptied), keeping
    only the errors inside the chunk, their paths shifted back.
    """
    try:
        _, splits = _plan(doc, (), budget)
    except RecursionError:  # absurdly deep: not one the reader would have let through
        splits = []
    if not splits:
        for error in iter_errors(doc):
            yield tuple(error.instance_path), error
        return
    yield from _windows(iter_errors, _with(doc, {path: _at(doc, path)[:chunks[1]] for path, chunks in splits}),
                        budget)
    emptied = _with(doc, {path: [] for path, _ in splits})
    for path, chunks in splits:
        items, depth = _at(doc, path), len(path)
        for start, stop in zip(chunks, chunks[1:] + [len(items)], strict=True):
            if start == 0:
                continue
            window = _with(emptied, {path: items[start:stop]})
            for found, error in _windows(iter_errors, window, budget):
                if len(found) > depth and found[:depth] == path:
                    yield path + (found[depth] + start,) + found[depth + 1:], error


def _plan(node: Any, path: tuple, budget: int) -> tuple[int, list]:
    """The number of JSON values in ``node``, and the outermost arrays to cut: ``(path, chunk starts)``.

    An array is cut when it holds more than one item and more than ``budget`` values; its chunks
    hold at most ``budget`` values each (or a single heavier item, cut further when checked).
    """
    weight, splits = 1, []
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (dict, list)):
                w, inner = _plan(value, path + (key,), budget)
                weight += w
                splits += inner
            else:
                weight += 1
        return weight, splits
    if not isinstance(node, list):
        return weight, splits
    weights = []
    for i, value in enumerate(node):
        if isinstance(value, (dict, list)):
            w, inner = _plan(value, path + (i,), budget)
            splits += inner
        else:
            w = 1
        weights.append(w)
        weight += w
    if len(node) < 2 or weight - 1 <= budget:  # its items fit in one call
        return weight, splits
    starts, filled = [0], 0  # more than one start: the items weigh more than the budget together
    for i, w in enumerate(weights):
        if filled and filled + w > budget:
            starts.append(i)
            filled = 0
        filled += w
    return weight, [(path, starts)]


def _with(node: Any, replacements: dict) -> Any:
    """A copy of ``node`` with the values at the given paths replaced; only containers on the paths are copied."""
    if () in replacements:
        return replacements[()]
    by_head: dict = {}
    for path, value in replacements.items():
        by_head.setdefault(path[0], {})[path[1:]] = value
    copy = dict(node) if isinstance(node, dict) else list(node)
    for head, rest in by_head.items():
        copy[head] = _with(node[head], rest)
    return copy


def _at(doc: Any, path: tuple) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def _errors_rs(doc: Any) -> Iterable[_Raw]:
    validator = _validator("jsonschema_rs")
    if validator.is_valid(doc):  # the common case, and much cheaper than looking for errors
        return
    for path, error in _windows(validator.iter_errors, doc, BUDGET):
        kind = error.kind
        keyword = _RS_KEYWORDS.get(type(kind).__name__, type(kind).__name__)
        detail: Any = None
        if keyword == "type":
            detail = list(kind.types)
        elif keyword == "required":
            detail = kind.property
        elif keyword == "additionalProperties":
            detail = list(kind.unexpected)
        elif keyword == "enum":
            detail = list(kind.options)
        elif keyword == "const":
            detail = kind.expected_value
        elif keyword == "pattern":
            detail = kind.pattern
        elif keyword in ("minLength", "minItems", "minimum", "maximum"):
            detail = kind.limit
        yield _Raw(path, keyword, error.instance, detail)


def _errors_py(doc: Any) -> Iterable[_Raw]:
    for error in _validator("jsonschema").iter_errors(doc):
        keyword = error.validator
        value = error.validator_value
        instance = error.instance
        path = tuple(error.absolute_path)
        if keyword == "required":
            # One error per missing name; the names are recomputed, not parsed from text.
            for name in value:
                if isinstance(instance, dict) and name not in instance:
                    yield _Raw(path, keyword, instance, name)
            continue
        if keyword == "additionalProperties":
            known = error.schema.get("properties", {})
            detail = [key for key in instance if key not in known]
        elif keyword == "type":
            detail = [value] if isinstance(value, str) else list(value)
        else:
            detail = value
        yield _Raw(path, keyword, instance, detail)


# --- messages ---------------------------------------------------------------------------------


def _pointer(path: Iterable) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"an integer {value}"
    if isinstance(value, float):
        return f"a number {value!r}"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"a string {json.dumps(text, ensure_ascii=False)}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _short(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value if len(value) <= 40 else value[:37] + "...", ensure_ascii=False)
    return json.dumps(value) if isinstance(value, (int, float, bool)) or value is None else _describe(value)


def _join(names: list[str]) -> str:
    quoted = [f"'{name}'" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _message(raw: _Raw) -> str:
    keyword, detail, instance = raw.keyword, raw.detail, raw.instance
    if keyword == "type":
        wanted = " or ".join(_TYPE_NAMES.get(name, name) for name in sorted(detail, key=_type_order))
        return f"expected {wanted}, found {_describe(instance)}"
    if keyword == "enum":
        options = ", ".join(str(option) for option in detail)
        return f"{_short(instance)} is not an allowed value; expected one of: {options}"
    if keyword == "const":
        return f"expected {_short(detail)}, found {_short(instance)}"
    if keyword == "pattern":
        wanted = _PATTERN_NAMES.get(detail, "a value in the documented format")
        return f"expected {wanted}, found {_describe(instance)}"
    if keyword == "minLength":
        return "expected a non-empty string" if detail == 1 else f"expected at least {detail} characters"
    if keyword == "minItems":
        return f"expected at least {detail} item{'s' if detail != 1 else ''}, found {len(instance)}"
    if keyword == "minimum":
        return f"must be at least {detail}, found {_short(instance)}"
    if keyword == "maximum":
        return f"must be at most {detail}, found {_short(instance)}"
    return "does not match the expected format"


def _type_order(name: str) -> int:
    return list(_TYPE_NAMES).index(name) if name in _TYPE_NAMES else len(_TYPE_NAMES)


def _path_key(path: tuple) -> tuple:
    # Array indexes sort numerically, keys alphabetically, parents before children.
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in path)


def _summarise(raws: Iterable[_Raw], limit: int | None = None) -> SchemaCheck:
    missing: dict[tuple, set[str]] = {}
    unknown: dict[tuple, str] = {}
    other: dict[tuple, _Raw] = {}
    # Paths with a problem. Reading stops at the first path past the limit: only then is it
    # certain that the limit cuts the result, and every path seen so far has all its errors
    # except, possibly, ones the backend would have produced later.
    paths: set[tuple] = set()
    complete = True

    def full(path: tuple) -> bool:
        paths.add(path)
        return limit is not None and len(paths) > limit

    for raw in raws:
        if raw.keyword == "required":
            missing.setdefault(raw.path, set()).add(raw.detail)
            stop = full(raw.path)
        elif raw.keyword == "additionalProperties":
            stop = False
            for key in raw.detail:
                unknown[raw.path + (key,)] = f"unknown field '{key}'"
                stop = full(raw.path + (key,))
                if stop:
                    break
        else:
            current = other.get(raw.path)
            if current is None or _rank(raw.keyword) < _rank(current.keyword):
                other[raw.path] = raw
            stop = full(raw.path)
        if stop:
            complete = False
            break
    result: dict[tuple, tuple[str, str]] = {}
    for path, names in missing.items():
        ordered = sorted(names)
        verb = "is" if len(ordered) == 1 else "are"
        result[path] = (f"{_join(ordered)} {verb} required", MISSING)
    for path, raw in other.items():
        if raw.keyword == "type" or path not in result:
            result[path] = (_message(raw), WRONG_TYPE if raw.keyword == "type" else BAD_VALUE)
    for path, text in unknown.items():
        result.setdefault(path, (text, UNKNOWN_FIELD))
    listed = sorted(result, key=_path_key)
    if not complete:
        listed = listed[:limit]
    return SchemaCheck([SchemaProblem(_pointer(path), *result[path]) for path in listed], complete)


def _rank(keyword: str) -> int:
    return _PRIORITY.index(keyword) if keyword in _PRIORITY else len(_PRIORITY)
