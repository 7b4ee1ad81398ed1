"""Positions of JSON nodes: JSON pointer -> (line, column).

Built only for files that have findings to locate.  A single regular
expression tokenises the text; a small stack tracks the pointer of the value
being read.  It also finds what ``json`` cannot tell us about positions:
duplicate keys and the bare ``NaN``/``Infinity`` literals.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.S)
_NON_FINITE = {"NaN", "Infinity", "-Infinity"}


def escape_token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _overflows(token: str) -> bool:
    if token[0] not in "-0123456789" or not any(c in token for c in ".eE"):
        return False
    try:
        return float(token) in (float("inf"), float("-inf"))
    except ValueError:
        return False


def _unquote(token: str) -> str:
    import json

    try:
        return json.loads(token)
    except ValueError:
        return token.strip('"')


@dataclass
class PositionMap:
    text: str
    offsets: Dict[str, int] = field(default_factory=dict)
    duplicates: List[Tuple[str, int]] = field(default_factory=list)
    non_finite: List[Tuple[str, int]] = field(default_factory=list)
    _line_starts: Optional[List[int]] = None

    def line_col(self, offset: int) -> Tuple[int, int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def position(self, pointer: str) -> Optional[Tuple[int, int]]:
        """Line and column of the node at ``pointer``, or of its nearest located ancestor."""
        while True:
            off = self.offsets.get(pointer)
            if off is not None:
                return self.line_col(off)
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def build(text: str) -> PositionMap:
    pm = PositionMap(text)
    offsets = pm.offsets
    # Each frame: [kind, pointer, next index or pending key, keys seen]
    stack: list = []
    expect_key = False
    pending_key: Optional[str] = None

    def value_pointer() -> str:
        if not stack:
            return ""
        frame = stack[-1]
        if frame[0] == "[":
            return f"{frame[1]}/{frame[2]}"
        return f"{frame[1]}/{escape_token(pending_key or '')}"

    for m in _TOKEN.finditer(text):
        tok = m.group()
        start = m.start()
        c = tok[0]
        if c in ",:":
            if c == "," and stack:
                frame = stack[-1]
                if frame[0] == "[":
                    frame[2] += 1
                else:
                    expect_key = True
            continue
        if c in "}]":
            if stack:
                stack.pop()
            expect_key = False
            continue
        if expect_key and c == '"':
            key = _unquote(tok)
            frame = stack[-1]
            pointer = f"{frame[1]}/{escape_token(key)}"
            if key in frame[3]:
                pm.duplicates.append((pointer, start))
            else:
                frame[3].add(key)
            pending_key = key
            expect_key = False
            offsets.setdefault(pointer, start)
            continue
        pointer = value_pointer()
        if stack and stack[-1][0] == "[":
            offsets.setdefault(pointer, start)
        elif not stack:
            offsets.setdefault(pointer, start)
        if c == "{":
            stack.append(["{", pointer, None, set()])
            expect_key = True
        elif c == "[":
            stack.append(["[", pointer, 0, None])
        elif tok in _NON_FINITE or _overflows(tok):
            pm.non_finite.append((pointer, start))
    return pm
