"""Line and column of JSON pointers in a QPP JSON text: the one locator of the package.

Built from the decoded text (and, when the parse had them, the document and the full position map),
it costs nothing until asked: files without findings are never located.  It chooses the search:

- the parse's full position map, when the parse built one (duplicate keys, bad numbers);
- else, for one pointer or a few: the measureId key search, then the remembering pointer walk;
- for more than ``ONE_PASS_ABOVE`` pointers at once: one pass over the text for them all.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from typing import Any

from ...model.findings import Location
from .pointers import MeasureIdKeys
from .pointers import PointerWalk
from .pointers import one_pass
from .tokens import PositionMap

# Below this size a lookup counts newlines; above it, the line starts are indexed once.
_COUNT_LINES_BELOW = 1 << 20


class JsonLocator:
    """JSON pointer -> offset, line and column, in one text that json reads."""

    # Between these numbers of pointers asked at once, one pass over the text places them all; fewer
    # (or more) are placed one by one, where the remembering walk also reads the text about once.
    ONE_PASS_ABOVE = 32
    ONE_PASS_MAX = 50_000

    def __init__(self, text: str, document: Any = None, positions: PositionMap | None = None):
        """``document``: the parsed text, None when the parse failed; ``positions``: the parse's full map."""
        self.text = text
        self._document = document
        self._offsets = positions.offsets if positions is not None and positions.offsets else None
        self._walk: PointerWalk | None = None
        self._measure_ids: MeasureIdKeys | None = None
        self._line_starts: list[int] | None = None

    # ------------------------------------------------------------ offsets

    def find(self, pointer: str) -> tuple[int, bool] | None:
        """Offset of the node at ``pointer`` (of its key, for an object member) and True.

        For a pointer that does not resolve: the offset of its deepest ancestor that does, and False;
        None only when not even the top-level value can be placed."""
        if self._offsets is not None:
            return _nearest(self._offsets, pointer)
        if pointer.endswith("/measureId") and self._document is not None:
            if self._measure_ids is None:
                self._measure_ids = MeasureIdKeys(self.text, self._document)
            offset = self._measure_ids.offset(pointer)
            if offset is not None:
                return offset, True
        if self._walk is None:
            self._walk = PointerWalk(self.text)
        return self._walk.find(pointer)

    def find_all(self, pointers: Iterable[str]) -> dict[str, tuple[int, bool]]:
        """:meth:`find` of each pointer (those that can be placed), in one pass when there are many."""
        wanted = set(pointers)
        if self.ONE_PASS_ABOVE < len(wanted) <= self.ONE_PASS_MAX:
            try:
                return one_pass(self.text, wanted)
            except (ValueError, IndexError, StopIteration, RecursionError):
                pass  # text that only the careful parse reads: one by one, as it allows
        found = {}
        for pointer in wanted:
            place = self.find(pointer)
            if place is not None:
                found[pointer] = place
        return found

    # ------------------------------------------------------------ lines and columns

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset."""
        text = self.text
        if self._line_starts is None and self._offsets is None and len(text) < _COUNT_LINES_BELOW:
            # A few lookups (the usual case): counting newlines in C beats indexing every line.
            return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)
        if self._line_starts is None:
            starts = [0]
            find = text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset)
        return line, offset - self._line_starts[line - 1] + 1

    def line_columns(self, offsets: Iterable[int]) -> dict[int, tuple[int, int]]:
        """:meth:`line_col` of many offsets, in one forward pass over the text."""
        text = self.text
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

    def position(self, pointer: str) -> tuple[int, int] | None:
        """Line and column of the node at ``pointer``, or of its deepest ancestor that resolves."""
        place = self.find(pointer)
        return None if place is None else self.line_col(place[0])

    def positions(self, pointers: Iterable[str]) -> dict[str, tuple[int, int]]:
        """:meth:`position` of many pointers at once (those that can be placed)."""
        found = self.find_all(pointers)
        if len(found) == 1:
            ((pointer, (offset, _)),) = found.items()
            return {pointer: self.line_col(offset)}
        lines = self.line_columns(offset for offset, _ in found.values())
        return {pointer: lines[offset] for pointer, (offset, _) in found.items()}

    # ------------------------------------------------------------ findings' locations

    def locate(self, location: Location) -> Location:
        """The location with line and column filled from its pointer (unchanged without one, or when placed)."""
        if location.pointer is None or location.line is not None:
            return location
        pos = self.position(location.pointer)
        if pos is None:
            return location
        return Location(location.pointer, location.xpath, pos[0], pos[1])

    def locate_all(self, locations: list[Location]) -> list[Location]:
        """:meth:`locate` of each location, linear in the text and the locations whatever their number."""
        placed = self.positions({loc.pointer for loc in locations if loc.pointer is not None and loc.line is None})
        return [Location(loc.pointer, loc.xpath, *placed[loc.pointer])
                if loc.pointer is not None and loc.line is None and loc.pointer in placed else loc
                for loc in locations]


def _nearest(offsets: dict[str, int], pointer: str) -> tuple[int, bool] | None:
    exact = True
    while True:
        offset = offsets.get(pointer)
        if offset is not None:
            return offset, exact
        if not pointer:
            return None
        pointer = pointer.rsplit("/", 1)[0]
        exact = False
