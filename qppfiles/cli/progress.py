"""A progress bar on standard error, only on a terminal and only for runs that last.

Pipes, files and tests never see it: the decision is made once, from whether standard error is a
terminal (or from the caller, who may force it).  The bar appears after ``delay`` seconds, so a
quick run prints nothing extra, and it is removed when the run ends.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")
DELAY = 1.0


def is_terminal(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def wanted(stream=None) -> bool:
    """Whether a bar may be shown: standard error (or ``stream``) is a terminal."""
    return is_terminal(sys.stderr if stream is None else stream)


class CurrentStdout:
    """Writes to whatever ``sys.stdout`` is at the time, so that while the bar is shown (it puts a
    proxy in sys.stdout) report lines are printed above the bar instead of through it."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()

    def isatty(self) -> bool:
        return is_terminal(sys.stdout)

    def __getattr__(self, name):
        return getattr(sys.stdout, name)


def track(items: Iterable[T], total: int | None, label: str, *, enabled: bool, stream=None,
          delay: float | None = None, clock: Callable[[], float] = time.monotonic) -> Iterator[T]:
    """Yield ``items``; when ``enabled`` and the run has lasted ``delay`` seconds, show a bar
    (``total`` items, or a count when unknown) on ``stream`` (default: standard error)."""
    if not enabled:
        yield from items
        return
    delay = DELAY if delay is None else delay
    start = clock()
    progress = task = None
    done = 0
    try:
        for item in items:
            yield item
            done += 1
            if progress is None:
                if clock() - start >= delay:
                    progress, task = _start(stream, total, label)
                    progress.update(task, completed=done)
            else:
                progress.advance(task)
    finally:
        if progress is not None:
            progress.stop()


def _start(stream, total: int | None, label: str):
    from rich.console import Console
    from rich.progress import BarColumn
    from rich.progress import MofNCompleteColumn
    from rich.progress import Progress
    from rich.progress import TextColumn
    from rich.progress import TimeRemainingColumn

    console = Console(file=stream if stream is not None else sys.stderr, force_terminal=True)
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
    progress = Progress(*columns, console=console, transient=True, redirect_stderr=True,
                        redirect_stdout=is_terminal(sys.stdout))
    task = progress.add_task(label, total=total)
    progress.start()
    return progress, task
