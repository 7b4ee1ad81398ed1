"""Atomic file writes that never clobber an input and never overwrite without consent.

    >>> write_atomic("out/sub.json", data, force=False, inputs=["table.csv"])
    >>> with atomic_output("report.json", force=False, inputs=paths) as fh:
    ...     render(reports, fh)

The bytes go to a hidden temporary file in the target's directory, are flushed
to disk, and take the target's name in one step: a reader sees the old file or
the new one, never half of either.  A failure, Ctrl-C or SIGTERM before that
step removes the temporary file and leaves the old target as it was.  Without
``force`` the name is taken with a hard link, which fails if the target exists,
so two runs racing for one output cannot overwrite each other.
"""

from __future__ import annotations

import errno
import os
import signal
import tempfile
import threading
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import IO
from typing import Any
from typing import Union

PathLike = Union[str, "os.PathLike[str]"]
TEMP_PREFIX, TEMP_SUFFIX = ".", ".tmp"


class WriteRefused(Exception):
    """The write would overwrite a file without --force, or an input file, or cannot be made."""


def _same_file(a: str, b: str) -> bool:
    try:
        if os.path.samefile(a, b):
            return True
    except OSError:
        pass
    return os.path.realpath(a) == os.path.realpath(b)


def check_writable(path: PathLike, force: bool = False, inputs: Iterable[PathLike] = ()) -> None:
    """Raise WriteRefused if writing ``path`` would hit an input, an existing file without ``force``,
    or a directory that does not exist."""
    target = os.fspath(path)
    for source in inputs:
        if _same_file(target, os.fspath(source)):
            raise WriteRefused(f"refusing to write {target}: it is an input file")
    if os.path.isdir(target):
        raise WriteRefused(f"refusing to write {target}: it is a directory")
    if os.path.lexists(target) and not force:
        raise WriteRefused(f"{target} exists; use --force to overwrite it")
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        raise WriteRefused(f"cannot write {target}: the directory {os.path.dirname(target) or '.'} does not exist")


def is_output(path: PathLike, output: PathLike) -> bool:
    """Whether ``path`` names the file ``output`` (cheap when the names differ)."""
    path, output = os.fspath(path), os.fspath(output)
    if os.path.basename(path) != os.path.basename(output):
        return False
    return _same_file(path, output)


@contextmanager
def atomic_output(path: PathLike, force: bool = False, inputs: Iterable[PathLike] = (),
                  binary: bool = False) -> Iterator[IO[Any]]:
    """A file object whose content becomes ``path`` when the block ends without an exception.

    Refuses (WriteRefused) to write over any of ``inputs`` whatever ``force`` says, and to
    replace an existing file unless ``force``.  Text mode writes UTF-8.
    """
    target = os.fspath(path)
    check_writable(target, force, inputs)
    directory = os.path.dirname(os.path.abspath(target))
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=directory)
    try:
        with _termination_raises():
            with _open_temp(fd, binary) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
            os.chmod(tmp, 0o666 & ~_umask())
            _take_name(tmp, target, force)
    except BaseException:
        _remove(tmp)
        raise
    _fsync_dir(directory)


def _open_temp(fd: int, binary: bool) -> IO[Any]:
    return os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")


def write_atomic(path: PathLike, data: bytes, force: bool = False, inputs: Iterable[PathLike] = ()) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path, force, inputs, binary=True) as fh:
        fh.write(data)


def _take_name(tmp: str, target: str, force: bool) -> None:
    if force:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target)  # fails if the target appeared meanwhile: no run overwrites another
    except FileExistsError:
        raise WriteRefused(f"{target} exists; use --force to overwrite it") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS):
            raise
        # A file system without hard links: the best is a last look before the rename.
        if os.path.lexists(target):
            raise WriteRefused(f"{target} exists; use --force to overwrite it") from None
        os.replace(tmp, target)
        return
    _remove(tmp)


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


class Terminated(SystemExit):
    """SIGTERM or SIGHUP arrived while an output was being written."""


@contextmanager
def _termination_raises() -> Iterator[None]:
    """SIGTERM and SIGHUP raise (exit 128 + signal) instead of killing the process outright, so that
    the temporary file is removed on the way out.  Ctrl-C already raises KeyboardInterrupt."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Terminated(128 + signum)

    names = [name for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name)]
    previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}
    for name in names:
        number = getattr(signal, name)
        if signal.getsignal(number) is signal.SIG_DFL:
            previous[number] = signal.signal(number, stop)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


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
