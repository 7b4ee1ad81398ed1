"""Program rules: one small function per rule, each with a stable code.

A rule is a generator ``fn(ctx)`` that yields :class:`Hit` objects; the
runner turns them into findings with the rule's code, severity and layer.
Rules read the model, the year pack and the catalog through :class:`Context`;
they never parse.  A rule must tolerate missing or mistyped fields (``None``
in the model): the schema layer has already reported those.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field

from ..model.codes import REMOVED
from ..model.codes import Code
from ..model.codes import get
from ..model.findings import Finding
from ..model.findings import Location
from ..model.options import Options
from ..model.submission import Submission
from ..program.year_facts import YearFacts
from .cache import RuleCache


@dataclass(frozen=True, slots=True)
class Hit:
    ref: str
    message: str
    measure_id: str | None = None


@dataclass
class Context(YearFacts):
    submission: Submission
    year: int
    options: Options = field(default_factory=Options)
    # QRDA III models carry XPath references; QPP JSON models carry JSON pointers.
    xpath_refs: bool = False
    # Values several rules need (catalog records, rates), computed once per file.
    cache: RuleCache = field(default_factory=RuleCache, repr=False, compare=False)


@dataclass(frozen=True)
class Rule:
    code: Code
    fn: Callable[[Context], Iterable[Hit]]


_RULES: list[Rule] = []

# Rule modules, in the order their findings are most useful to read.
_RULE_MODULES = (
    "identifiers", "periods", "catalog_rules", "arithmetic", "quality", "ia", "pi", "mvp", "methods",
)


class RuleCodeError(LookupError):
    """A rule function names a code the register (``model/codes.toml``) does not hold as a rule, or a taken one."""


def rule(code: str):
    """Register a rule function under a finding code of the register, which gives its severity and prose.

    A removed rule keeps its code in the register, but its function is never run."""
    entry = get(code)
    if entry is None or entry.code != code:
        raise RuleCodeError(f"rule code {code} is not in the register of finding codes (qppfiles/model/codes.toml)")
    if entry.layer != "rules":
        raise RuleCodeError(f"rule code {code} is of the {entry.layer} layer in the register, not rules")
    if any(r.code.code == code for r in _RULES):
        raise RuleCodeError(f"rule code {code} is already taken by another rule function")

    def decorate(fn):
        if entry.status != REMOVED:
            _RULES.append(Rule(entry, fn))
        return fn

    return decorate


_loaded = False


def _load_rules() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for name in _RULE_MODULES:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise


def rules() -> list[Rule]:
    _load_rules()
    return list(_RULES)


def run(ctx: Context) -> Iterator[Finding]:
    for r in rules():
        for hit in r.fn(ctx):
            ref = hit.ref or ""
            loc = Location(xpath=ref) if ctx.xpath_refs else Location(pointer=ref)
            yield Finding.of(r.code.code, hit.message, loc, measure_id=hit.measure_id)


_load_rules()
