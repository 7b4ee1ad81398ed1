"""The suite's own hygiene: tests see none of the developer's environment, assert no wall time, run in any order."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from .conftest import ROOT
from .conftest import TEST_CONTROLS
from .conftest import leaking_variables

TESTS = ROOT / "tests"


def test_project_ci_and_terminal_variables_are_the_ones_cleared():
    environ = {"QPPFILES_IG": "/ig", "QPPFILES_REQUIRE_SHARED": "1", "QPPFILES_FUZZ_SEED": "3",
               "GITHUB_WORKSPACE": "/w", "CI_PROJECT_DIR": "/p", "CI": "true", "NO_COLOR": "1", "COLUMNS": "40",
               "FORCE_COLOR": "1", "HOME": "/home/x", "PATH": "/bin", "XDG_CACHE_HOME": "/c", "PYTHONPATH": "/s"}
    assert leaking_variables(environ) == ["CI", "CI_PROJECT_DIR", "COLUMNS", "FORCE_COLOR", "GITHUB_WORKSPACE",
                                          "NO_COLOR", "QPPFILES_IG"]
    assert TEST_CONTROLS == {"QPPFILES_REQUIRE_SHARED", "QPPFILES_SLOW_TESTS", "QPPFILES_REQUIRE_BROWSER",
                             "QPPFILES_FUZZ_BUDGET", "QPPFILES_FUZZ_SEED"}


def test_a_test_sees_no_developer_variable_and_a_cache_of_its_own(tmp_path_factory):
    assert leaking_variables(os.environ) == []
    cache = Path(os.environ["XDG_CACHE_HOME"])
    assert cache.is_relative_to(tmp_path_factory.getbasetemp())


def test_variables_set_in_the_shell_do_not_reach_a_test(tmp_path):
    env = dict(os.environ, QPPFILES_IG=str(tmp_path), GITHUB_WORKSPACE=str(tmp_path), CI_PROJECT_DIR=str(tmp_path),
               NO_COLOR="1", COLUMNS="20", XDG_CACHE_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    test = "tests/test_suite_hygiene.py::test_a_test_sees_no_developer_variable_and_a_cache_of_its_own"
    command = [sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider", "-p", "no:randomly",
               "--basetemp", str(tmp_path / "base"), test]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def _test_sources():
    return sorted(TESTS.glob("test_*.py")) + [TESTS / "conftest.py"]


def test_no_test_times_itself():
    clock = re.compile(r"\b(perf_counter|monotonic|process_time)(_ns)?\(|\btime\.time\(")
    offenders = [f"{p.name}:{i}" for p in _test_sources()
                 for i, line in enumerate(p.read_text("utf-8").splitlines(), 1) if clock.search(line)]
    assert offenders == [], f"tests reading a clock (assert on work done, not on wall time): {offenders}"


def test_no_test_changes_the_process_environment_or_cwd_by_hand():
    # monkeypatch (or CliRunner(env=...)) undoes what it changes; these do not.
    by_hand = re.compile(r"os\.environ(\[[^]]+\]\s*=|\.(setdefault|update|pop|clear)\()|\bdel os\.environ|"
                         r"\bos\.(chdir|putenv|unsetenv)\(")
    offenders = [f"{p.name}:{i}" for p in _test_sources()
                 for i, line in enumerate(p.read_text("utf-8").splitlines(), 1) if by_hand.search(line)]
    assert offenders == [], f"tests changing os.environ or the working directory by hand: {offenders}"


def test_random_order_is_part_of_the_test_extra():
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["optional-dependencies"]["test"]
    assert any(re.match(r"pytest-randomly\b", requirement) for requirement in extra)
