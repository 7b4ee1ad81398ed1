"""Positions of JSON nodes: JSON pointer -> (line, column).

Built only for files that have findings to locate.  A single regular
expression tokenises the text; a small stack tracks the pointer of the value
being read.  It also finds what ``json`` cannot tell us about positions:
duplicate keys and the bare ``NaN``/``Infinity`` literals.
"""

from __future__ import annotations

import bisect
import json
import re
from json.decoder import scanstring
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+', re.S)
_NON_FINITE = {"NaN", "Infinity", "-Infinity"}
# Below this size a lookup counts newlines; above it, the line starts are indexed once.
_COUNT_LINES_BELOW = 1 << 20


def escape_token(key: str) -> str:
    if "~" in key or "/" in key:
        return key.replace("~", "~0").replace("/", "~1")
    return key


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
        if self._line_starts is None and not self.offsets and len(self.text) < _COUNT_LINES_BELOW:
            # A few lookups (the usual case): counting newlines in C beats indexing every line.
            return self.text.count("\n", 0, offset) + 1, offset - self.text.rfind("\n", 0, offset)
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


# ------------------------------------------------------------- single-pointer lookup

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_scan_value = _DECODER.scan_once


def _unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def find(text: str, pointer: str) -> Tuple[int, bool]:
    """Offset of the node at ``pointer`` (of its key, for an object member).

    Siblings are skipped with the C JSON scanner, so locating a few pointers in a
    large file costs far less than building a whole :class:`PositionMap`.  When the
    pointer does not resolve, returns the offset of the deepest ancestor found and
    False.
    """
    ws = _WS.match
    idx = ws(text, 0).end()
    node_offset = idx
    if not pointer:
        return node_offset, True
    for raw in pointer.split("/")[1:]:
        segment = _unescape_token(raw)
        if idx >= len(text):
            return node_offset, False
        c = text[idx]
        try:
            if c == "{":
                idx = ws(text, idx + 1).end()
                found = False
                while idx < len(text) and text[idx] == '"':
                    key_start = idx
                    key, idx = scanstring(text, idx + 1)
                    idx = ws(text, idx).end() + 1  # the colon
                    idx = ws(text, idx).end()
                    if key == segment:
                        node_offset, found = key_start, True
                        break
                    _, idx = _scan_value(text, idx)
                    idx = ws(text, idx).end()
                    if idx < len(text) and text[idx] == ",":
                        idx = ws(text, idx + 1).end()
                if not found:
                    return node_offset, False
            elif c == "[":
                if not segment.isdigit():
                    return node_offset, False
                target = int(segment)
                idx = ws(text, idx + 1).end()
                for _ in range(target):
                    if idx >= len(text) or text[idx] == "]":
                        return node_offset, False
                    _, idx = _scan_value(text, idx)
                    idx = ws(text, idx).end()
                    if idx < len(text) and text[idx] == ",":
                        idx = ws(text, idx + 1).end()
                if idx >= len(text) or text[idx] == "]":
                    return node_offset, False
                node_offset = idx
            else:
                return node_offset, False
        except (StopIteration, ValueError, IndexError):
            return node_offset, False
    return node_offset, True
