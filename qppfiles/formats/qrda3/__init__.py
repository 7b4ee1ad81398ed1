"""QRDA Category III: hardened reader, writer, and strict (XSD + schematron) conformance.

Public API::

    read(data: bytes, path: str | None = None, *, max_bytes=200 MB, catalog=None, year=None) -> ReadResult
    write(submission, *, catalog=None) -> bytes            # raises QrdaWriteError
    strict.validate(data_or_tree, ig_dir, year=None) -> list[Finding]
"""

from __future__ import annotations

import importlib

from .reader import read


def write(submission, **kwargs) -> bytes:
    from .writer import write as _write

    return _write(submission, **kwargs)


def __getattr__(name):
    # Lazy: strict mode and the writer are not needed to read a file.
    if name in ("strict", "writer"):
        return importlib.import_module(f"{__name__}.{name}")
    if name == "QrdaWriteError":
        return importlib.import_module(f"{__name__}.writer").QrdaWriteError
    raise AttributeError(name)


__all__ = ["read", "write", "QrdaWriteError", "strict"]
