"""What the commands share: input limits, reading one input, writing one output safely, exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from contextlib import contextmanager

import click

from ..model.options import DEFAULT_MAX_FILE_SIZE
from ..model.options import DEFAULT_MAX_FINDINGS

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


class _AsciiDigits(click.ParamType):
    """A number option written with the digits 0-9: Python's int() and float(), and so click's, also read
    full-width and other scripts' digits ("２０２４"), which a file or a CMS form would not take."""

    def convert(self, value, param, ctx):
        from ..model.digits import foreign_digit

        digit = foreign_digit(value) if isinstance(value, str) else None
        if digit is not None:
            self.fail(f"{value!r} is not a valid {self.name}: {digit!r} is not one of the ASCII digits 0-9",
                      param, ctx)
        return super().convert(value, param, ctx)


class AsciiInt(_AsciiDigits, click.types.IntParamType):
    """``int`` for click, with the digits 0-9 only."""


class AsciiIntRange(_AsciiDigits, click.IntRange):
    """``click.IntRange`` with the digits 0-9 only."""


class AsciiFloatRange(_AsciiDigits, click.FloatRange):
    """``click.FloatRange`` with the digits 0-9 only."""


def max_findings_option(fn):
    """``--max-findings``: a file's report stops (and checking stops) after this many findings."""
    return click.option("--max-findings", type=AsciiIntRange(min=0), default=DEFAULT_MAX_FINDINGS,
                        show_default=True, metavar="N",
                        help="Stop checking a file after this many findings and say so (F013); 0: no limit.")(fn)


STDIN = "-"
STDOUT = "-"  # as -o: standard output, for every command that writes a file


def read_stdin(max_size: int) -> bytes:
    """Standard input's bytes, refused (FileTooLarge) above ``max_size`` like a file."""
    from ..pipeline.validate import FileTooLarge

    data = sys.stdin.buffer.read(max_size + 1)
    if len(data) > max_size:
        raise FileTooLarge(len(data), max_size)
    return data


