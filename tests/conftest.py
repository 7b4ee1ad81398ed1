"""Shared test fixtures: the project root, the fixtures folder and ../shared when present.

Every test runs with the project's own variables (QPPFILES_*, except the switches the harness reads) and the
CI providers' (GITHUB_*, CI_*, CI) removed, without the terminal settings that change rich's output, and with
a cache folder of the session's own: a test sets what it needs, and never sees the developer's shell.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Read by the test harness itself (conftest, skips, fuzz budgets): they steer the run, not the code under test.
TEST_CONTROLS = frozenset({"QPPFILES_REQUIRE_SHARED", "QPPFILES_SLOW_TESTS", "QPPFILES_REQUIRE_BROWSER",
                           "QPPFILES_FUZZ_BUDGET", "QPPFILES_FUZZ_SEED"})
_CLEARED_PREFIXES = ("QPPFILES_", "GITHUB_", "CI_")
_CLEARED_NAMES = frozenset({"CI", "GITLAB_CI", "NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE", "COLUMNS", "LINES",
                            "TTY_COMPATIBLE", "TTY_INTERACTIVE", "SOURCE_DATE_EPOCH"})
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"


def shared_path() -> Path:
    """The reference folder ../shared, or skip (fail when QPPFILES_REQUIRE_SHARED=1) without it."""
    if SHARED.is_dir():
        return SHARED
    reason = f"reference folder {SHARED} is absent"
    if os.environ.get("QPPFILES_REQUIRE_SHARED") == "1":
        pytest.fail(f"{reason}, and QPPFILES_REQUIRE_SHARED=1 requires it")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    return shared_path()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


def leaking_variables(environ) -> list:
    """Names of ``environ`` that would let the developer's shell reach a test."""
    return sorted(name for name in environ if name not in TEST_CONTROLS
                  and (name.startswith(_CLEARED_PREFIXES) or name in _CLEARED_NAMES))


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    """The compiled-schematron cache of this session only, never the developer's ~/.cache."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        yield


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    for name in leaking_variables(os.environ):
        monkeypatch.delenv(name)


def lock_directories(monkeypatch, name: str = "locked") -> None:
    """Make every directory called ``name`` unlistable, as a directory without read permission is, even
    for root (who can list any directory whatever its mode)."""
    real_scandir = os.scandir

    def scandir(path="."):
        if os.path.basename(os.fspath(path)) == name:
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)


def node_refs(submission) -> list:
    """The reference of every node of a model: submission, sets, measurements and strata."""
    refs = [submission.ref]
    for ms in submission.measurement_sets:
        refs.append(ms.ref)
        for m in ms.measurements:
            refs.append(m.ref)
            refs.extend(s.ref for s in getattr(m.value, "strata", ()))
    return refs
