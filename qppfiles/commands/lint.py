"""``qppfiles lint``: validate trees of submission files in CI, configured from pyproject.toml.

Configuration (all keys optional)::

    [tool.qppfiles]
    paths = ["fixtures"]                 # what to lint when no PATH is given (default ".")
    include = ["fixtures/**/*.json"]     # globs, relative to the pyproject.toml directory
    exclude = ["fixtures/invalid/**"]
    year = 2024
    profile = "accept"
    small-practice = false
    special-status = false
    fail-on = "error"

    [[tool.qppfiles.overrides]]
    paths = ["clinic-a/**"]
    small-practice = true
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import click

from ._common import (check_run_options, ensure_writable, force_option, max_findings_option,
                      noise_options, output_stream, progress_stdout, without_output)

DEFAULT_INCLUDE = ("**/*.json", "**/*.xml")
_SKIP_DIRS = {"node_modules", "__pycache__", "venv"}
_OPTION_KEYS = {"year": int, "profile": str, "small-practice": bool, "special-status": bool}
_TOP_KEYS = set(_OPTION_KEYS) | {"paths", "include", "exclude", "fail-on", "overrides"}


class ConfigError(click.ClickException):
    exit_code = 2


@dataclass
class Override:
    patterns: Tuple[str, ...]
    settings: Dict[str, object]


@dataclass
class Config:
    root: str = "."
    source: Optional[str] = None
    paths: Tuple[str, ...] = (".",)
    include: Tuple[str, ...] = DEFAULT_INCLUDE
    exclude: Tuple[str, ...] = ()
    settings: Dict[str, object] = field(default_factory=dict)
    fail_on: str = "error"
    overrides: List[Override] = field(default_factory=list)


# ---------------------------------------------------------------- configuration

def find_pyproject(start: str) -> Optional[str]:
    """The nearest pyproject.toml at or above ``start``."""
    here = os.path.abspath(start)
    while True:
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _toml(path: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _settings(where: str, table: dict) -> Dict[str, object]:
    out = {}
    for key, kind in _OPTION_KEYS.items():
        if key in table:
            value = table[key]
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ConfigError(f"{where}: '{key}' must be a {kind.__name__}, not {value!r}")
            if key == "profile" and value not in ("accept", "strict"):
                raise ConfigError(f"{where}: 'profile' must be \"accept\" or \"strict\"")
            out[key] = value
    return out


def _globs(where: str, table: dict, key: str, default: Tuple[str, ...]) -> Tuple[str, ...]:
    value = table.get(key, default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of glob strings")
    return tuple(value)


def load_config(start: str = ".", path: Optional[str] = None) -> Config:
    """The [tool.qppfiles] configuration of ``path`` or of the nearest pyproject.toml."""
    source = path or find_pyproject(start)
    if source is None:
        return Config(root=os.path.abspath(start))
    table = _toml(source).get("tool", {}).get("qppfiles", {})
    where = f"{source} [tool.qppfiles]"
    unknown = sorted(set(table) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_TOP_KEYS))}")
    fail_on = table.get("fail-on", "error")
    if fail_on not in ("error", "warning"):
        raise ConfigError(f"{where}: 'fail-on' must be \"error\" or \"warning\"")
    overrides = []
    for i, entry in enumerate(table.get("overrides", [])):
        where_i = f"{source} [[tool.qppfiles.overrides]] #{i + 1}"
        if not isinstance(entry, dict) or "paths" not in entry:
            raise ConfigError(f"{where_i}: each override needs 'paths'")
        extra = sorted(set(entry) - set(_OPTION_KEYS) - {"paths"})
        if extra:
            raise ConfigError(f"{where_i}: unknown key(s) {', '.join(extra)}")
        overrides.append(Override(_globs(where_i, entry, "paths", ()), _settings(where_i, entry)))
    return Config(
        root=os.path.dirname(os.path.abspath(source)), source=source,
        paths=_globs(where, table, "paths", (".",)), include=_globs(where, table, "include", DEFAULT_INCLUDE),
        exclude=_globs(where, table, "exclude", ()), settings=_settings(where, table), fail_on=fail_on,
        overrides=overrides)


# ---------------------------------------------------------------- globs and files

@lru_cache(maxsize=None)
def _glob_regex(pattern: str) -> "re.Pattern[str]":
    """A glob with ** (any directories), * and ? (within one path part) as a regular expression."""
    out, i = [], 0
    pattern = pattern.replace(os.sep, "/")
    if pattern.startswith("./"):
        pattern = pattern[2:]
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + r"(?:/.*)?\Z")


def matches(relative: str, patterns: Iterable[str]) -> bool:
    relative = relative.replace(os.sep, "/")
    return any(_glob_regex(p).match(relative) for p in patterns)


def _relative(config: Config, path: str) -> str:
    return os.path.relpath(os.path.abspath(path), config.root).replace(os.sep, "/")


def discover(config: Config, paths: Sequence[str], problems: List[str]) -> List[str]:
    """Submission files under ``paths`` that the include and exclude globs select, sorted, no duplicates."""
    from ..cli import SUBMISSION_SUFFIXES

    found: Dict[str, None] = {}
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
                for name in sorted(files):
                    if name.lower().endswith(SUBMISSION_SUFFIXES):
                        found.setdefault(os.path.join(root, name))
        elif os.path.exists(path):
            found.setdefault(path)
        else:
            problems.append(f"{path}: no such file or directory")
    return [p for p in found
            if matches(_relative(config, p), config.include) and not matches(_relative(config, p), config.exclude)]


# ---------------------------------------------------------------- options per file

def options_for(config: Config, path: str, cli: Dict[str, object]):
    """Validation options of one file: config, then the overrides matching it, then the command line."""
    from ..options import Options

    settings = dict(config.settings)
    relative = _relative(config, path)
    for override in config.overrides:
        if matches(relative, override.patterns):
            settings.update(override.settings)
    settings.update({k: v for k, v in cli.items() if v is not None})
    limit = cli.get("max-findings")
    return Options(year=settings.get("year"), small_practice=bool(settings.get("small-practice")),
                   special_status=bool(settings.get("special-status")),
                   profile=str(settings.get("profile") or "accept"), ig_dir=cli.get("ig"),
                   **({} if limit is None else {"max_findings": limit}))


def _batches(config: Config, files: List[str], cli: Dict[str, object]):
    """Files grouped by their options, each group in path order."""
    groups: Dict[object, List[str]] = {}
    for path in files:
        groups.setdefault(options_for(config, path, cli), []).append(path)
    return list(groups.items())


def _reports(batches, jobs: int, problems: List[str], render=None):
    from ..runner import validate_many

    for options, files in batches:
        use = jobs if len(files) >= 4 * jobs else 1  # process start-up costs more than a few files
        yield from validate_many(files, options, use, problems, render)


# ---------------------------------------------------------------- the command

def _ig_given() -> bool:
    source = click.get_current_context().get_parameter_source("ig_dir")
    return source == click.core.ParameterSource.COMMANDLINE


def _check_directories_have_files(paths: Sequence[str], files: List[str]) -> None:
    """A directory named on the command line with nothing to lint in it is a usage error (exit 2)."""
    from ._common import CommandProblem

    found = [os.path.abspath(f) for f in files]
    for path in paths:
        if os.path.isdir(path):
            prefix = os.path.join(os.path.abspath(path), "")
            if not any(f.startswith(prefix) for f in found):
                raise CommandProblem(f"{path}: no submission file to lint in this directory")


def _summary_table(reports, out) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..codes import get
    from ..report.tally import Tally

    tally = Tally.of(reports)
    by_code, files_by_code, severity = tally.by_code, tally.files_by_code, tally.severity
    if not by_code:
        return
    table = Table(title="Findings by code", title_justify="left")
    for column, justify in (("code", "left"), ("severity", "left"), ("findings", "right"), ("files", "right"),
                            ("what", "left")):
        table.add_column(column, justify=justify)
    for code, n in sorted(by_code.items(), key=lambda item: (-item[1], item[0])):
        entry = get(code)
        cells = (code, severity[code], str(n), str(files_by_code[code]), entry.summary if entry else "")
        table.add_row(*map(Text, cells))  # text as it is: no markup parsed
    Console(file=out, highlight=False, soft_wrap=True).print(table)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "junit", "sarif", "github", "gitlab"]),
              default="text", show_default=True, help="Output format.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), help="Parallel processes (default: CPUs, at most 4).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), help="Exit 1 on errors only, or on warnings too.")
@click.option("--year", type=int, help="Check against this performance year instead of each file's.")
@click.option("--small-practice", is_flag=True, default=None, help="The practices have 15 or fewer clinicians.")
@click.option("--special-status", is_flag=True, default=None, help="Rural, HPSA or non-patient-facing clinicians.")
@click.option("--profile", type=click.Choice(["accept", "strict"]), help="Validation profile.")
@click.option("--ig", "ig_dir", type=click.Path(file_okay=False), envvar="QPPFILES_IG",
              help="QRDA III IG packages for --profile strict.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True),
              help="pyproject.toml to read [tool.qppfiles] from (default: the nearest one).")
@max_findings_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to this file.")
@force_option
@noise_options
def lint(paths, fmt, jobs, fail_on, year, small_practice, special_status, profile, ig_dir, config_path,
         max_findings, output, force, quiet, show_info) -> None:
    """Validate every submission file (.json, .xml) under PATHS, for CI and pre-commit.

    PATHS default to the configured paths, or the current directory. Settings come from
    [tool.qppfiles] in the nearest pyproject.toml (include/exclude globs, year, profile,
    small-practice, special-status, fail-on, per-path overrides); options given here win.
    Exit code: 0 no error, 1 errors (or warnings with --fail-on warning), 2 bad usage or
    unreadable input (including a file above the 200 MB size limit).

    \b
    Examples:
      qppfiles lint
      qppfiles lint fixtures/ --format junit -o qppfiles-junit.xml
      qppfiles lint --format github --fail-on warning
    """
    from .. import progress
    from ..report import exit_code, per_file, render

    config = load_config(".", config_path)
    targets = list(paths) or [os.path.join(config.root, p) for p in config.paths]
    named = [p for p in paths if not os.path.isdir(p)]
    if output:
        ensure_writable(output, force, named)
    problems: List[str] = []
    files = list(without_output(discover(config, targets, problems), output))
    _check_directories_have_files(paths, files)
    cli = {"year": year, "small-practice": small_practice, "special-status": special_status, "profile": profile,
           "ig": ig_dir, "max-findings": max_findings}
    batches = _batches(config, files, cli)
    for options, _ in batches:
        check_run_options(options, ig_given=_ig_given())
    jobs = jobs or min(os.cpu_count() or 1, 4)
    bar = progress.wanted()
    reports = progress.track(_reports(batches, jobs, problems, per_file(fmt)), len(files), "linting", enabled=bar)
    with output_stream(output, force, named) as out:
        out = progress_stdout(out, bar)
        seen = render(fmt, reports, out, fail_on or config.fail_on, problems, show_info=show_info,
                      quiet=quiet)
        if fmt == "text":
            _summary_table(seen, out)
    for problem in problems:
        click.echo(f"qppfiles: {problem}", err=True)
    if not seen and paths and not problems:
        click.echo("qppfiles: no submission files matched", err=True)
    sys.exit(exit_code(seen, problems, fail_on or config.fail_on))


COMMANDS = (lint,)
