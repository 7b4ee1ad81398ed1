"""``qppfiles lint``: validate the submission files of a repository, for CI and pre-commit.

Settings come from the project's configuration (see ``qppfiles.intake.config``); files are found by
``qppfiles.intake.discover``: only QPP JSON and QRDA III submissions are checked, .gitignore is honoured.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import click

from ..intake.config import select_options
from ..intake.config import with_environment
from ..model.options import REPORT_FORMATS

if TYPE_CHECKING:
    from rich.console import JustifyMethod
from .common import AsciiInt
from .common import AsciiIntRange
from .common import NamedDirectories
from .common import check_run_options
from .common import ensure_writable
from .common import force_option
from .common import ig_given
from .common import max_findings_option
from .common import noise_options
from .common import output_stream
from .common import progress_stdout
from .common import without_output


def discover(config, paths, follow_symlinks: bool = False):
    """Submission files under ``paths`` that the include and exclude globs and .gitignore select."""
    from ..intake.discover import Discovery

    found = Discovery()
    found.files = list(walk(config, paths, found, follow_symlinks))
    return found


def walk(config, paths, found, follow_symlinks: bool = False):
    """The files ``discover`` lists, one at a time as the walk finds them; the rest goes to ``found``."""
    from ..intake.discover import TOOL_DIRS
    from ..intake.discover import walk_files

    return walk_files(paths, found, root=config.root, follow_symlinks=follow_symlinks, gitignore=True,
                      skip_dirs=TOOL_DIRS, select=config.selected, submissions_only=True, unique=True)


# ---------------------------------------------------------------- the command

def _summary_table(reports, out) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from ..model.codes import get
    from ..report.tally import Tally

    tally = Tally.of(reports)
    by_code, files_by_code, severity = tally.by_code, tally.files_by_code, tally.severity
    if not by_code:
        return
    table = Table(title="Findings by code", title_justify="left")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("code", "left"), ("severity", "left"), ("findings", "right"), ("files", "right"), ("what", "left"))
    for column, justify in columns:
        table.add_column(column, justify=justify)
    for code, n in sorted(by_code.items(), key=lambda item: (-item[1], item[0])):
        entry = get(code)
        cells = (code, severity[code], str(n), str(files_by_code[code]), entry.summary if entry else "")
        table.add_row(*map(Text, cells))  # text as it is: no markup parsed
    Console(file=out, highlight=False, soft_wrap=True).print(table)


@with_environment
@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS),
              default="text", show_default=True, help="Output format.")
@click.option("-j", "--jobs", type=AsciiIntRange(min=1), help="Parallel processes (default: CPUs, at most 4).")
@click.option("--fail-on", type=click.Choice(["rejected", "error", "warning"]), default="error", show_default=True,
              help="Exit 1 on errors CMS rejects the file for, on any error, or on warnings too.")
@click.option("--year", type=AsciiInt(), help="Check against this performance year instead of each file's.")
@click.option("--small-practice", is_flag=True, default=None, help="The practices have 15 or fewer clinicians.")
@click.option("--special-status", is_flag=True, default=None, help="Rural, HPSA or non-patient-facing clinicians.")
@click.option("--profile", type=click.Choice(["accept", "strict"]), help="Validation profile.")
@click.option("--ig", "ig_dir", type=click.Path(file_okay=False), envvar="QPPFILES_IG",
              help="QRDA III IG packages for --profile strict.")
@select_options
@click.option("--follow-symlinks", is_flag=True,
              help="Follow symbolic links that lead out of the project directory.")
@max_findings_option
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the report to this file (-: standard output).")
@force_option
@noise_options
@click.pass_context
def lint(ctx, paths, fmt, jobs, fail_on, year, small_practice, special_status, profile, ig_dir, select, ignore,
         config_path, follow_symlinks, max_findings, output, force, quiet, show_info) -> None:
    """Validate every submission file (QPP JSON, QRDA III) under PATHS, for CI and pre-commit.

    PATHS default to the configured paths, or the current directory. Only submissions are
    checked: other .json and .xml files (package.json, editor settings, pom.xml) and files
    ignored by .gitignore are skipped, and the number skipped is reported. Settings come from
    qppfiles.toml or [tool.qppfiles] in pyproject.toml (include/exclude globs, year, profile,
    select/ignore, per-file-ignores, per-path overrides); QPPFILES_* environment variables
    override them and options given here override both.
    Exit code: 0 no error, 1 errors (or warnings with --fail-on warning), 2 bad usage or
    unreadable input (a file above the 200 MB size limit, a directory that cannot be listed).

    \b
    Examples:
      qppfiles lint
      qppfiles lint fixtures/ --format junit -o qppfiles-junit.xml
      qppfiles lint --format github --fail-on warning --ignore Q10
    """
    from ..intake.config import load_settings
    from ..intake.discover import Discovery
    from ..pipeline.runner import Grouped
    from ..pipeline.runner import checked_reports
    from ..report import exit_code
    from ..report import per_file
    from ..report import render
    from . import progress

    settings = load_settings(ctx, config_path, fmt=fmt, fail_on=fail_on, year=year, small_practice=small_practice,
                             special_status=special_status, profile=profile, select=select, ignore=ignore,
                             ig_dir=ig_dir, max_findings=max_findings)
    fmt, fail_on, config = settings.values["fmt"], settings.values["fail_on"], settings.config
    targets = list(paths) or [os.path.normpath(os.path.join(config.root, p)) for p in config.paths]
    named = [p for p in paths if not os.path.isdir(p)]
    if output:
        ensure_writable(output, force, named)
    found, named_dirs = Discovery(), NamedDirectories(paths)
    # The whole walk is done here (its paths spooled, not listed): options are checked before any file.
    grouped = Grouped(settings.options_for, named_dirs.watch(without_output(walk(config, targets, found,
                                                                                follow_symlinks), output)))
    named_dirs.check("no submission file to lint")
    for options in grouped.options():
        check_run_options(options, ig_given(ctx))
    problems: list[str] = []
    jobs = jobs or min(os.cpu_count() or 1, 4)
    bar = progress.wanted()
    reports = progress.track(checked_reports(settings, found, jobs, problems, per_file(fmt), few_serial=True,
                                             grouped=grouped), len(grouped) if bar else None, "linting", enabled=bar)
    with output_stream(output, force, named) as out:
        out = progress_stdout(out, bar)
        seen = render(fmt, reports, out, fail_on, problems, {"skipped": found.skipped_count}, show_info=show_info,
                      quiet=quiet)
        if fmt == "text":
            _summary_table(seen, out)
    for problem in problems:
        click.echo(f"qppfiles: {problem}", err=True)
    if found.summary_line():
        click.echo(f"qppfiles: {found.summary_line()}", err=True)
    if not seen and paths and not problems:
        click.echo("qppfiles: no submission files matched", err=True)
    sys.exit(exit_code(seen, problems, fail_on))


COMMANDS = (lint,)
