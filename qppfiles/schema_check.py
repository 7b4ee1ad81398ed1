"""Validate a parsed QPP JSON document against the shipped JSON Schemas.

``validate_document(doc)`` returns ``[(pointer, message), ...]``: the RFC 6901 pointer of the
offending node and a plain-words message. A missing property is reported on the object that
lacks it; an unknown property on the property itself. Each pointer gets at most one message.

jsonschema-rs is used when it is importable and jsonschema otherwise; both give the same
result. Schemas are read and compiled on first use, so importing this module is cheap.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable

__all__ = ["validate_document", "available_backends", "load_schemas", "ROOT_SCHEMA"]

ROOT_SCHEMA = "document.json"
BACKENDS = ("jsonschema_rs", "jsonschema")

_schemas: dict[str, dict] | None = None
_validators: dict[str, Any] = {}

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


def load_schemas() -> dict[str, dict]:
    """All shipped schemas by file name (which is also their ``$id``)."""
    global _schemas
    if _schemas is None:
        from importlib.resources import files

        folder = files("qppfiles") / "schemas"
        _schemas = {
            entry.name: json.loads(entry.read_text(encoding="utf-8"))
            for entry in folder.iterdir()
            if entry.name.endswith(".json")
        }
    return _schemas


def available_backends() -> tuple[str, ...]:
    """The validation backends that can be imported here, preferred first."""
    found = []
    for name in BACKENDS:
        try:
            __import__(name)
        except ImportError:
            continue
        found.append(name)
    return tuple(found)


def validate_document(doc: Any, *, backend: str | None = None) -> list[tuple[str, str]]:
    """Check ``doc`` (already parsed JSON) against ``document.json``.

    ``backend`` forces "jsonschema_rs" or "jsonschema"; by default the fastest available is used.
    """
    if backend is None:
        backend = available_backends()[0]
    if backend == "jsonschema_rs":
        raws = _errors_rs(doc)
    elif backend == "jsonschema":
        raws = _errors_py(doc)
    else:
        raise ValueError(f"unknown schema backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    return _summarise(raws)


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
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        registry = Registry().with_resources(
            (name, Resource.from_contents(schema, default_specification=DRAFT202012))
            for name, schema in schemas.items()
        )
        cached = Draft202012Validator(schemas[ROOT_SCHEMA], registry=registry)
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


def _errors_rs(doc: Any) -> Iterable[_Raw]:
    for error in _validator("jsonschema_rs").iter_errors(doc):
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
        yield _Raw(tuple(error.instance_path), keyword, error.instance, detail)


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


def _summarise(raws: Iterable[_Raw]) -> list[tuple[str, str]]:
    missing: dict[tuple, set[str]] = {}
    unknown: dict[tuple, str] = {}
    other: dict[tuple, _Raw] = {}
    for raw in raws:
        if raw.keyword == "required":
            missing.setdefault(raw.path, set()).add(raw.detail)
        elif raw.keyword == "additionalProperties":
            for key in raw.detail:
                unknown[raw.path + (key,)] = f"unknown field '{key}'"
        else:
            current = other.get(raw.path)
            if current is None or _rank(raw.keyword) < _rank(current.keyword):
                other[raw.path] = raw
    result: dict[tuple, str] = {}
    for path, names in missing.items():
        ordered = sorted(names)
        verb = "is" if len(ordered) == 1 else "are"
        result[path] = f"{_join(ordered)} {verb} required"
    for path, raw in other.items():
        if raw.keyword == "type" or path not in result:
            result[path] = _message(raw)
    for path, text in unknown.items():
        result.setdefault(path, text)
    return [(_pointer(path), result[path]) for path in sorted(result, key=_path_key)]


def _rank(keyword: str) -> int:
    return _PRIORITY.index(keyword) if keyword in _PRIORITY else len(_PRIORITY)
