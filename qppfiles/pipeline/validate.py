"""The validation pipeline: bytes -> reader -> schema -> program rules -> located findings.

This is the library's main entry point.  ``validate_bytes`` is a pure
function of its input and options, which is what makes batch runs easy to
spread over processes.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from itertools import islice
from typing import Any

from ..formats import QPP_JSON
from ..formats import QRDA3
from ..formats import ReadResult
from ..formats import sniff_format
from ..model.file_report import INTERNAL_ERROR
from ..model.file_report import FileReport
from ..model.findings import ERROR
from ..model.findings import LAYERS
from ..model.findings import Finding
from ..model.findings import Location
from ..model.options import Options

YEAR_UNSUPPORTED = "Y001"


def _schema_code(kind: str) -> str:
    from ..checks.schema import MISSING
    from ..checks.schema import UNKNOWN_FIELD
    from ..checks.schema import WRONG_TYPE

    return {MISSING: "S001", WRONG_TYPE: "S002", UNKNOWN_FIELD: "S003"}.get(kind, "S004")


class CappedFindings:
    """One file's findings, up to ``cap`` (None: no cap). Past the cap nothing more is computed."""

    def __init__(self, cap: int | None):
        self.cap = cap
        self.items: list[Finding] = []
        self.truncated = False

    @property
    def room(self) -> int | None:
        return None if self.cap is None else self.cap - len(self.items)

    def add(self, findings: Iterable[Finding]) -> None:
        if self.cap is None:
            self.items.extend(findings)
            return
        if self.truncated:
            return
        room = self.cap - len(self.items)
        # One more than there is room for tells whether anything was left out.
        taken = list(islice(findings, room + 1))
        if len(taken) > room:
            self.truncated = True
            del taken[room:]
        self.items.extend(taken)

    def finish(self) -> list[Finding]:
        if self.truncated and self.cap is not None:
            self.items.append(findings_limit_reached(self.cap))
        return self.items


FINDINGS_LIMIT = "F013"


def findings_limit_reached(cap: int) -> Finding:
    return Finding.of(FINDINGS_LIMIT,
                      f"stopped after {cap:,} findings: the rest of the file was not checked; raise the limit "
                      f"with --max-findings N (0 for no limit) to see more")


def schema_findings(document: Any, found: CappedFindings) -> None:
    from ..checks.schema import check_document

    check = check_document(document, limit=found.room)
    found.add(Finding.of(_schema_code(p.kind), p.message, Location(pointer=p.pointer)) for p in check.problems)
    if not check.complete:
        found.truncated = True


def read_bytes(data: bytes, path: str | None, year: int | None = None, lazy_refs: bool = False) -> ReadResult:
    if sniff_format(data) == QRDA3:
        from ..formats.qrda3 import read as read_qrda3

        # --year also picks the catalog the file is read with
        return read_qrda3(data, path, year=year, lazy_refs=lazy_refs)
    from ..formats.qppjson import read as read_json

    return read_json(data, path)


def rule_findings(result: ReadResult, options: Options,
                   schema_pointers: set[str | None]) -> tuple[Iterable[Finding], int | None]:
    """The program-rule findings (a lazy iterator: the caller takes as many as it wants) and the year."""
    from ..checks import Context
    from ..checks import run
    from ..program import supported_years

    sub = result.submission
    assert sub is not None, "rules run on a file that was read into a model"
    year = options.year or sub.performance_year
    years = supported_years()
    if year not in years:
        pointer = f"{sub.ref}/performanceYear" if result.format == QPP_JSON else None
        if year is None and pointer in schema_pointers:
            return [], year  # the schema layer already said what is wrong with it
        message = (f"performance year {year} is not supported; qppfiles checks {years[0]}–{years[-1]}"
                   if year is not None else
                   "the performance year is missing: give it in the file or with --year")
        location = Location(pointer=pointer) if pointer is not None else Location(xpath=sub.ref or None)
        return [Finding.of(YEAR_UNSUPPORTED, message, location)], year
    ctx = Context(sub, year, options, xpath_refs=result.format == QRDA3)
    if any(f.code == SECTION_YEARS_DISAGREE for f in result.findings):
        # The reader said once that the sections' years disagree; one finding per period would repeat it.
        return (f for f in run(ctx) if f.code != "Y103"), year
    return run(ctx), year


SECTION_YEARS_DISAGREE = "X162"


def _strict_findings(data: bytes, result: ReadResult, options: Options) -> list[Finding]:
    from ..formats.qrda3 import strict

    return list(strict.validate(result.document if result.document is not None else data,
                                options.ig_dir or os.environ.get("QPPFILES_IG"),
                                year=result.performance_year))


