"""Finding the files a run checks: the one walk behind ``validate DIR`` and ``lint``.

A directory that cannot be listed is reported (never skipped silently), symbolic links out of the
project are not followed unless asked, ``.gitignore`` files are honoured when asked, and ``lint``
keeps only files whose first few kilobytes show a submission (see ``qppfiles.intake.sniff``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import TYPE_CHECKING

from ..model.findings import Finding

if TYPE_CHECKING:
    from .globs import Globs

SUBMISSION_SUFFIXES = (".json", ".xml")
# Directories of tools and packages, never of submissions.
TOOL_DIRS = frozenset({"node_modules", "__pycache__", "venv"})

UNREADABLE_DIR = "F040"
UNDECODABLE_NAME = "F041"

# Reasons a found file is left out, as summary lines say them.
NOT_A_SUBMISSION = "not a submission"
SYMLINK_OUTSIDE = "a symbolic link out of the project (--follow-symlinks)"


@dataclass
class Discovery:
    """What a walk found: files to check, directories it could not list, files it left out and why.

    Filled as the walk goes (see ``walk_files``): complete once the walk is."""

    files: list[str] = field(default_factory=list)  # filled by ``discover``, not by ``walk_files``
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (directory, reason)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> files left out for it
    problems: list[str] = field(default_factory=list)  # named paths that do not exist

    @property
    def skipped_count(self) -> int:
        return sum(self.skipped.values())

    def skip(self, path: str, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def summary_line(self) -> str | None:
        if not self.skipped:
            return None
        parts = [f"{count} {reason}" for reason, count in sorted(self.skipped.items())]
        n = self.skipped_count
        return f"skipped {n} file{'s' if n != 1 else ''}: " + "; ".join(parts)


def display_path(path: str) -> str:
    """The path as text that can be printed: bytes that were not UTF-8 shown as \\xNN."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        raw = os.fsencode(path)
        return raw.decode("utf-8", "backslashreplace")


def name_findings(path: str) -> list[Finding]:
    """Findings about a path's name itself (a name that is not UTF-8)."""
    if display_path(path) == path:
        return []
    return [Finding.of(UNDECODABLE_NAME,
                       f"the file name is not valid UTF-8; shown here as {os.path.basename(display_path(path))}")]


def unreadable_report(directory: str, reason: str):
    """The report of a directory that could not be listed."""
    from ..model.file_report import FileReport

    return FileReport(directory, "", None,
                      [Finding.of(UNREADABLE_DIR, f"cannot list the directory: {reason}")])


def _inside(path: str, root: str) -> bool:
    real = os.path.realpath(path)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


class _Ignores:
    """The .gitignore files met on the way down, each applying to paths under its own directory."""

    def __init__(self) -> None:
        self.specs: list[tuple[str, Globs]] = []
        self._loaded: set = set()

    def load(self, directory: str) -> None:
        key = os.path.abspath(directory)
        if key in self._loaded:
            return
        self._loaded.add(key)
        path = os.path.join(key, ".gitignore")
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except OSError:
            return
        from .globs import Globs

        self.specs.append((key, Globs(lines)))

    def load_down_to(self, root: str, directory: str) -> None:
        """The .gitignore files from ``root`` down to ``directory`` (both included)."""
        directory = os.path.abspath(directory)
        if not _inside(directory, os.path.realpath(root)):
            self.load(directory)
            return
        chain = []
        here = directory
        while True:
            chain.append(here)
            if os.path.realpath(here) == os.path.realpath(root):
                break
            parent = os.path.dirname(here)
            if parent == here:
                break
            here = parent
        for d in reversed(chain):
            self.load(d)

    def ignored(self, path: str, is_dir: bool) -> bool:
        path = os.path.abspath(path)
        for base, globs in reversed(self.specs):  # the deepest .gitignore that decides wins
            if path.startswith(base.rstrip(os.sep) + os.sep):
                relative = os.path.relpath(path, base).replace(os.sep, "/")
                include = globs.spec.check_file(relative + "/" if is_dir else relative).include
                if include is not None:
                    return bool(include)
        return False


