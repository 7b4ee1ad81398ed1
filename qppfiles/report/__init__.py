"""Renderers of findings and score cards.  Renderers format; they never compute."""

from typing import Optional

FORMATS = ("text", "json", "jsonl", "junit", "sarif", "github")


def per_file(fmt: str):
    """The function rendering one file's report on its own in ``fmt``, if the format has one; workers
    apply it, so that the parent of a parallel run only writes."""
    if fmt == "jsonl":
        from .json_report import line

        return line
    return None


def render(fmt: str, reports, out, summary: Optional[dict] = None) -> None:
    """Write ``reports`` (an iterable of FileReport) to the text stream ``out`` in ``fmt``; ``summary``
    adds counts to the summary of the JSON formats (such as the files skipped)."""
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
    else:
        raise ValueError(f"unknown format {fmt}")
    if summary and fmt in ("json", "jsonl"):
        return fn(reports, out, summary)
    return fn(reports, out)
