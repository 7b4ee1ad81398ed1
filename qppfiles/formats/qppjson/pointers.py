"""Offsets of JSON pointers in a text that has been parsed, found without a full position map.

Three searches, each the cheapest in its case; :class:`.locate.JsonLocator` chooses among them:

- :class:`PointerWalk`, one pointer at a time: each object and array is read only as far as a lookup
  needs, and later lookups go on from there, so any number of lookups reads the text about once;
- :func:`one_pass`, many pointers at once: one walk over the text descends only into the members and
  items that lead to a wanted pointer, and stores nothing but the offsets asked for;
- :class:`MeasureIdKeys`, the measureId keys (where most findings point) by plain string search.

The walk and the pass give the offset of a member's key or of an element's value, and True; for a
pointer that does not resolve, the offset of its deepest ancestor that does, and False.  Siblings
are skipped with the C JSON scanner.
"""

from __future__ import annotations

import json.decoder
import re
from collections.abc import Callable
from collections.abc import Iterable
from itertools import accumulate
from typing import Any
from typing import Protocol
from typing import cast

from ...model.digits import is_ascii_digits
from .shape import set_nodes
from .shape import unwrap


# json.decoder's C scanner is public in practice (the json module is built on it) but absent from
# typeshed: these Protocols type the two entry points used here.
class _ScanString(Protocol):
    def __call__(self, s: str, end: int, strict: bool = True, /) -> tuple[str, int]: ...


class _ScanOnce(Protocol):
    def __call__(self, s: str, idx: int, /) -> tuple[Any, int]: ...


scanstring: _ScanString = getattr(json.decoder, "scanstring")  # noqa: B009 - typeshed lacks it
_scan_value: _ScanOnce = getattr(json.decoder.JSONDecoder(), "scan_once")  # noqa: B009 - typeshed lacks it

_WS = re.compile(r"[ \t\n\r]*")
# A member's key and colon; when its value is a scalar, the value and the comma after it too.
_MEMBER = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"[ \t\n\r]*:[ \t\n\r]*'
                     r'(?:("[^"\\]*(?:\\.[^"\\]*)*"|[-+.\w]+)[ \t\n\r]*(?:,[ \t\n\r]*)?)?', re.S)
_SEPARATOR = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")
_COLON = re.compile(r"[ \t\n\r]*:[ \t\n\r]*")


def escape_token(key: str) -> str:
    """A key as a JSON pointer token (RFC 6901)."""
    if "~" in key or "/" in key:
        return key.replace("~", "~0").replace("/", "~1")
    return key


def _segments(pointer: str) -> list[str]:
    return [raw.replace("~1", "/").replace("~0", "~") for raw in pointer.split("/")[1:]]


# The pattern matches the empty string, so it matches at every offset: typed without the None.
_ws = cast("Callable[[str, int], re.Match[str]]", _WS.match)


# ------------------------------------------------------------------ one pointer at a time

class _Container:
    """What has been read of one object or array: its members or elements so far, and where to go on."""

    __slots__ = ("is_object", "members", "elements", "pending", "unskipped", "done")

    def __init__(self, is_object: bool, first: int, done: bool):
        self.is_object = is_object
        self.members: dict[str, tuple[int, int]] = {}  # object: key -> (offset of the key, of the value)
        self.elements: list[int] = []  # array: offset of each element
        self.pending = first  # object: offset of the next member to read
        self.unskipped: int | None = None  # object: value of the last member read, not yet skipped over
        self.done = done


class PointerWalk:
    """Offsets of the nodes of one JSON text, found by pointer and remembered."""

    def __init__(self, text: str):
        self.text = text
        self._containers: dict[int, _Container] = {}  # by offset of the opening bracket

    def find(self, pointer: str) -> tuple[int, bool]:
        """Offset of the node at ``pointer`` (of its key, for an object member), and True.

        When the pointer does not resolve: the offset of the deepest ancestor found, and False.
        """
        value = _ws(self.text, 0).end()
        node = value
        if not pointer:
            return node, True
        try:
            for raw in pointer.split("/")[1:]:
                container = self._container(value)
                if container is None:
                    return node, False
                if container.is_object:
                    found = self._member(container, raw.replace("~1", "/").replace("~0", "~"))
                    if found is None:
                        return node, False
                    node, value = found
                else:
                    element = self._element(container, int(raw)) if is_ascii_digits(raw) else None
                    if element is None:
                        return node, False
                    node = value = element
        except (StopIteration, ValueError, IndexError):
            return node, False
        return node, True

    def _container(self, offset: int) -> _Container | None:
        container = self._containers.get(offset)
        if container is None:
            c = self.text[offset:offset + 1]
            if c not in ("{", "["):
                return None
            first = _ws(self.text, offset + 1).end()
            empty = self.text[first:first + 1] == ("}" if c == "{" else "]")
            container = self._containers[offset] = _Container(c == "{", first, empty)
        return container

    def _member(self, container: _Container, key: str) -> tuple[int, int] | None:
        found = container.members.get(key)
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
            if name not in container.members:
                container.members[name] = (idx, value)
                if name == key:
                    found = (idx, value)
        return found

    def _member_among_scalars(self, container: _Container, key: str) -> tuple[int, int] | None:
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
        found = container.members[key] = (at, colon.end())
        return found

    def _element(self, container: _Container, index: int) -> int | None:
        elements = container.elements
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


