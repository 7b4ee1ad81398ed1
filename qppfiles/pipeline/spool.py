"""Paths kept for later in order, in memory up to a bound and in an anonymous temporary file beyond.

A run over a directory reports its files grouped by options, after the directories it could not
list, so every path is found before the first is checked; a spool keeps the parent's memory the
same for a hundred files or a million.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import IO

LIMIT = 256 * 1024  # bytes of paths held in memory before they go to the temporary file
_BLOCK = 64 * 1024
_END = b"\0"  # never part of a path


class PathSpool:
    """Paths added one at a time and read back, once, in the same order; ``len()`` counts them."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = LIMIT if limit is None else limit
        self._pending = bytearray()
        self._file: IO[bytes] | None = None
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, path: str) -> None:
        self._pending += os.fsencode(path) + _END
        self._count += 1
        if len(self._pending) >= self.limit:
            self._spill()

    def _spill(self) -> None:
        if self._file is None:
            try:
                self._file = tempfile.TemporaryFile()
            except OSError:  # no writable temporary directory: keep them in memory instead
                self.limit = 2 * len(self._pending)
                return
        # A write that fails (a full disk) is not retried: what reached the file would come back twice.
        self._file.write(self._pending)
        self._pending.clear()

    def __iter__(self) -> Iterator[str]:
        spilled = self._file
        if spilled is not None:
            spilled.seek(0)
            rest = b""
            for block in iter(lambda: spilled.read(_BLOCK), b""):
                *paths, rest = (rest + block).split(_END)
                yield from map(os.fsdecode, paths)
        *paths, _ = bytes(self._pending).split(_END)
        yield from map(os.fsdecode, paths)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self._pending = bytearray()
