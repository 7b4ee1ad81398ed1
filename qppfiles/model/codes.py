"""The register of finding codes: every code qppfiles can report, with its explanation.

A code keeps its meaning once released.  Codes are grouped by a letter:
F file, S schema, X QRDA III structure, C conformance (XSD/schematron),
and the program-rule areas (I identifiers, Y year and periods, M catalog,
A arithmetic, Q quality, V improvement activities, P Promoting
Interoperability, R MVP, B submission method).
"""

from __future__ import annotations

import importlib
from collections.abc import Collection
from dataclasses import dataclass

# Modules that define codes; imported by all_codes() so the register is complete.
_DEFINING_MODULES = (
    "qppfiles.model.codes_io",
    "qppfiles.pipeline.validate",
    "qppfiles.checks",
    "qppfiles.formats.qrda3.codes",
    "qppfiles.intake.discover",
)

_REGISTRY: dict[str, Code] = {}


@dataclass(frozen=True)
class Code:
    code: str
    severity: str
    layer: str
    summary: str
    explanation: str = ""
    source: str = ""
    example: str = ""
    # For errors: "rejected" when CMS refuses the file at intake, "points" when CMS accepts
    # it and the problem costs score; empty for warnings and info.
    consequence: str = ""


CONSEQUENCES = ("rejected", "points")
CONSEQUENCE_MEANING = {"rejected": "CMS refuses the file at intake",
                       "points": "CMS accepts the file; the problem costs score"}


def define(code: str, severity: str, *, layer: str, summary: str, explanation: str = "", source: str = "",
           example: str = "", consequence: str = "") -> Code:
    """Register ``code``. One spelling everywhere: code and severity positional, the rest by keyword."""
    if consequence and consequence not in CONSEQUENCES:
        raise ValueError(f"finding code {code}: consequence must be one of {CONSEQUENCES}")
    existing = _REGISTRY.get(code)
    entry = Code(code, severity, layer, summary, explanation.strip(), source, example.strip(), consequence)
    if existing is not None and existing != entry:
        raise ValueError(f"finding code {code} defined twice")
    _REGISTRY[code] = entry
    return entry


_loaded = False


def _load_all() -> None:
    global _loaded
    if _loaded:
        return
    for name in _DEFINING_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    _loaded = True


def all_codes() -> list[Code]:
    _load_all()
    return sorted(_REGISTRY.values(), key=lambda c: c.code)


def get(code: str) -> Code | None:
    _load_all()
    return _REGISTRY.get(code.upper())


def is_selected(code: str, select: Collection[str] = (), ignore: Collection[str] = ()) -> bool:
    """Whether ``code`` is reported under ``select`` and ``ignore`` (codes or prefixes, e.g. "Q10").

    The most specific prefix decides, as in ruff: ``select=["Q"], ignore=["Q10"]`` drops Q101 and keeps
    Q201; ``select=["Q101"], ignore=["Q"]`` keeps Q101. No ``select`` selects every code."""
    chosen = max((len(p) for p in select if code.startswith(p)), default=-1) if select else 0
    dropped = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return chosen >= 0 and chosen > dropped
