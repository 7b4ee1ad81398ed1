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
from dataclasses import dataclass, field
from json.decoder import scanstring

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
    offsets: dict[str, int] = field(default_factory=dict)
    duplicates: list[tuple[str, int]] = field(default_factory=list)
    non_finite: list[tuple[str, int]] = field(default_factory=list)
    _line_starts: list[int] | None = None

    def line_col(self, offset: int) -> tuple[int, int]:
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

    def position(self, pointer: str) -> tuple[int, int] | None:
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
    pending_key: str | None = None

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


# ------------------------------------------------------------- lookups by pointer

_WS = re.compile(r"[ \t\n\r]*")
# A member's key and colon; when its value is a scalar, the value and the comma after it too.
_MEMBER = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"[ \t\n\r]*:[ \t\n\r]*'
                     r'(?:("[^"\\]*(?:\\.[^"\\]*)*"|[-+.\w]+)[ \t\n\r]*(?:,[ \t\n\r]*)?)?', re.S)
_SEPARATOR = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")
_DECODER = json.JSONDecoder()
_scan_value = _DECODER.scan_once


def _unescape_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


class _Container:
    """What has been read of one object or array: its members or elements so far, and where to go on."""

    __slots__ = ("is_object", "children", "pending", "unskipped", "done")

    def __init__(self, is_object: bool, first: int, done: bool):
        self.is_object = is_object
        # object: key -> (offset of the key, offset of the value); array: [offset of each element]
        self.children = {} if is_object else []
        self.pending = first  # object: offset of the next member to read
        self.unskipped: int | None = None  # object: value of the last member read, not yet skipped over
        self.done = done


class Locator:
    """Offsets of the nodes of one JSON text, found by pointer and remembered.

    Each object and array is read only as far as a lookup needs, and later lookups go on from
    there, so locating any number of pointers reads the text about once.  Siblings are skipped
    with the C JSON scanner.
    """

    def __init__(self, text: str):
        self.text = text
        self._containers: dict[int, _Container] = {}  # by offset of the opening bracket

    def find(self, pointer: str) -> tuple[int, bool]:
        """Offset of the node at ``pointer`` (of its key, for an object member), and True.

        When the pointer does not resolve: the offset of the deepest ancestor found, and False.
        """
        text = self.text
        value = _WS.match(text, 0).end()
        node = value
        if not pointer:
            return node, True
        try:
            for raw in pointer.split("/")[1:]:
                container = self._container(value)
                if container is None:
                    return node, False
                if container.is_object:
                    found = self._member(container, _unescape_token(raw))
                    if found is None:
                        return node, False
                    node, value = found
                else:
                    if not (raw.isascii() and raw.isdigit()):
                        return node, False
                    value = self._element(container, int(raw))
                    if value is None:
                        return node, False
                    node = value
        except (StopIteration, ValueError, IndexError):
            return node, False
        return node, True

    def _container(self, offset: int) -> _Container | None:
        container = self._containers.get(offset)
        if container is None:
            c = self.text[offset:offset + 1]
            if c not in ("{", "["):
                return None
            first = _WS.match(self.text, offset + 1).end()
            empty = self.text[first:first + 1] == ("}" if c == "{" else "]")
            container = self._containers[offset] = _Container(c == "{", first, empty)
        return container

    def _member(self, container: _Container, key: str):
        found = container.children.get(key)
        if found is None and not container.done and container.unskipped is None:
            found = self._member_among_scalars(container, key)
        text = self.text
        while found is None and not container.done:
            if container.unskipped is not None:
                after = _SEPARATOR.match(text, _scan_value(text, container.unskipped)[1])
                container.unskipped = None
                if after is None:
                    container.done = True
                    break
                container.pending = after.end()
            idx = container.pending
            match = _MEMBER.match(text, idx)
            if match is None:
                container.done = True
                break
            name = match.group(1)
            if "\\" in name:
                name = scanstring(text, idx + 1)[0]
            if match.group(2) is None:  # an object or array: skipped over only if a later lookup needs to
                value = container.unskipped = match.end()
            else:
                value = match.start(2)
                container.pending = match.end()
            if name not in container.children:
                container.children[name] = (idx, value)
                if name == key:
                    found = (idx, value)
        return found

    def _member_among_scalars(self, container: _Container, key: str):
        """The member found by a plain text search, when only scalar members stand before it.

        With no bracket (opening or closing) and no backslash between the next member and the
        first ``"key"``, every quote in between delimits a string of this object, so an even number
        of them means the match starts a string here; followed by a colon, it is the key.  A closing
        bracket in between may end this object, and the match would then belong to an outer one.
        Otherwise: None, and the caller reads member by member.
        """
        if '"' in key or "\\" in key or not key.isprintable():
            return None
        text = self.text
        start = container.pending
        at = text.find(f'"{key}"', start)
        if at < 0:
            return None
        between = text[start:at]
        if any(c in between for c in '{}[]\\') or between.count('"') % 2:
            return None
        colon = _COLON.match(text, at + len(key) + 2)
        if colon is None:
            return None
        found = container.children[key] = (at, colon.end())
        return found

    def _element(self, container: _Container, index: int) -> int | None:
        elements = container.children
        text = self.text
        if not elements and not container.done:
            elements.append(container.pending)
        while len(elements) <= index and not container.done:
            after = _SEPARATOR.match(text, _scan_value(text, elements[-1])[1])
            if after is None:
                container.done = True
            else:
                elements.append(after.end())
        return elements[index] if index < len(elements) else None


def find(text: str, pointer: str) -> tuple[int, bool]:
    """Offset of the node at ``pointer`` in ``text``: see :meth:`Locator.find`."""
    return Locator(text).find(pointer)
