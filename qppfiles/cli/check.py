"""``qppfiles validate``: check files, directories or standard input and report the findings."""

from __future__ import annotations

import os
import sys

import click

from ..intake.config import select_options
from ..intake.config import with_environment
from ..model.options import REPORT_FORMATS
from .common import STDIN
from .common import AsciiInt
from .common import AsciiIntRange
from .common import CommandProblem
from .common import NamedDirectories
from .common import check_run_options
from .common import ensure_writable
from .common import force_option
from .common import ig_given
from .common import max_file_size_option
from .common import max_findings_option
from .common import noise_options
from .common import output_stream
from .common import progress_stdout
from .common import read_stdin
from .common import without_output


def _stdin_report(paths, name: str, options):
    """The report of the one file read from standard input (PATH -)."""
    from ..pipeline.validate import FileTooLarge
    from ..pipeline.validate import validate_bytes

    if len(paths) != 1:
        raise CommandProblem("- (standard input) cannot be combined with other paths")
    try:
        data = read_stdin(options.max_file_size)
    except FileTooLarge as exc:
        raise CommandProblem(f"{name} (standard input): {exc}") from None
    return validate_bytes(data, name, options)


@with_environment
@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS),
              default="text", show_default=True, help="Output format.")
@click.option("--year", type=AsciiInt(), help="Check against this performance year instead of the file's.")
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
@click.option("-j", "--jobs", type=AsciiIntRange(min=1), default=1, show_default=True,
              help="Files checked in parallel by this many processes.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the report to this file instead of standard output (-: standard output).")
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
    from ..intake.config import load_settings
    from ..intake.discover import Discovery
    from ..intake.discover import walk_files
    from ..pipeline.runner import Grouped
    from ..pipeline.runner import checked_reports
    from ..report import exit_code
    from ..report import per_file
    from ..report import render
    from . import progress

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
        found, named_dirs = Discovery(), NamedDirectories(paths)
        # The whole walk is done here, its paths spooled rather than listed: reports come grouped
        # by options, after the directories that could not be listed.
        grouped = Grouped(settings.options_for, named_dirs.watch(without_output(walk_files(list(paths), found),
                                                                                output)))
        named_dirs.check("no .json or .xml file")
        bar = progress.wanted()
        reports = progress.track(checked_reports(settings, found, jobs, problems, per_file(fmt), grouped=grouped),
                                 len(grouped) if bar else None, "validating", enabled=bar)
    with output_stream(output, force, named) as out:
        seen = render(fmt, reports, progress_stdout(out, bar), fail_on, problems, show_info=show_info,
                      quiet=quiet)
    for problem in problems:
        click.echo(f"qppfiles: {problem}", err=True)
    sys.exit(exit_code(seen, problems, fail_on))


COMMANDS = (validate,)
