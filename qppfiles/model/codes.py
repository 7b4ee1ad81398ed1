"""The register of finding codes: every code qppfiles can report, with its explanation.

The entries are data, in ``codes.toml`` beside this module, read once on first use and checked entry by
entry. A code keeps its meaning once released.  Codes are grouped by a letter:
F file, S schema, X QRDA III structure, C conformance (XSD/schematron),
and the program-rule areas (I identifiers, Y year and periods, M catalog,
A arithmetic, Q quality, V improvement activities, P Promoting
Interoperability, R MVP, B submission method).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Collection
from collections.abc import Iterator
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import fields
from importlib.resources import files
from typing import TYPE_CHECKING
from typing import Any

from .findings import ERROR
from .findings import LAYERS
from .findings import SEVERITIES

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib
if TYPE_CHECKING:
    from importlib.abc import Traversable
    from pathlib import Path

# The register itself: data, one table per code, shipped inside the package.
REGISTER_FILE = "codes.toml"


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

_KEYS = tuple(f.name for f in fields(Code) if f.name != "code")
_REQUIRED = ("severity", "layer", "summary", "explanation", "source")
_CODE_NAME = re.compile(r"[A-Z]\d{3}")


class RegisterError(ValueError):
    """An entry of the register is malformed; the message names the code."""


def _entry(code: str, table: Any) -> Code:
    def bad(why: str) -> RegisterError:
        return RegisterError(f"finding code {code} in the register: {why}")

    if not _CODE_NAME.fullmatch(code):
        raise bad("a code is one capital letter and three digits")
    if not isinstance(table, Mapping):
        raise bad("an entry is a table of keys")
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise bad(f"unknown key {', '.join(map(repr, unknown))}; the keys are {', '.join(_KEYS)}")
    not_text = [key for key, value in table.items() if not isinstance(value, str)]
    if not_text:
        raise bad(f"{', '.join(not_text)} must be a string")
    # A multi-line string may begin or end with a line break; the text is what lies between.
    text = {key: value.strip() for key, value in table.items()}
    missing = [key for key in _REQUIRED if not text.get(key)]
    if missing:
        raise bad(f"{', '.join(missing)} missing")
    entry = Code(code, **text)
    for key, allowed in (("severity", SEVERITIES), ("layer", LAYERS), ("status", STATUSES)):
        if getattr(entry, key) not in allowed:
            raise bad(f"{key} {getattr(entry, key)!r} is not one of {', '.join(allowed)}")
    if entry.severity == ERROR and entry.consequence not in CONSEQUENCES:
        raise bad(f"an error's consequence is one of {', '.join(CONSEQUENCES)}")
    if entry.severity != ERROR and entry.consequence:
        raise bad("only an error has a consequence")
    if (entry.status == REDIRECTED) != bool(entry.redirect_to) or entry.redirect_to == code:
        raise bad("a redirected code, and only one, names another code in redirect_to")
    return entry


def parse(tables: Mapping[str, Any], known: Collection[str] = ()) -> dict[str, Code]:
    """Register entries from their tables (as ``codes.toml`` holds them); redirects must name a code of
    ``tables`` or of ``known``. Raises :class:`RegisterError` naming the first bad code."""
    entries = {code: _entry(code, table) for code, table in tables.items()}
    for entry in entries.values():
        if entry.redirect_to and entry.redirect_to not in entries and entry.redirect_to not in known:
            raise RegisterError(f"finding code {entry.code} in the register: redirect_to names "
                                f"{entry.redirect_to}, which is not in the register")
    return entries


def read_register(path: Traversable | Path) -> dict[str, Code]:
    """The register held by a register file (``codes.toml``, or another file written the same way)."""
    try:
        tables = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RegisterError(f"the register of finding codes {path.name} is not valid TOML: {exc}") from None
    return parse(tables)


_REGISTRY: dict[str, Code] = {}


def _register() -> dict[str, Code]:
    # Read on first use, once: importing qppfiles stays cheap, and the file is found in a wheel too.
    if not _REGISTRY:
        _REGISTRY.update(read_register(files("qppfiles.model") / REGISTER_FILE))
    return _REGISTRY


@contextmanager
def extra_entries(tables: Mapping[str, Any]) -> Iterator[dict[str, Code]]:
    """Codes that exist only inside the block, checked like the file's own entries (for tests)."""
    register = _register()
    added = parse(tables, known=register)
    clash = sorted(set(added) & set(register))
    if clash:
        raise RegisterError(f"finding code {clash[0]} is already in the register")
    register.update(added)
    try:
        yield added
    finally:
        for code in added:
            register.pop(code, None)


def all_codes() -> list[Code]:
    return sorted(_register().values(), key=lambda c: c.code)


def get(code: str) -> Code | None:
    return _register().get(code.upper())


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
