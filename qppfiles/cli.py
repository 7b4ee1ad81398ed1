"""The ``qppfiles`` command line.  Thin: parse options, call the library, render.

Heavy modules (rich, lxml, the catalog) are imported inside commands so that
``qppfiles --help`` starts fast.
"""

from __future__ import annotations

import os
import sys

import click

from . import __version__
from .commands._common import (
    check_directories_have_files,
    check_run_options,
    ensure_writable,
    force_option,
    ig_given,
    max_file_size_option,
    max_findings_option,
    noise_options,
    output_stream,
    progress_stdout,
    read_stdin,
    without_output,
)
from .config import select_options, with_environment

STDIN = "-"


class UsageProblem(click.ClickException):
    exit_code = 2


def _default_year() -> int:
    import datetime

    from .program import supported_years

    years = supported_years()
    return min(max(datetime.date.today().year, years[0]), years[-1])


def _stdin_report(paths, name: str, options):
    """The report of the one file read from standard input (PATH -)."""
    from .validate import FileTooLarge, validate_bytes

    if len(paths) != 1:
        raise UsageProblem("- (standard input) cannot be combined with other paths")
    try:
        data = read_stdin(options.max_file_size)
    except FileTooLarge as exc:
        raise UsageProblem(f"{name} (standard input): {exc}") from None
    return validate_bytes(data, name, options)


class _Group(click.Group):
    """The command group; an unexpected failure in any command is one line on stderr and exit 2."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise
        except KeyboardInterrupt:  # any output file being written has been left as it was
            click.echo("qppfiles: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # the boundary: never a traceback for any input
            click.echo(f"qppfiles: internal error ({type(exc).__name__}: {exc}); please report it with the "
                       f"input file and `qppfiles --version`", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="qppfiles")
def main() -> None:
    """Check, score and build CMS Quality Payment Program (MIPS) submission files.

    \b
    Examples:
      qppfiles validate fixtures/2024/group-traditional.json
      qppfiles validate submissions/ --format json
      qppfiles measures --year 2024 diabetes
      qppfiles explain Q104
    """


@with_environment
@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "junit", "sarif", "github", "gitlab"]),
              default="text", show_default=True, help="Output format.")
@click.option("--year", type=int, help="Check against this performance year instead of the file's.")
@click.option("--small-practice", is_flag=True, help="The practice has 15 or fewer clinicians.")
@click.option("--special-status", is_flag=True, help="Rural, HPSA or non-patient-facing clinicians.")
@click.option("--profile", type=click.Choice(["accept", "strict"]), default="accept", show_default=True,
              help="accept: CMS intake rules and everything that costs points; strict: also the CDA XSD and "
                   "the CMS QRDA III schematron (needs --ig).")
@click.option("--ig", "ig_dir", type=click.Path(file_okay=False), envvar="QPPFILES_IG",
              help="Directory of QRDA III IG packages (<year>/*.sch, cda-schema/) for --profile strict.")
@click.option("--fail-on", type=click.Choice(["rejected", "error", "warning"]), default="error", show_default=True,
              help="Exit 1 on errors CMS rejects the file for, on any error, or on warnings too.")
@max_file_size_option
@max_findings_option
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Files checked in parallel by this many processes.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the report to this file instead of standard output.")
@force_option
@click.option("--stdin-filename", metavar="NAME", default="<stdin>", show_default=True,
              help="The name given in the report to the file read from standard input (PATH -).")
@noise_options
@select_options
@click.pass_context
def validate(ctx, paths, fmt, year, small_practice, special_status, profile, ig_dir, fail_on, max_file_size,
             max_findings, jobs, output, force, stdin_filename, quiet, show_info, select, ignore,
             config_path) -> None:
    """Validate QPP JSON and QRDA III submission files.

    PATHS are files or directories (walked for .json and .xml files); - reads one file from
    standard input. Exit code: 0 no error, 1 errors found (or warnings with --fail-on warning),
    2 bad usage or unreadable input (including a file above --max-file-size).

    \b
    Examples:
      qppfiles validate fixtures/2024/group-traditional.json
      qppfiles validate exports/ --year 2025 --small-practice --format json
      qppfiles validate report.xml --profile strict --ig ~/qrda3-ig
      export-tool --stdout | qppfiles validate - --stdin-filename export.json
    """
    from . import progress
    from .config import load_settings
    from .discover import discover
    from .report import exit_code, per_file, render
    from .runner import checked_reports

    settings = load_settings(ctx, config_path, fmt=fmt, fail_on=fail_on, year=year, small_practice=small_practice,
                             special_status=special_status, profile=profile, ig_dir=ig_dir, select=select,
                             ignore=ignore, max_file_size=max_file_size, max_findings=max_findings)
    fmt, fail_on = settings.values["fmt"], settings.values["fail_on"]
    check_run_options(settings.options_for(stdin_filename), ig_given(ctx))
    named = [p for p in paths if p != STDIN and not os.path.isdir(p)]
    if output:
        ensure_writable(output, force, named)
    problems: list[str] = []
    bar = False
    if STDIN in paths:
        reports = iter([_stdin_report(paths, stdin_filename, settings.options_for(stdin_filename))])
    else:
        found = discover(list(paths))
        found.files = list(without_output(found.files, output))
        check_directories_have_files(paths, found.files, "no .json or .xml file")
        bar = progress.wanted()
        reports = progress.track(checked_reports(settings, found, jobs, problems, per_file(fmt)),
                                 len(found.files) if bar else None, "validating", enabled=bar)
    with output_stream(output, force, named) as out:
        seen = render(fmt, reports, progress_stdout(out, bar), fail_on, problems, show_info=show_info,
                      quiet=quiet)
    for problem in problems:
        click.echo(f"qppfiles: {problem}", err=True)
    sys.exit(exit_code(seen, problems, fail_on))


@main.command()
@click.argument("words", nargs=-1)
@click.option("--year", type=int, help="Performance year (default: the current one).")
@click.option("--category", type=click.Choice(["quality", "ia", "pi", "cost"]), help="Only this category.")
@click.option("--mvp", help="Only measures of this MVP (e.g. M0001).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def measures(words, year, category, mvp, fmt) -> None:
    """List and search the measures catalog, or show one measure.

    \b
    Examples:
      qppfiles measures --year 2024 --category quality diabetes
      qppfiles measures --year 2025 --mvp M0001
      qppfiles measures show 236 --year 2024
      qppfiles measures --year 2024 --category ia --format json
    """
    from .catalog_view import list_measures, show_measure

    year = year or _default_year()
    try:
        if words and words[0] == "show":
            if len(words) != 2:
                raise UsageProblem("usage: qppfiles measures show MEASURE_ID [--year YEAR]")
            show_measure(year, words[1], fmt, sys.stdout)
        else:
            list_measures(year, category, mvp, " ".join(words), fmt, sys.stdout)
    except LookupError as exc:
        raise UsageProblem(str(exc.args[0] if exc.args else exc)) from None


@main.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def rules(fmt) -> None:
    """List every finding code qppfiles can report.

    \b
    Example:
      qppfiles rules --format json
    """
    from .catalog_view import list_rules

    list_rules(fmt, sys.stdout)


@main.command()
@click.argument("code")
def explain(code) -> None:
    """Explain one finding code: what it checks, why, its source and an example.

    \b
    Example:
      qppfiles explain F008
    """
    from .catalog_view import explain_code

    if not explain_code(code, sys.stdout):
        raise UsageProblem(f"unknown code '{code}'; `qppfiles rules` lists them all")


def _register() -> None:
    from .commands import convert, generate, lint, score

    for module in (convert, score, generate, lint):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
