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
    # One of STATUSES; a redirected code names the code that took its place.
    status: str = "stable"
    redirect_to: str = ""


CONSEQUENCES = ("rejected", "points")
CONSEQUENCE_MEANING = {"rejected": "CMS refuses the file at intake",
                       "points": "CMS accepts the file; the problem costs score"}

# As ruff keeps them. A preview code is reported like a stable one, but its boundary may still move in a
# minor release; a removed code is never reported and naming it is a usage error; a redirected code was
# renamed, and --select/--ignore of it act on the code it names.
STABLE, PREVIEW, REMOVED, REDIRECTED = "stable", "preview", "removed", "redirected"
STATUSES = (STABLE, PREVIEW, REMOVED, REDIRECTED)
STATUS_MEANING = {STABLE: "its meaning and boundary are settled",
                  PREVIEW: "reported, but its boundary may still change in a minor release",
                  REMOVED: "no longer reported; naming it in select or ignore is an error",
                  REDIRECTED: "renamed; select and ignore of it act on the new code"}


def define(code: str, severity: str, *, layer: str, summary: str, explanation: str = "", source: str = "",
           example: str = "", consequence: str = "", status: str = STABLE, redirect_to: str = "") -> Code:
    """Register ``code``. One spelling everywhere: code and severity positional, the rest by keyword."""
    if consequence and consequence not in CONSEQUENCES:
        raise ValueError(f"finding code {code}: consequence must be one of {CONSEQUENCES}")
    if status not in STATUSES:
        raise ValueError(f"finding code {code}: status must be one of {STATUSES}")
    if (status == REDIRECTED) != bool(redirect_to) or redirect_to == code:
        raise ValueError(f"finding code {code}: a redirected code, and only one, names another code in redirect_to")
    existing = _REGISTRY.get(code)
    entry = Code(code, severity, layer, summary, explanation.strip(), source, example.strip(), consequence,
                 status, redirect_to)
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


def redirected(code: Code) -> Code:
    """The code that reports in place of ``code``: its redirect target (followed to the end), or itself."""
    seen = {code.code}
    while code.status == REDIRECTED:
        target = get(code.redirect_to)
        if target is None or target.code in seen:
            raise ValueError(f"finding code {code.code} redirects to {code.redirect_to}, which is not a code "
                             "that is reported")
        seen.add(target.code)
        code = target
    return code


def is_selected(code: str, select: Collection[str] = (), ignore: Collection[str] = ()) -> bool:
    """Whether ``code`` is reported under ``select`` and ``ignore`` (codes or prefixes, e.g. "Q10").

    The most specific prefix decides, as in ruff: ``select=["Q"], ignore=["Q10"]`` drops Q101 and keeps
    Q201; ``select=["Q101"], ignore=["Q"]`` keeps Q101. No ``select`` selects every code."""
    chosen = max((len(p) for p in select if code.startswith(p)), default=-1) if select else 0
    dropped = max((len(p) for p in ignore if code.startswith(p)), default=-1)
    return chosen >= 0 and chosen > dropped
