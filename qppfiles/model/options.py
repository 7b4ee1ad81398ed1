"""Options that change a verdict, shared by the library and the CLI."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_FILE_SIZE = 200 * 1024 * 1024
# Past this many findings in one file a report says no more, and qppfiles stops looking:
# time and memory then stay bounded however broken the file is.
DEFAULT_MAX_FINDINGS = 1000
# The report formats a run can ask for (written by qppfiles.report).
REPORT_FORMATS = ("text", "json", "jsonl", "junit", "sarif", "github", "gitlab")


@dataclass(frozen=True)
class Options:
    year: int | None = None            # override the file's performance year
    small_practice: bool = False          # 15 or fewer clinicians
    special_status: bool = False          # rural, HPSA or non-patient-facing
    profile: str = "accept"               # accept | strict
    ig_dir: str | None = None          # IG packages for the strict profile
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_findings: int = DEFAULT_MAX_FINDINGS  # per file; 0 means no limit
    select: tuple[str, ...] = ()          # report only these codes or prefixes (empty: all)
    ignore: tuple[str, ...] = ()          # do not report these codes or prefixes
