"""Batch validation: many files, optionally over several processes, results streamed in order."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from ..intake.discover import name_findings
from ..model.file_report import FileReport
from ..model.options import Options
from .validate import format_from_name
from .validate import internal_error
from .validate import validate_path

if TYPE_CHECKING:
    from ..intake.config import Settings
    from ..intake.discover import Discovery


def check_file(path: str, options: Options) -> FileReport:
    """Validate one path; an unreadable file becomes an F011 report, any failure an F012 report.

    A name that is not UTF-8 is read as it is, with a warning (F041); renderers show it escaped."""
    report = validate_path(path, options)
    misnamed = name_findings(path)
    if misnamed:
        report.findings[:0] = misnamed
    return report


def discovery_reports(found: Discovery, problems: list[str] | None = None,
                      render: Callable[[FileReport], str] | None = None) -> Iterator[FileReport | Rendered]:
    """A report per directory the walk could not list (F040), each also noted in ``problems``."""
    from ..intake.discover import unreadable_report

    for directory, reason in found.unreadable:
        report = unreadable_report(directory, reason)
        if problems is not None:
            problems.append(f"{report.path}: cannot list the directory: {reason}")
        yield Rendered.of(report, render) if render is not None else report


@dataclass
class Rendered:
    """A checked file as a streamed report needs it: its output text, rendered where it was checked
    (in a worker, with -j), and the counts behind the exit code.  Sending this back costs the parent
    far less than a whole report to unpickle and render."""

    path: str | None  # None for standard input, as in FileReport
    errors: int
    warnings: int
    internal_error: bool
    problem: str | None
    text: str
    rejected: int = 0

    @classmethod
    def of(cls, report: FileReport, render: Callable[[FileReport], str]) -> Rendered:
        return cls(report.path, report.errors, report.warnings, report.internal_error, report.problem,
                   render(report), report.rejected)


def _check_and_render(path: str, setting: tuple[Options, Callable[[FileReport], str]]) -> Rendered:
    options, render = setting
    return Rendered.of(check_file(path, options), render)


def _lost(path: str, reason: str) -> FileReport:
    return FileReport(path, format_from_name(path), None, [internal_error(RuntimeError(reason))])


def validate_many(paths: Iterable[str], options: Options, jobs: int = 1, problems: list[str] | None = None,
                  render: Callable[[FileReport], str] | None = None) -> Iterator[FileReport | Rendered]:
    """Yield a report per path, in input order; paths not read (F010, F011) are also noted in ``problems``.

    With ``render`` (a module-level function, so that workers can be given it), each report is
    rendered as soon as it is made and a ``Rendered`` is yielded instead.
    """
    work: Callable[[str, Any], FileReport | Rendered]
    lost: Callable[[str, str], FileReport | Rendered]
    setting: Any
    if render is None:
        work, setting, lost = check_file, options, _lost
    else:
        work, setting, with_render = _check_and_render, (options, render), render

        def lost_rendered(path: str, reason: str) -> Rendered:
            return Rendered.of(_lost(path, reason), with_render)
        lost = lost_rendered
    reports: Iterator[FileReport | Rendered]
    if jobs <= 1:
        reports = (work(p, setting) for p in paths)
    else:
        from .workers import ordered_map

        reports = ordered_map(work, paths, setting, jobs, _chunk_size(paths, options, jobs), lost)
    for report in reports:
        if problems is not None and report.problem:
            problems.append(f"{report.path}: {report.problem}")
        yield report


def _chunk_size(paths: Iterable[str], options: Options, jobs: int) -> int:
    """Files sent to a worker at a time: many small ones amortise the hand-off; slow or few ones
    (strict profile: seconds per file) go one by one so that every worker gets some."""
    if options.profile == "strict":
        return 1
    try:
        count = len(paths)  # type: ignore[arg-type]
    except TypeError:
        return 16
    return max(1, min(16, count // (4 * jobs)))


class Grouped:
    """The files of a run grouped by their options, groups in the order their first file came,
    each group's files in the order given; the paths are spooled (``qppfiles.pipeline.spool``), so
    that holding them costs the same memory for ten files or a million.  ``len()``: the files."""

    def __init__(self, options_for: Callable[[str], Options], paths: Iterable[str]) -> None:
        from .spool import PathSpool

        self.groups: dict[Options, PathSpool] = {}
        for path in paths:
            options = options_for(path)
            spool = self.groups.get(options)
            if spool is None:
                spool = self.groups[options] = PathSpool()
            spool.add(path)

    def __len__(self) -> int:
        return sum(len(spool) for spool in self.groups.values())

    def options(self) -> list[Options]:
        return list(self.groups)

    def close(self) -> None:
        for spool in self.groups.values():
            spool.close()


def checked_reports(settings: Settings, found: Discovery, jobs: int, problems: list[str],
                    render: Callable[[FileReport], str] | None = None, few_serial: bool = False,
                    grouped: Grouped | None = None) -> Iterator[FileReport | Rendered]:
    """Reports of the files a walk found (``found``, a ``qppfiles.intake.discover.Discovery``), each checked
    under its options from ``settings``: first the directories that could not be listed, then the
    files, grouped by options, each group in path order.  ``few_serial``: a group of fewer than four
    files per process is checked in this process (starting workers costs more).

    ``grouped``: the files already grouped (it takes ``found.files`` otherwise, a list or a walk still
    going, which is finished first: only then is ``found`` complete)."""
    if grouped is None:
        grouped = Grouped(settings.options_for, found.files)
    try:
        problems.extend(found.problems)
        yield from discovery_reports(found, problems, render)
        many = len(grouped.groups) > 1
        for options, files in grouped.groups.items():
            use = jobs if len(files) >= 4 * jobs or not (few_serial or many) else 1
            yield from validate_many(files, options, use, problems, render)
    finally:
        grouped.close()
