"""What the file-producing commands share: reading one input, writing one output safely."""

from __future__ import annotations

import click


class CommandProblem(click.ClickException):
    """Unreadable input, an unusable year or a refused write: exit code 2."""

    exit_code = 2


def load_input(path: str):
    """Read a QPP JSON or QRDA III file; return its ReadResult, or raise CommandProblem when unreadable."""
    from ..findings import ERROR
    from ..options import DEFAULT_MAX_FILE_SIZE
    from ..validate import FileTooLarge, _read, read_limited

    try:
        data = read_limited(path, DEFAULT_MAX_FILE_SIZE)
    except (OSError, FileTooLarge) as exc:
        raise CommandProblem(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        result = _read(data, path)
    except Exception as exc:  # a reader must not crash the command
        raise CommandProblem(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None
    fatal = [f for f in result.findings if f.severity == ERROR and f.layer == "file"]
    if result.submission is None or fatal:
        messages = "; ".join(f.message for f in fatal) or "no submission found"
        raise CommandProblem(f"{path}: unreadable: {messages}")
    return result


def ensure_writable(output: str, force: bool, inputs) -> None:
    """Fail early, before any work, if the output could not be written."""
    from ..atomic import WriteRefused, check_writable

    try:
        check_writable(output, force, inputs=inputs)
    except WriteRefused as exc:
        raise CommandProblem(str(exc)) from None


def write_output(path: str, data: bytes, force: bool, inputs) -> None:
    """Write atomically; never over an input, nor over an existing file without ``force``."""
    from ..atomic import WriteRefused, write_atomic

    try:
        write_atomic(path, data, force=force, inputs=inputs)
    except (WriteRefused, OSError) as exc:
        raise CommandProblem(str(exc)) from None
