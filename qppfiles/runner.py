"""Batch validation: many files, optionally over several processes, results streamed in order."""

from __future__ import annotations

from typing import Iterable, Iterator, List

from .findings import ERROR, Finding, Location
from .options import Options
from .validate import FileReport, _format_from_name, internal_error, validate_path


def check_file(path: str, options: Options) -> FileReport:
    """Validate one path; an unreadable file becomes an F011 report, any failure an F012 report."""
    try:
        return validate_path(path, options)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return FileReport(path, _format_from_name(path), None,
                          [Finding("F011", ERROR, "file", f"cannot read the file: {reason}", None, Location())])
    except Exception as exc:  # never let one file stop the batch
        return FileReport(path, _format_from_name(path), None, [internal_error(exc)])


def _lost(path: str, reason: str) -> FileReport:
    return FileReport(path, _format_from_name(path), None, [internal_error(RuntimeError(reason))])


def validate_many(paths: Iterable[str], options: Options, jobs: int = 1,
                  problems: List[str] | None = None) -> Iterator[FileReport]:
    """Yield a report per path, in input order; paths not read (F010, F011) are also noted in ``problems``."""
    if jobs <= 1:
        reports = (check_file(p, options) for p in paths)
    else:
        reports = _parallel(paths, options, jobs)
    for report in reports:
        if problems is not None and report.unreadable:
            problems.append(f"{report.path}: {report.findings[0].message}")
        yield report


def _parallel(paths: Iterable[str], options: Options, jobs: int) -> Iterator[FileReport]:
    from .workers import ordered_map

    return ordered_map(check_file, paths, options, jobs, _chunk_size(paths, options, jobs), _lost)


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
