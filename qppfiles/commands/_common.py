"""What the commands share: input limits, reading one input, writing one output safely."""

from __future__ import annotations

import click

from ..options import DEFAULT_MAX_FILE_SIZE, DEFAULT_MAX_FINDINGS

_SIZE_UNITS = {"k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


class CommandProblem(click.ClickException):
    """Unreadable input, an unusable year or a refused write: exit code 2."""

    exit_code = 2


def parse_size(value: str) -> int:
    """A size in bytes from text such as 4096, 500k, 200M or 1.5G (binary units, a trailing B allowed)."""
    text = str(value).strip().lower().removesuffix("b")
    factor = _SIZE_UNITS.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in _SIZE_UNITS else text
    try:
        size = int(float(number) * factor)
    except (ValueError, OverflowError):  # not a number, NaN, or infinite
        raise click.BadParameter(f"'{value}' is not a size (examples: 500k, 200M, 1G)") from None
    if size <= 0:
        raise click.BadParameter("the size must be positive")
    return size


def max_file_size_option(fn):
    """``--max-file-size``: files above it are refused before a byte of them is read."""
    return click.option("--max-file-size", default=f"{DEFAULT_MAX_FILE_SIZE // 1024 ** 2}M", show_default=True,
                        metavar="SIZE", callback=lambda ctx, param, value: parse_size(value),
                        help="Refuse input files larger than this (k, M, G suffixes).")(fn)


def max_findings_option(fn):
    """``--max-findings``: a file's report stops (and checking stops) after this many findings."""
    return click.option("--max-findings", type=click.IntRange(min=0), default=DEFAULT_MAX_FINDINGS,
                        show_default=True, metavar="N",
                        help="Stop checking a file after this many findings and say so (F013); 0: no limit.")(fn)


def load_input(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE, year=None):
    """Read a QPP JSON or QRDA III file; return its ReadResult, or raise CommandProblem when unreadable.

    ``year`` (a command's --year) is the year a QRDA III file is read as.
    """
    from ..findings import ERROR
    from ..validate import FileTooLarge, _read, read_limited

    try:
        data = read_limited(path, max_size)
    except (OSError, FileTooLarge) as exc:
        raise CommandProblem(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        result = _read(data, path, year)
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
