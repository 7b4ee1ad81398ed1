"""One configuration for every command: ``qppfiles.toml`` or ``[tool.qppfiles]`` in ``pyproject.toml``.

The nearest directory at or above the working directory holding either file is the project root;
``qppfiles.toml`` wins over ``pyproject.toml`` in the same directory, and uses the same keys without
the ``[tool.qppfiles]`` header. Precedence of a setting: command line > ``QPPFILES_*`` environment
variable > configuration file > default.

Keys (all optional)::

    paths = ["fixtures"]                 # lint: what to check when no PATH is given (default ".")
    include = ["fixtures/**/*.json"]     # lint: gitignore-style globs, relative to the project root
    exclude = ["fixtures/invalid/**"]
    year = 2024
    profile = "accept"
    small-practice = false
    special-status = false
    fail-on = "error"
    format = "text"                      # validate and lint report format
    select = ["Q", "P"]                  # finding codes or prefixes to report (default: all)
    ignore = ["Q10"]                     # finding codes or prefixes not to report

    [per-file-ignores]                   # [tool.qppfiles.per-file-ignores] in pyproject.toml
    "fixtures/invalid/**" = ["S"]

    [[overrides]]                        # [[tool.qppfiles.overrides]]
    paths = ["clinic-a/**"]
    small-practice = true
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import click

CONFIG_FILE = "qppfiles.toml"
DEFAULT_INCLUDE = ("**/*.json", "**/*.xml")
ENV_PREFIX = "QPPFILES_"

# Settings a file may give, with their type; the same names as the command-line options.
OPTION_KEYS = {"year": int, "profile": str, "small-practice": bool, "special-status": bool}
_CHOICES = {"profile": ("accept", "strict"), "fail-on": ("rejected", "error", "warning")}
_TOP_KEYS = set(OPTION_KEYS) | {"paths", "include", "exclude", "fail-on", "format", "select", "ignore",
                                "per-file-ignores", "overrides"}

# Command-line parameter -> (configuration key, environment variable).  The environment variable is
# read by click itself, so that a value from it counts as given (it wins over the file).
PARAMETERS = {
    "year": ("year", "QPPFILES_YEAR"),
    "profile": ("profile", "QPPFILES_PROFILE"),
    "small_practice": ("small-practice", "QPPFILES_SMALL_PRACTICE"),
    "special_status": ("special-status", "QPPFILES_SPECIAL_STATUS"),
    "fail_on": ("fail-on", "QPPFILES_FAIL_ON"),
    "fmt": ("format", "QPPFILES_FORMAT"),
    "select": ("select", "QPPFILES_SELECT"),
    "ignore": ("ignore", "QPPFILES_IGNORE"),
    "max_findings": (None, "QPPFILES_MAX_FINDINGS"),
    "jobs": (None, "QPPFILES_JOBS"),
    "config_path": (None, "QPPFILES_CONFIG"),
}


class ConfigError(click.ClickException):
    exit_code = 2


@dataclass
class Override:
    patterns: tuple[str, ...]
    settings: dict[str, Any]


@dataclass
class Config:
    root: str = "."
    source: str | None = None
    paths: tuple[str, ...] = (".",)
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)
    fail_on: str | None = None
    format: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    overrides: list[Override] = field(default_factory=list)

    def relative(self, path: str) -> str:
        """``path`` relative to the project root, /-separated (``../`` when outside it)."""
        return os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")

    def selected(self, path: str) -> bool:
        """Whether the include and exclude globs keep ``path``; they say nothing of a path outside the
        project, which is kept."""
        from .globs import matches

        relative = self.relative(path)
        if relative == ".." or relative.startswith("../"):
            return True
        return matches(relative, self.include) and not matches(relative, self.exclude)

    def ignored_codes(self, path: str) -> tuple[str, ...]:
        """The codes the per-file-ignores globs matching ``path`` leave out."""
        from .globs import matches

        relative = self.relative(path)
        out: list[str] = []
        for pattern, codes in self.per_file_ignores:
            if matches(relative, (pattern,)):
                out.extend(codes)
        return tuple(out)


# ---------------------------------------------------------------- finding the file

def find_config(start: str) -> str | None:
    """The configuration file of the nearest directory at or above ``start`` that has one."""
    here = os.path.abspath(start)
    while True:
        for name in (CONFIG_FILE, "pyproject.toml"):
            candidate = os.path.join(here, name)
            if os.path.isfile(candidate):
                return candidate
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _toml(path: str) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _settings(where: str, table: dict) -> dict[str, Any]:
    out = {}
    for key, kind in OPTION_KEYS.items():
        if key in table:
            value = table[key]
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ConfigError(f"{where}: '{key}' must be a {kind.__name__}, not {value!r}")
            if key in _CHOICES and value not in _CHOICES[key]:
                raise ConfigError(f"{where}: '{key}' must be one of {', '.join(_CHOICES[key])}")
            out[key] = value
    return out


def _strings(where: str, table: dict, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = table.get(key, default)
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


def _choice(where: str, table: dict, key: str, choices: Iterable[str]) -> str | None:
    value = table.get(key)
    if value is not None and value not in choices:
        raise ConfigError(f"{where}: '{key}' must be one of {', '.join(choices)}, not {value!r}")
    return value


def load_config(start: str = ".", path: str | None = None) -> Config:
    """The configuration of ``path``, or of the nearest qppfiles.toml or pyproject.toml."""
    source = path or find_config(start)
    if source is None:
        return Config(root=os.path.abspath(start))
    data = _toml(source)
    own = os.path.basename(source) == CONFIG_FILE
    table = data if own else data.get("tool", {}).get("qppfiles", {})
    prefix = "" if own else "tool.qppfiles."
    where = f"{source}" if own else f"{source} [tool.qppfiles]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table")
    unknown = sorted(set(table) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)}; known: {', '.join(sorted(_TOP_KEYS))}")
    from ..model.options import REPORT_FORMATS

    overrides = []
    for i, entry in enumerate(table.get("overrides", [])):
        where_i = f"{source} [[{prefix}overrides]] #{i + 1}"
        if not isinstance(entry, dict) or "paths" not in entry:
            raise ConfigError(f"{where_i}: each override needs 'paths'")
        extra = sorted(set(entry) - set(OPTION_KEYS) - {"paths"})
        if extra:
            raise ConfigError(f"{where_i}: unknown key(s) {', '.join(extra)}")
        overrides.append(Override(_strings(where_i, entry, "paths", ()), _settings(where_i, entry)))
    ignores = table.get("per-file-ignores", {})
    if not isinstance(ignores, dict):
        raise ConfigError(f"{source} [{prefix}per-file-ignores]: must be a table of glob = [codes]")
    per_file = tuple((glob, check_codes(f"{source} [{prefix}per-file-ignores]",
                                        _strings(f"{source} [{prefix}per-file-ignores]", ignores, glob, ())))
                     for glob in ignores)
    return Config(
        root=os.path.dirname(os.path.abspath(source)), source=source,
        paths=_strings(where, table, "paths", (".",)), include=_strings(where, table, "include", DEFAULT_INCLUDE),
        exclude=_strings(where, table, "exclude", ()), settings=_settings(where, table),
        fail_on=_choice(where, table, "fail-on", _CHOICES["fail-on"]),
        format=_choice(where, table, "format", REPORT_FORMATS),
        select=check_codes(where, _strings(where, table, "select", ())),
        ignore=check_codes(where, _strings(where, table, "ignore", ())),
        per_file_ignores=per_file, overrides=overrides)


# ---------------------------------------------------------------- codes

def split_codes(values: Iterable[str]) -> tuple[str, ...]:
    """Codes given as repeated options, or comma- or space-separated in one value."""
    out: list[str] = []
    for value in values or ():
        out.extend(part.strip().upper() for part in value.replace(",", " ").split() if part.strip())
    return tuple(out)


def check_codes(where: str, codes: Iterable[str]) -> tuple[str, ...]:
    """The codes upper-cased, a redirected code replaced by the code it names (with a one-line warning on
    stderr); a removed code, or a code or prefix that no registered code starts with, is an error."""
    from ..model.codes import REDIRECTED
    from ..model.codes import REMOVED
    from ..model.codes import all_codes
    from ..model.codes import get
    from ..model.codes import redirected

    known = [c.code for c in all_codes()]
    out: list[str] = []
    for code in split_codes(codes):
        entry = get(code)
        if entry is not None and entry.status == REMOVED:
            raise ConfigError(f"{where}: '{code}' was removed and is never reported ({entry.summary}); "
                              "take it out")
        if entry is not None and entry.status == REDIRECTED:
            target = redirected(entry).code
            click.echo(f"qppfiles: warning: {where}: '{code}' was renamed '{target}'; acting on {target}", err=True)
            code = target
        if not any(k.startswith(code) for k in known):
            raise ConfigError(f"{where}: '{code}' is not a finding code nor the start of one "
                              f"(`qppfiles rules` lists them)")
        out.append(code)
    return tuple(out)


# ---------------------------------------------------------------- the command line

def with_environment(command: click.Command | None = None, *, skip: tuple[str, ...] = ()):
    """Bind the command's main options to their ``QPPFILES_*`` environment variables (but ``skip``)."""
    if command is None:
        return lambda c: with_environment(c, skip=skip)
    for param in command.params:
        if param.name in PARAMETERS and param.name not in skip and getattr(param, "envvar", None) is None:
            param.envvar = PARAMETERS[param.name][1]
            if isinstance(param, click.Option):
                param.show_envvar = True
    return command