def read_input(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of a file (``-``: standard input), or CommandProblem when it cannot be read."""
    from ..pipeline.validate import FileTooLarge
    from ..pipeline.validate import read_limited

    try:
        return read_stdin(max_size) if path == STDIN else read_limited(path, max_size)
    except (OSError, FileTooLarge) as exc:
        raise CommandProblem(f"{path}: {getattr(exc, 'strerror', None) or exc}") from None


def load_input(path: str, max_size: int = DEFAULT_MAX_FILE_SIZE, data: bytes | None = None, year=None):
    """Read a QPP JSON or QRDA III file (``-``: standard input; or its ``data`` already read); return its
    ReadResult, or raise CommandProblem when unreadable.  ``year`` (a command's --year) is the year a
    QRDA III file is read as."""
    from ..model.findings import ERROR
    from ..pipeline.validate import read_bytes

    if data is None:
        data = read_input(path, max_size)
    try:
        result = read_bytes(data, path, year)
    except Exception as exc:  # a reader must not crash the command
        raise CommandProblem(f"{path}: cannot be read ({type(exc).__name__}: {exc})") from None
    fatal = [f for f in result.findings if f.severity == ERROR and f.layer == "file"]
    if result.submission is None or fatal:
        messages = "; ".join(f.message for f in fatal) or "no submission found"
        raise CommandProblem(f"{path}: unreadable: {messages}")
    return result


def force_option(fn):
    """``--force``: replace an existing output file (never an input)."""
    return click.option("--force", is_flag=True, help="Overwrite the output file if it exists (never an input).")(fn)


def noise_options(fn):
    """``--quiet`` and ``--show-info`` for the text report."""
    fn = click.option("--show-info", is_flag=True, help="Show info findings too (text format).")(fn)
    return click.option("-q", "--quiet", is_flag=True, help="Show only files with findings (text format).")(fn)


def progress_stdout(out, bar: bool):
    """The stream to print the report to while a progress bar may be shown: report lines written to a
    terminal must go above the bar (see qppfiles.cli.progress)."""
    from .progress import CurrentStdout
    from .progress import is_terminal

    return CurrentStdout() if bar and out is sys.stdout and is_terminal(out) else out


def ensure_writable(output: str, force: bool, inputs) -> None:
    """Fail early, before any work, if the output could not be written."""
    from ..report.atomic import WriteRefused
    from ..report.atomic import check_writable

    if output == STDOUT:
        return
    try:
        check_writable(output, force, inputs=inputs)
    except WriteRefused as exc:
        raise CommandProblem(str(exc)) from None


def write_output(path: str, data: bytes, force: bool, inputs) -> None:
    """Write atomically; never over an input, nor over an existing file without ``force``.
    ``-`` is standard output."""
    from ..report.atomic import WriteRefused
    from ..report.atomic import write_atomic

    if path == STDOUT:
        click.echo(data, nl=False)
        return
    try:
        write_atomic(path, data, force=force, inputs=inputs)
    except WriteRefused as exc:
        raise CommandProblem(str(exc)) from None
    except OSError as exc:
        raise CommandProblem(f"cannot write {path}: {exc.strerror or exc}") from None


@contextmanager
def output_stream(output: str | None, force: bool, inputs: Iterable[str] = ()) -> Iterator:
    """Standard output (no ``output``, or ``-``), or a text stream that becomes ``output`` only when
    the block succeeds.

    The report is streamed into a temporary file beside ``output``: an interrupted or failed run
    leaves the previous file as it was."""
    from ..report.atomic import WriteRefused
    from ..report.atomic import atomic_output

    if not output or output == STDOUT:
        yield sys.stdout
        return
    try:
        with atomic_output(output, force, inputs) as fh:
            yield fh
    except WriteRefused as exc:
        raise CommandProblem(str(exc)) from None
    except OSError as exc:
        raise CommandProblem(f"cannot write {output}: {exc.strerror or exc}") from None


def ig_given(ctx: click.Context) -> bool:
    """Whether --ig was given on the command line (a stale QPPFILES_IG does not stop the accept profile)."""
    return ctx.get_parameter_source("ig_dir") == click.core.ParameterSource.COMMANDLINE


class NamedDirectories:
    """Whether each directory named on the command line has a file to check, noted while the walk's
    files go by (``watch``) so that no list of them is needed; one with none is a usage error."""

    def __init__(self, paths: Sequence[str]) -> None:
        self._prefixes = {path: os.path.join(os.path.abspath(path), "") for path in paths if os.path.isdir(path)}
        self._empty = list(self._prefixes)

    def watch(self, files: Iterable[str]) -> Iterator[str]:
        for path in files:
            if self._empty:
                full = os.path.abspath(path)
                self._empty = [d for d in self._empty if not full.startswith(self._prefixes[d])]
            yield path

    def check(self, what: str) -> None:
        """Exit 2 (CommandProblem) for the first named directory in which no file was seen."""
        for path in self._empty:
            raise CommandProblem(f"{path}: {what} in this directory")


def without_output(files: Iterable[str], output: str | None) -> Iterator[str]:
    """The files of a directory walk but the run's own output file: a run never checks its report."""
    from ..report.atomic import is_output

    if not output or output == STDOUT:
        yield from files
        return
    for path in files:
        if not is_output(path, output):
            yield path


def check_run_options(options, ig_given: bool = False) -> None:
    """Usage errors found before any file is read: an unsupported year, a strict profile without
    its implementation guide, an --ig directory that does not exist."""
    from ..program import supported_years

    years = supported_years()
    if options.year is not None and options.year not in years:
        raise CommandProblem(f"--year {options.year} is not supported; qppfiles checks {years[0]}–{years[-1]}")
    ig_dir = options.ig_dir
    if options.profile == "strict" and not ig_dir:
        raise CommandProblem("--profile strict needs the QRDA III implementation guide: --ig DIR (or QPPFILES_IG)")
    if ig_dir and (ig_given or options.profile == "strict") and not os.path.isdir(ig_dir):
        raise CommandProblem(f"--ig {ig_dir}: no such directory")