# ------------------------------------------------------------------ many pointers in one pass

class _Step:
    """A step of the wanted pointers: where its node starts, once found, and the steps below it."""

    __slots__ = ("children", "offset")

    def __init__(self) -> None:
        self.children: dict[str, _Step] = {}
        self.offset: int | None = None


def one_pass(text: str, pointers: Iterable[str]) -> dict[str, tuple[int, bool]]:
    """:meth:`PointerWalk.find` of each pointer, in one walk over ``text``.

    ``text`` must be valid JSON as json reads it: the walk raises (ValueError, IndexError,
    StopIteration, RecursionError) on text it cannot follow.
    """
    wanted = {p: _segments(p) for p in set(pointers)}
    root = _Step()
    for segments in wanted.values():
        step = root
        for segment in segments:
            step = step.children.setdefault(segment, _Step())
    start = _ws(text, 0).end()
    root.offset = start
    _walk(text, start, root)
    out = {}
    for pointer, segments in wanted.items():
        step, offset, resolved = root, start, True
        for segment in segments:
            step = step.children[segment]
            if step.offset is None:
                resolved = False
                break
            offset = step.offset
        out[pointer] = (offset, resolved)
    return out


def _walk(text: str, idx: int, step: _Step) -> int:
    """Visit the value starting at ``idx``; return the index just past it."""
    if not step.children:
        return _scan_value(text, idx)[1]
    c = text[idx]
    if c == "{":
        idx = _ws(text, idx + 1).end()
        while text[idx] == '"':
            key_start = idx
            key, idx = scanstring(text, idx + 1)
            idx = _ws(text, _ws(text, idx).end() + 1).end()  # past the colon
            idx = _member(text, idx, step.children.get(key), key_start)
        return idx + 1  # the closing brace
    if c == "[":
        idx = _ws(text, idx + 1).end()
        i = 0
        while text[idx] != "]":
            idx = _member(text, idx, step.children.get(str(i)), idx)
            i += 1
        return idx + 1
    return _scan_value(text, idx)[1]


def _member(text: str, idx: int, child: _Step | None, offset: int) -> int:
    """Read the value at ``idx`` (walking it when a pointer goes through it) and the comma after it."""
    if child is None:
        idx = _scan_value(text, idx)[1]
    else:
        # With a duplicate key, each step keeps the first place found, as the other searches do.
        if child.offset is None:
            child.offset = offset
        idx = _walk(text, idx, child)
    idx = _ws(text, idx).end()
    if text[idx] == ",":
        idx = _ws(text, idx + 1).end()
    return idx


# ------------------------------------------------------------------ measureId keys by string search

_MEASURE_ID = '"measureId"'


class MeasureIdKeys:
    """Offsets of the measureId keys of a plain text, found by string search.

    Most findings point at a measureId. In a text without backslashes every quote delimits a
    string, so each ``"measureId"`` is that key or a string equal to it. The text holds at least
    one per measurement that has the key; when it holds exactly that many (no such string or key
    elsewhere, no duplicate that dropped one), they are those keys, in document order. Otherwise
    ``offset`` gives None and the locator decides.
    """

    def __init__(self, text: str, doc: Any):
        self.text = text
        self.sets: dict[str, tuple[int, list[Any]]] = {}  # pointer of a set -> (keys before it, its measurements)
        self.found: list[int] = []  # offsets of the first keys, in text order
        self.ordinals: dict[str, list[int]] = {}  # pointer of a set -> keys before each of its measurements
        obj, base = unwrap(doc)
        if "\\" in text or not isinstance(obj, dict):
            return
        keys = 0
        for pointer, s in set_nodes(obj, base):
            listed = s.get("measurements") if type(s) is dict else None
            if type(listed) is list:
                self.sets[pointer] = (keys, listed)
                keys += sum(1 for m in listed if type(m) is dict and "measureId" in m)
        if text.count(_MEASURE_ID) != keys:
            self.sets = {}

    def offset(self, pointer: str) -> int | None:
        """Offset of the key at ``pointer`` (".../measurements/N/measureId"), or None."""
        head, sep, tail = pointer.rpartition("/measurements/")
        index = tail[:-len("/measureId")]
        entry = self.sets.get(head) if sep and tail.endswith("/measureId") else None
        if entry is None or not is_ascii_digits(index) or int(index) >= len(entry[1]):
            return None
        before, listed = entry
        j = int(index)
        if type(listed[j]) is not dict or "measureId" not in listed[j]:
            return None
        ordinals = self.ordinals.get(head)
        if ordinals is None:  # the keys before each measurement of the set, counted once
            ordinals = self.ordinals[head] = list(accumulate(
                (type(m) is dict and "measureId" in m for m in listed), initial=before))
        k = ordinals[j]
        found, find = self.found, self.text.find
        while len(found) <= k:
            found.append(find(_MEASURE_ID, found[-1] + 1 if found else 0))
        return found[k]