def config_option(fn):
    """``--config``: settings from this file instead of the nearest one."""
    return click.option("--config", "config_path", type=click.Path(dir_okay=False, exists=True),
                        help="qppfiles.toml or pyproject.toml to read settings from (default: the nearest "
                             "one).")(fn)


def select_options(fn):
    """``--select``, ``--ignore`` and ``--config``."""
    fn = config_option(fn)
    fn = click.option("--ignore", multiple=True, metavar="CODES",
                      help="Do not report these finding codes or prefixes (e.g. Q10,S003). Repeatable.")(fn)
    fn = click.option("--select", multiple=True, metavar="CODES",
                      help="Report only these finding codes or prefixes (e.g. P,Q1). Repeatable.")(fn)
    return fn


def resolve(ctx: click.Context, values: dict[str, Any], config: Config) -> tuple[dict[str, Any], set]:
    """``values`` (parameter -> value) with the configuration's value where neither the command line
    nor the environment gave one, and the names of the parameters that were given."""
    from click.core import ParameterSource

    from_file: dict[str, Any] = {"fail_on": config.fail_on, "fmt": config.format, "select": config.select,
                                    "ignore": config.ignore}
    for name, (key, _) in PARAMETERS.items():
        if key in OPTION_KEYS:
            from_file[name] = config.settings.get(key)
    out = dict(values)
    given = set()
    for name in values:
        if ctx.get_parameter_source(name) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
            given.add(name)
        elif from_file.get(name) not in (None, ()):
            out[name] = from_file[name]
    for name in ("select", "ignore"):
        if name in out:
            out[name] = check_codes(f"--{name}", out[name] or ())
    return out, given


