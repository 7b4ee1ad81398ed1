"""File paths as CI systems want them: relative to the checkout, with forward slashes."""

from __future__ import annotations

import os
from pathlib import Path

# The variables CI systems set to the root of the checked-out repository.
GITHUB_ROOT = "GITHUB_WORKSPACE"
GITLAB_ROOT = "CI_PROJECT_DIR"


def source_root(variable: str) -> Path:
    """The checkout root named by the CI variable ``variable`` when set, else the current directory."""
    return Path(os.path.abspath(os.environ.get(variable) or os.getcwd()))


def relative(path: str | None, root: Path) -> str | None:
    """``path`` relative to ``root`` with forward slashes, or None when it lies outside ``root``."""
    if path is None:
        return None
    full = Path(os.path.abspath(path))
    try:
        return full.relative_to(root).as_posix()
    except ValueError:
        return None


def shown(path: str | None, root: Path) -> str:
    """The path to print: relative to ``root`` when inside it, else as given."""
    rel = relative(path, root)
    if rel is not None:
        return rel
    return "<stdin>" if path is None else str(path).replace(os.sep, "/")
