"""Edits of a valid QPP JSON document, one per finding code: the registry behind faults and near misses.

An edit is ``fn(doc, env)``: it changes ``doc`` (a fresh copy) and returns it, returns the file's bytes, or
returns None when it does not apply to that document.  Most edits find one part of the document (a
measurement set, a rate, the counts) and change fields of it; they are written as :func:`at` a place
with :func:`setting` the fields, so that a table of rows can hold them.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from typing import Any
from typing import TypeVar

from ..program.year_facts import YearFacts

Result = dict | bytes | None
Edit = Callable[[dict, "Env"], Result]
Place = Callable[[dict, "Env"], "dict | None"]
# A new field value: the value itself, or a function of the part being edited and the Env.
Value = Any
Row = tuple[str, str, Place, Mapping[str, Value]]
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class FaultError(ValueError):
    """A fault or near miss cannot be applied to this submission."""


class DoesNotApply(Exception):
    """Raised by an edit :func:`at` a place: the place is there, but the edit does not apply to it."""


def needed(value: T) -> T:
    """``value``, when it is something (not None, zero or empty); else the edit does not apply."""
    if not value:
        raise DoesNotApply
    return value


@dataclass
class Env(YearFacts):
    """What an edit may look at: the year's rules and catalog, the level, a random source, and whether a near
    miss steps one unit past its boundary (``over``)."""

    year: int
    level: str
    rng: random.Random
    over: bool = False

    @property
    def past(self) -> int:
        """1 when the edit steps one unit past the boundary, else 0."""
        return 1 if self.over else 0


@dataclass(frozen=True)
class Entry:
    code: str
    summary: str
    fn: Edit
    crosses: bool = False  # a near miss whose edit, with over=True, steps one unit past the boundary


class Edits(dict[str, Entry]):
    """The edits of one kind ("fault injector", "near miss"), by finding code."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def add(self, code: str, summary: str, fn: Edit, crosses: bool = False) -> None:
        if code in self:
            raise ValueError(f"two {self.kind}s for {code}")
        self[code] = Entry(code, summary, fn, crosses)

    def register(self, code: str, summary: str, crosses: bool = False) -> Callable[[F], F]:
        """Decorator: register ``fn(doc, env)`` as the edit of ``code``."""
        def decorate(fn: F) -> F:
            self.add(code, summary, fn, crosses)
            return fn

        return decorate

    def add_rows(self, rows: Iterable[Row], crosses: bool = False) -> None:
        """Register table rows (code, summary, place, {field: value}): set those fields of that place."""
        for code, summary, place, changes in rows:
            self.add(code, summary, at(place)(setting(changes)), crosses)

    def entry(self, code: str) -> Entry:
        found = self.get(code)
        if found is None:
            raise FaultError(f"no {self.kind} for {code}; known: {', '.join(sorted(self))}")
        return found

    def apply(self, doc: dict, code: str, env: Env) -> Result:
        """The edit of ``code`` applied to a copy of ``doc``; None when it does not apply."""
        return self.entry(code).fn(copy.deepcopy(doc), env)


def at(place: Place) -> Callable[[Callable[[dict, Env], object]], Edit]:
    """Decorator: run ``fn(part, env)`` on the part of the document ``place(doc, env)`` finds, and return the
    document; None when there is no such part or ``fn`` raises :class:`DoesNotApply`."""
    def decorate(fn: Callable[[dict, Env], object]) -> Edit:
        def edit(doc: dict, env: Env) -> Result:
            part = place(doc, env)
            if part is None:
                return None
            try:
                fn(part, env)
            except DoesNotApply:
                return None
            return doc

        return edit

    return decorate


def setting(changes: Mapping[str, Value]) -> Callable[[dict, Env], None]:
    """Set each field in turn to its value, or to ``value(part, env)`` for a function."""
    def change(part: dict, env: Env) -> None:
        for name, value in changes.items():
            part[name] = value(part, env) if callable(value) else copy.deepcopy(value)

    return change


def side(clean: Value, over: Value) -> Callable[[dict, Env], Any]:
    """A value for a near miss: ``clean`` on the boundary, ``over`` one unit past it."""
    return lambda part, env: over if env.over else clean


def stepping(env: Env, over: bool) -> Env:
    """``env`` for the clean side of a near miss or (``over``) one unit past it, with the same random source."""
    return replace(env, over=over)


__all__ = ["DoesNotApply", "Edits", "Entry", "Env", "FaultError", "Result", "at", "needed", "setting", "side",
           "stepping"]
