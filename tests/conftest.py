"""Shared test fixtures: the project root, the fixtures folder and ../shared when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
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


@pytest.fixture(autouse=True)
def _no_settings_from_the_shell(monkeypatch):
    """The QPPFILES_* variables that set command options are unset: a test gives them explicitly."""
    from qppfiles.config import PARAMETERS

    for _, variable in PARAMETERS.values():
        monkeypatch.delenv(variable, raising=False)
