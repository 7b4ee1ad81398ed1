"""Glob patterns with .gitignore meaning (gitwildmatch), matched in time linear in the path's length
times the pattern's: configuration and .gitignore files come from the repository being checked, and a
regular-expression translation of a pattern such as ``a*a*a*a*b`` backtracks for ages on a long name.

Patterns plug into ``pathspec`` (``PathSpec``), which keeps the last-match-wins and ``!`` negation rules.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence
from functools import lru_cache

import pathspec

_STAR = "*"
_ANY = "?"


def _class_token(text: str, i: int) -> tuple[tuple | None, int]:
    """A ``[...]`` character class starting at ``text[i]``, and the index after it; None if unclosed."""
    j = i + 1
    negate = j < len(text) and text[j] in "!^"
    if negate:
        j += 1
    ranges: list[tuple[str, str]] = []
    first = True
    while j < len(text) and (text[j] != "]" or first):
        first = False
        c = text[j]
        if c == "\\" and j + 1 < len(text):
            j += 1
            c = text[j]
        if j + 2 < len(text) and text[j + 1] == "-" and text[j + 2] != "]":
            ranges.append((c, text[j + 2]))
            j += 3
        else:
            ranges.append((c, c))
            j += 1
    if j >= len(text):
        return None, i + 1
    return ("class", tuple(ranges), negate), j + 1


@lru_cache(maxsize=4096)
def _segment_tokens(segment: str) -> tuple | None:
    """The tokens of one path segment's glob, or None when the segment has no wildcard."""
    if not any(c in segment for c in "*?[\\"):
        return None
    tokens: list = []
    i = 0
    while i < len(segment):
        c = segment[i]
        if c == "*":
            if not tokens or tokens[-1] is not _STAR:  # consecutive stars match what one does
                tokens.append(_STAR)
            i += 1
        elif c == "?":
            tokens.append(_ANY)
            i += 1
        elif c == "[":
            token, i = _class_token(segment, i)
            tokens.append(token if token is not None else ("lit", "["))
        elif c == "\\" and i + 1 < len(segment):
            tokens.append(("lit", segment[i + 1]))
            i += 2
        else:
            tokens.append(("lit", c))
            i += 1
    return tuple(tokens)


def _one(token, c: str) -> bool:
    if token is _ANY:
        return True
    if token[0] == "lit":
        return token[1] == c
    inside = any(lo <= c <= hi for lo, hi in token[1])
    return inside != token[2]


def segment_matches(tokens: tuple | None, literal: str, name: str) -> bool:
    """Whether one path segment matches one glob segment: greedy, backing up only to the last star."""
    if tokens is None:
        return literal == name
    ti = si = 0
    star, mark = -1, 0
    while si < len(name):
        if ti < len(tokens) and tokens[ti] is _STAR:
            star, mark = ti, si
            ti += 1
        elif ti < len(tokens) and _one(tokens[ti], name[si]):
            ti += 1
            si += 1
        elif star >= 0:
            ti = star + 1
            mark += 1
            si = mark
        else:
            return False
    while ti < len(tokens) and tokens[ti] is _STAR:
        ti += 1
    return ti == len(tokens)


class WildMatch(pathspec.Pattern):
    """One gitwildmatch pattern: ``!`` negates, a trailing ``/`` matches directories only, a pattern
    without an inner ``/`` matches at any depth, ``**`` spans directories, and a match of a directory
    covers everything inside it."""

    __slots__ = ("text", "segments", "dir_only")

    def __init__(self, line: str):
        text = line.rstrip("\n\r")
        include: bool | None = True
        if not text.strip() or text.startswith("#"):
            include = None
        elif text.startswith("!"):
            include, text = False, text[1:]
        elif text.startswith(("\\!", "\\#")):
            text = text[1:]
        super().__init__(include)
        text = text.rstrip(" ") if not text.endswith("\\ ") else text
        self.text = text
        self.dir_only = text.endswith("/")
        body = text.rstrip("/")
        if body.startswith("./"):
            body = body[2:]
        anchored = "/" in body
        parts = [p for p in body.strip("/").split("/") if p]
        if not anchored and parts != ["**"]:
            parts = ["**", *parts]
        self.segments = tuple((p, _segment_tokens(p)) for p in parts)
        if include is not None and not parts:
            self.include = None

    def match_file(self, file: str):
        is_dir = file.endswith("/")
        names = [n for n in file.split("/") if n]
        return True if self.matches(names, is_dir) else None

    def matches(self, names: Sequence[str], is_dir: bool = False) -> bool:
        # reach: how many leading names the pattern's segments so far can consume.
        reach = {0}
        last = len(self.segments) - 1
        for i, (literal, tokens) in enumerate(self.segments):
            if not reach:
                return False
            if literal == "**":
                low = min(reach) + (1 if i == last and i > 0 else 0)  # "dir/**" is what is inside dir
                reach = set(range(low, len(names) + 1))
            else:
                reach = {j + 1 for j in reach if j < len(names) and segment_matches(tokens, literal, names[j])}
        # Matching a leading part of the path means matching a directory holding the file.
        return any(j < len(names) or not self.dir_only or is_dir for j in reach)


class Globs:
    """A list of patterns relative to ``base``; ``match(path)`` follows gitignore's last-match-wins."""

    def __init__(self, patterns: Iterable[str]):
        self.patterns = tuple(patterns)
        self.spec = pathspec.PathSpec([WildMatch(p) for p in self.patterns])

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def match(self, relative: str, is_dir: bool = False) -> bool:
        relative = relative.replace("\\", "/")
        if relative.startswith("./"):
            relative = relative[2:]
        if relative.startswith("../") or relative == "..":
            return False
        return bool(self.spec.match_file(relative + "/" if is_dir else relative))


@lru_cache(maxsize=256)
def compiled(patterns: tuple[str, ...]) -> Globs:
    return Globs(patterns)


def matches(relative: str, patterns: Iterable[str], is_dir: bool = False) -> bool:
    """Whether ``relative`` (a /-separated path) matches any of ``patterns``, negations applied."""
    return compiled(tuple(patterns)).match(relative, is_dir)