def _located(findings: list[Finding], result: ReadResult) -> list[Finding]:
    """The findings with line and column (linear in the file and the findings, whatever their number)."""
    locations = result.located([f.location for f in findings])
    return [f.located(location) for f, location in zip(findings, locations, strict=True)]


def _selected(findings: list[Finding], options: Options) -> list[Finding]:
    """The findings ``options.select`` and ``options.ignore`` keep; an error of the file layer (the
    file could not be read) is always kept, so that a broken file never passes."""
    if not options.select and not options.ignore:
        return findings
    from ..model.codes import is_selected

    return [f for f in findings if (f.layer == "file" and f.severity == ERROR)
            or is_selected(f.code, options.select, options.ignore)]


_LAYER_ORDER = {name: i for i, name in enumerate(LAYERS)}


def _sort_key(f: Finding) -> tuple[int, int, int, str]:
    return (_LAYER_ORDER.get(f.layer, 99), f.location.line or 0, f.location.column or 0, f.code)


def validate_bytes(data: bytes, path: str | None = None, options: Options | None = None) -> FileReport:
    """Validate one submission file's bytes; never raises for any input."""
    options = options or Options()
    fmt = sniff_format(data)
    try:
        # Refs only place findings here, and every finding is located below.
        result = read_bytes(data, path, options.year, lazy_refs=True)
        found = CappedFindings(options.max_findings or None)
        found.add(result.findings)
        fatal = any(f.severity == ERROR and f.layer == "file" for f in result.findings)
        year = result.performance_year
        if result.format == QPP_JSON and result.document is not None and not fatal and not found.truncated:
            schema_findings(result.document, found)
        if options.profile == "strict" and result.format == QRDA3 and not fatal and not found.truncated:
            found.add(_strict_findings(data, result, options))
        if result.submission is not None and not fatal:
            schema_pointers = {f.location.pointer for f in found.items if f.layer == "schema"}
            rules, year = rule_findings(result, options, schema_pointers)
            found.add(rules)
        findings = _located(_selected(found.finish(), options), result)
        findings.sort(key=_sort_key)
        return FileReport(path, result.format, year, findings)
    except Exception as exc:  # the boundary: any internal failure becomes a finding
        return FileReport(path, fmt, None, [internal_error(exc)])




def internal_error(exc: BaseException) -> Finding:
    return Finding.of(INTERNAL_ERROR, f"internal error ({type(exc).__name__}: {exc}); please report it with "
                      f"this file and `qppfiles --version`")


def read_limited(path: str, max_size: int) -> bytes:
    """Read a file, refusing one larger than ``max_size`` before reading it.

    Only regular files are read: a FIFO would block forever and a device has no size.
    """
    # O_NONBLOCK so that opening a FIFO returns at once instead of waiting for a writer.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            directory = stat.S_ISDIR(info.st_mode)
            raise OSError(errno.EISDIR if directory else errno.EINVAL,
                          "it is a directory" if directory else "not a regular file", path)
    except BaseException:
        os.close(fd)
        raise
    with os.fdopen(fd, "rb") as fh:
        size = info.st_size
        if size > max_size:
            raise FileTooLarge(size, max_size)
        # Asking for the known size (not the limit) spares a buffer of the limit's size per file.
        data = fh.read(size + 1)
        if len(data) > size:  # the file grew since fstat: read on, up to the limit
            data += fh.read(max_size + 1 - len(data))
    if len(data) > max_size:  # the file grew while we read it
        raise FileTooLarge(len(data), max_size)
    return data


class FileTooLarge(Exception):
    def __init__(self, size: int, limit: int):
        super().__init__(f"the file is {size:,} bytes, above the limit of {limit:,} bytes (--max-file-size)")


def validate_path(path: str, options: Options | None = None) -> FileReport:
    """Check the file at ``path``; never raises: a file above the size limit is F010, an unreadable one
    F011, any other failure F012."""
    options = options or Options()
    try:
        data = read_limited(path, options.max_file_size)
    except FileTooLarge as exc:
        return FileReport(path, format_from_name(path), None, [Finding.of("F010", str(exc))])
    except OSError as exc:
        return FileReport(path, format_from_name(path), None,
                          [Finding.of("F011", f"cannot read the file: {exc.strerror or exc}")])
    except Exception as exc:  # never let one file stop a batch
        return FileReport(path, format_from_name(path), None, [internal_error(exc)])
    return validate_bytes(data, path, options)


def format_from_name(path: str) -> str:
    return QRDA3 if path.lower().endswith(".xml") else QPP_JSON