def discover(paths: Sequence[str], **choices) -> Discovery:
    """The files under ``paths`` as a list in ``files`` (see ``walk_files`` for ``choices``)."""
    found = Discovery()
    found.files = list(walk_files(paths, found, **choices))
    return found


def walk_files(paths: Sequence[str], found: Discovery, *, root: str | None = None, follow_symlinks: bool = False,
               gitignore: bool = False, skip_dirs: frozenset = frozenset(),
               select: Callable[[str], bool] | None = None, submissions_only: bool = False,
               unique: bool = False) -> Iterator[str]:
    """The files under ``paths``, one at a time as the walk finds them (named files as given;
    directories walked for .json and .xml files); what is left out, unlisted or missing goes to
    ``found`` on the way.

    ``root``: the project directory; links leading out of it are left out unless ``follow_symlinks``.
    Without ``follow_symlinks``, links to directories are not walked (as ``os.walk`` does).
    ``select(path)``: a filter by path (include/exclude globs). ``submissions_only``: leave out
    files whose content is not a QPP JSON or QRDA III submission. ``unique``: a file found twice is
    checked once.
    """
    real_root = os.path.realpath(root) if root else None
    ignores = _Ignores() if gitignore else None
    # For ``unique``, only paths another argument could produce again are remembered: one walk never
    # gives a path twice, so memory does not grow with the files of arguments that do not overlap.
    seen: set[str] = set()

    def again(path: str, index: int) -> bool:  # every path a walk gives starts with its top as written
        return any(i != index and path.startswith(top) for i, top in enumerate(paths))

    def keep(path: str, index: int) -> bool:
        if unique:
            if path in seen:
                return False
            if again(path, index):
                seen.add(path)
        if not follow_symlinks and real_root and os.path.islink(path) and not _inside(path, real_root):
            found.skip(display_path(path), SYMLINK_OUTSIDE)
            return False
        if select is not None and not select(path):
            return False
        if submissions_only:
            from .sniff import looks_like_submission

            if looks_like_submission(path) is False:
                found.skip(display_path(path), NOT_A_SUBMISSION)
                return False
        return True

    for index, path in enumerate(paths):
        if os.path.isdir(path):
            if ignores is not None:
                ignores.load_down_to(root or path, path)
            for file in _walk(path, found, follow_symlinks, real_root, ignores, skip_dirs):
                if keep(file, index):
                    yield file
        elif os.path.lexists(path):
            if keep(path, index):
                yield path
        else:
            found.problems.append(f"{display_path(path)}: no such file or directory")


def _walk(top: str, found: Discovery, follow_symlinks: bool, real_root: str | None,
          ignores: _Ignores | None, skip_dirs: frozenset) -> Iterator[str]:
    """Files under ``top`` with a submission suffix: a directory's files (sorted), then its
    subdirectories, depth first; an explicit stack, so that depth never exhausts recursion."""
    visited = {os.path.realpath(top)}
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            found.unreadable.append((directory, exc.strerror or str(exc)))
            continue
        if ignores is not None:
            ignores.load(directory)
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
                is_link = entry.is_symlink()
            except OSError as exc:
                found.unreadable.append((entry.path, exc.strerror or str(exc)))
                continue
            if is_dir:
                if entry.name.startswith(".") or entry.name in skip_dirs:
                    continue
                if ignores is not None and ignores.ignored(entry.path, True):
                    continue
                if is_link and not follow_symlinks:
                    if real_root and not _inside(entry.path, real_root):
                        found.skip(display_path(entry.path), SYMLINK_OUTSIDE)
                    continue
                if follow_symlinks:
                    real = os.path.realpath(entry.path)
                    if real in visited:  # a loop, or a tree already walked
                        continue
                    visited.add(real)
                subdirs.append(entry.path)
            elif entry.name.lower().endswith(SUBMISSION_SUFFIXES):
                if ignores is not None and ignores.ignored(entry.path, False):
                    continue
                yield entry.path
        stack.extend(reversed(subdirs))