def options_for(config: Config, path: str, values: dict[str, Any], given: set):
    """Validation options of one file: defaults < configuration < its overrides matching ``path`` <
    environment < command line; per-file-ignores add to ``ignore``."""
    from ..model.options import Options
    from .globs import matches

    settings = {key: values.get(name) for name, (key, _) in PARAMETERS.items() if key in OPTION_KEYS}
    relative = config.relative(path)
    for override in config.overrides:
        if matches(relative, override.patterns):
            settings.update(override.settings)
    settings.update({key: values[name] for name in given if name in PARAMETERS
                     for key in (PARAMETERS[name][0],) if key is not None and key in OPTION_KEYS})
    extra = {k: values[k] for k in ("max_file_size", "max_findings") if values.get(k) is not None}
    return Options(year=settings.get("year"), small_practice=bool(settings.get("small-practice")),
                   special_status=bool(settings.get("special-status")),
                   profile=str(settings.get("profile") or "accept"), ig_dir=values.get("ig_dir"),
                   select=tuple(values.get("select") or ()),
                   ignore=tuple(values.get("ignore") or ()) + config.ignored_codes(path), **extra)


@dataclass
class Settings:
    """A command's settings: the configuration, the effective values, and which were given."""

    config: Config
    values: dict[str, Any]
    given: set

    def options_for(self, path: str):
        return options_for(self.config, path, self.values, self.given)


def load_settings(ctx: click.Context, config_path: str | None = None, **values) -> Settings:
    """The configuration found from the working directory (or ``config_path``) under ``values``."""
    config = load_config(".", config_path)
    resolved, given = resolve(ctx, values, config)
    return Settings(config, resolved, given)
