"""The full position map of a JSON text: the offset of every node, by pointer.

Built only when the parse must say where something is that ``json`` does not tell: duplicate keys
and the bare ``NaN``/``Infinity`` literals (or numbers beyond a double).  A single regular
expression tokenises the text; a small stack tracks the pointer of the value being read.  Lines
and columns are the locator's business (:mod:`.locate`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field

from .pointers import escape_token
from .pointers import scanstring

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.S)
_NON_FINITE = {"NaN", "Infinity", "-Infinity"}


def _overflows(token: str) -> bool:
    if len(token) < 4 or token[0] not in "-0123456789" or ("e" not in token and "E" not in token
                                                            and len(token) < 309):
        return False
    try:
        return float(token) in (float("inf"), float("-inf"))
    except ValueError:
        return False


def _unquote(token: str) -> str:
    if "\\" not in token:
        return token[1:-1]
    try:
        return scanstring(token, 1)[0]
    except ValueError:
        return token.strip('"')


@dataclass
class PositionMap:
    # pointer -> offset of the node (of its key, for an object member); the first one for a duplicate
    offsets: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (pointer, offset of the repeated key)
    non_finite: list[tuple[str, int]] = field(default_factory=list)  # (pointer, offset of the number)


@dataclass(slots=True)
class _Frame:
    is_object: bool
    pointer: str
    index: int = 0  # array: the element being read
    keys: set[str] = field(default_factory=set)  # object: the keys seen


def build(text: str) -> PositionMap:
    pm = PositionMap()
    offsets = pm.offsets
    stack: list[_Frame] = []
    expect_key = False
    pending_key = ""

    for m in _TOKEN.finditer(text):
        tok = m.group()
        start = m.start()
        c = tok[0]
        if c in ",:":
            if c == "," and stack:
                frame = stack[-1]
                if frame.is_object:
                    expect_key = True
                else:
                    frame.index += 1
            continue
        if c in "}]":
            if stack:
                stack.pop()
            expect_key = False
            continue
        if expect_key and c == '"':
            key = _unquote(tok)
            frame = stack[-1]
            pointer = f"{frame.pointer}/{escape_token(key)}"
            if key in frame.keys:
                pm.duplicates.append((pointer, start))
            else:
                frame.keys.add(key)
            pending_key = key
            expect_key = False
            offsets.setdefault(pointer, start)
            continue
        if not stack:
            pointer = ""
            offsets.setdefault(pointer, start)
        elif stack[-1].is_object:
            pointer = f"{stack[-1].pointer}/{escape_token(pending_key)}"  # placed at its key
        else:
            pointer = f"{stack[-1].pointer}/{stack[-1].index}"
            offsets.setdefault(pointer, start)
        if c == "{":
            stack.append(_Frame(True, pointer))
            expect_key = True
        elif c == "[":
            stack.append(_Frame(False, pointer))
        elif tok in _NON_FINITE or _overflows(tok):
            pm.non_finite.append((pointer, start))
    return pm
