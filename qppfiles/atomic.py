"""Atomic file writes that never clobber an input and never overwrite without consent.

    >>> write_atomic("out/sub.json", data, force=False, inputs=["table.csv"])

The bytes go to a temporary file in the target's directory, are flushed to
disk, and replace the target in one rename: a reader sees the old file or the
new one, never half of either.
"""

from __future__ import annotations

import os
import tempfile
from typing import Iterable, Union

PathLike = Union[str, "os.PathLike[str]"]


class WriteRefused(Exception):
    """The write would overwrite a file without --force, or an input file."""


def _same_file(a: str, b: str) -> bool:
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def check_writable(path: PathLike, force: bool = False, inputs: Iterable[PathLike] = ()) -> None:
    """Raise WriteRefused if writing ``path`` would hit an input, or an existing file without ``force``."""
    target = os.fspath(path)
    for source in inputs:
        if _same_file(target, os.fspath(source)):
            raise WriteRefused(f"refusing to write {target}: it is an input file")
    if os.path.isdir(target):
        raise WriteRefused(f"refusing to write {target}: it is a directory")
    if os.path.lexists(target) and not force:
        raise WriteRefused(f"{target} exists; use --force to overwrite it")


def write_atomic(path: PathLike, data: bytes, force: bool = False, inputs: Iterable[PathLike] = ()) -> None:
    """Write ``data`` to ``path`` atomically.

    Refuses (WriteRefused) to write over any of ``inputs`` whatever ``force`` says, and to
    replace an existing file unless ``force``.  Missing parent directories are created.
    """
    target = os.fspath(path)
    check_writable(target, force, inputs)
    directory = os.path.dirname(os.path.abspath(target))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if not force and os.path.lexists(target):  # appeared while we wrote
            raise WriteRefused(f"{target} exists; use --force to overwrite it")
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(directory: str) -> None:
    # Makes the rename itself durable; not possible on every platform.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
