"""Offsets of many JSON pointers in one pass over the text.

Locating pointers one at a time costs a scan of their preceding siblings each; building a full
position map costs a Python-level step and a stored pointer for every token of the file (for a
40 MB file, seconds and hundreds of MB). This walks the text once, descending only into the
members and items that lead to a wanted pointer and skipping everything else with the C JSON
scanner, and stores nothing but the offsets asked for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from json.decoder import scanstring

_WS = re.compile(r"[ \t\n\r]*")
_scan_value = json.JSONDecoder().scan_once


class _Node:
    """A step of the wanted pointers: where its node starts, once found, and the steps below it."""

    __slots__ = ("children", "offset")

    def __init__(self):
        self.children: dict[str, _Node] = {}
        self.offset: int | None = None


def _segments(pointer: str) -> list:
    return [raw.replace("~1", "/").replace("~0", "~") for raw in pointer.split("/")[1:]]


def locate_pointers(text: str, pointers: Iterable[str]) -> dict[str, int]:
    """Offset in ``text`` of each pointer's node: its key for an object member, else its value.

    A pointer that does not resolve gets the offset of its deepest ancestor that does, like
    :meth:`PositionMap.position`. ``text`` must be valid JSON (it has already been parsed).
    """
    wanted = {p: _segments(p) for p in set(pointers)}
    root = _Node()
    for segments in wanted.values():
        node = root
        for segment in segments:
            node = node.children.setdefault(segment, _Node())
    start = _WS.match(text, 0).end()
    root.offset = start
    _walk(text, start, root)
    out = {}
    for pointer, segments in wanted.items():
        node, offset = root, root.offset
        for segment in segments:
            node = node.children[segment]
            if node.offset is None:
                break
            offset = node.offset
        out[pointer] = offset
    return out


def line_columns(text: str, offsets: Iterable[int]) -> dict[int, tuple[int, int]]:
    """1-based line and column of each offset, in one forward pass over the text."""
    placed: dict[int, tuple[int, int]] = {}
    line, line_end, pos = 1, -1, 0  # line_end: the newline before the current line
    for offset in sorted(set(offsets)):
        line += text.count("\n", pos, offset)
        newline = text.rfind("\n", pos, offset)
        if newline != -1:
            line_end = newline
        placed[offset] = (line, offset - line_end)
        pos = offset
    return placed


def _walk(text: str, idx: int, node: _Node) -> int:
    """Visit the value starting at ``idx``; return the index just past it."""
    if not node.children:
        return _scan_value(text, idx)[1]
    ws = _WS.match
    c = text[idx]
    if c == "{":
        idx = ws(text, idx + 1).end()
        while text[idx] == '"':
            key_start = idx
            key, idx = scanstring(text, idx + 1)
            idx = ws(text, ws(text, idx).end() + 1).end()  # past the colon
            idx = _member(text, idx, node.children.get(key), key_start)
        return idx + 1  # the closing brace
    if c == "[":
        idx = ws(text, idx + 1).end()
        i = 0
        while text[idx] != "]":
            idx = _member(text, idx, node.children.get(str(i)), idx)
            i += 1
        return idx + 1
    return _scan_value(text, idx)[1]


def _member(text: str, idx: int, child: _Node | None, offset: int) -> int:
    """Read the value at ``idx`` (walking it when a pointer goes through it) and the comma after it."""
    if child is None:
        idx = _scan_value(text, idx)[1]
    else:
        # With a duplicate key, each node keeps the first place found, as a PositionMap does.
        if child.offset is None:
            child.offset = offset
        idx = _walk(text, idx, child)
    idx = _WS.match(text, idx).end()
    if text[idx] == ",":
        idx = _WS.match(text, idx + 1).end()
    return idx
