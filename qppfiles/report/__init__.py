"""Renderers of findings and score cards.  Renderers format; they never compute."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

# Formats whose renderer also takes the run's --fail-on and problems (reports that state an outcome).
_WITH_OUTCOME = ("junit", "sarif")


def per_file(fmt: str):
    """The function rendering one file's report on its own in ``fmt``, if the format has one; workers
    apply it, so that the parent of a parallel run only writes."""
    if fmt == "jsonl":
        from .json_report import line

        return line
    return None


FAIL_ON = ("rejected", "error", "warning")


def exit_code(reports, problems: list[str] | None, fail_on: str = "error") -> int:
    """The exit status a run of ``validate`` or ``lint`` ends with: 2 when an input was not read or a
    check failed internally; 1 when a finding ``fail_on`` counts was found (``rejected``: an error CMS
    refuses the file for; ``error``: any error; ``warning``: warnings too); else 0.

    ``reports`` are the reports, or the Tally a renderer returned instead of them."""
    from .tally import Tally

    if fail_on not in FAIL_ON:
        raise ValueError(f"fail-on must be one of {', '.join(FAIL_ON)}")
    tally = Tally.of(reports)
    if problems or tally.internal_errors:
        return 2
    counted = {"rejected": tally.rejected, "error": tally.errors, "warning": tally.errors + tally.warnings}
    return 1 if counted[fail_on] else 0


def render(fmt: str, reports, out, fail_on: str = "error", problems: list[str] | None = None,
           summary: dict | None = None, **text_options):
    """Write ``reports`` (an iterable of FileReport) to the text stream ``out`` in ``fmt``.

    ``fail_on`` and ``problems`` (the run's unread inputs, complete once ``reports`` is consumed) let the
    JUnit and SARIF reports state the run's outcome as the exit code does; ``summary`` adds counts to the
    summary of the JSON formats (such as the files skipped); ``text_options`` (show_info, quiet,
    terminal) apply to the text format only."""
    fn: Callable[..., Any]  # each format's renderer takes the arguments its branch below gives it
    if fmt == "text":
        from .text import render as fn
    elif fmt == "json":
        from .json_report import render as fn
    elif fmt == "jsonl":
        from .json_report import render_lines as fn
    elif fmt == "junit":
        from .junit import render as fn
    elif fmt == "sarif":
        from .sarif import render as fn
    elif fmt == "github":
        from .github import render as fn
    elif fmt == "gitlab":
        from .gitlab import render as fn
    else:
        raise ValueError(f"unknown format {fmt}")
    if fmt in _WITH_OUTCOME:
        return fn(reports, out, fail_on=fail_on, problems=problems)
    if fmt == "text":
        return fn(reports, out, **text_options)
    if summary and fmt in ("json", "jsonl"):
        return fn(reports, out, summary)
    return fn(reports, out)


_CONSEQUENCE = {"rejected": "CMS rejects the file at intake",
                "points": "CMS accepts the file but the problem costs points"}


def consequence_text(consequence: str) -> str:
    """What an error's consequence means, in words; empty when the code does not say."""
    return _CONSEQUENCE.get(consequence, "")


def fingerprinted(path: str, findings):
    """Each finding of one file with its fingerprint; identical findings are numbered apart."""
    seen: dict = {}
    for f in findings:
        key = fingerprint(path, f)
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        yield f, fingerprint(path, f, occurrence)


def fingerprint(path: str, f, occurrence: int = 0) -> str:
    """A stable identity for a finding in CI dashboards: the same problem at the same place keeps it
    from run to run.
    ``occurrence`` tells apart identical findings in one file."""
    where = f.location.pointer if f.location.pointer is not None else (f.location.xpath or "")
    parts = [path, f.code, where, str(f.location.line or ""), str(f.location.column or ""), f.message]
    if occurrence:
        parts.append(str(occurrence))
    return hashlib.sha256("\x00".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
