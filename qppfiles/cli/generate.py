"""``qppfiles generate``: submissions from a table of counts, starter templates, synthetic fixtures."""

from __future__ import annotations

import os
import sys

import click

from .common import AsciiInt
from .common import AsciiIntRange
from .common import CommandProblem
from .common import write_output

TARGET = click.Choice(["json", "qrda3"])





def _extension(target: str) -> str:
    return ".xml" if target == "qrda3" else ".json"


def _print_findings(report, out=None) -> None:
    from ..report import render

    render("text", [report], out or sys.stderr)


@click.group()
def generate() -> None:
    """Build submissions: from a table of counts, starter templates, synthetic fixtures.

    \b
    Examples:
      qppfiles generate template --year 2024 --level group -o counts.yaml
      qppfiles generate from counts.yaml -o submission.json
      qppfiles generate fake --year 2025 --level subgroup --count 20 --seed 1 -o fixtures/
    """


@generate.command("from")
@click.argument("input_path", metavar="INPUT", type=click.Path(exists=True, dir_okay=False))
@click.option("--to", "target", type=TARGET, default="json", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file (default: standard output).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.option("--allow-errors", is_flag=True, help="Write the file even if it has validation errors.")
@click.option("--year", type=AsciiInt(), help="Performance year (CSV input; overrides the file's).")
@click.option("--entity-type", type=click.Choice(["individual", "group", "subgroup", "virtualGroup", "apm"]))
@click.option("--tin", help="Taxpayer identification number (9 digits).")
@click.option("--npi", help="National provider identifier (10 digits, individuals).")
@click.option("--entity-id", help="APM entity, virtual group or subgroup id.")
@click.option("--program", help="mips, app1, appPlus or an MVP id such as M0001.")
@click.option("--cehrt-id", help="CEHRT ID, for PI and eCQM sets.")
@click.option("--start", help="Period start (YYYY-MM-DD) of the IA and PI sets.")
@click.option("--end", help="Period end (YYYY-MM-DD) of the IA and PI sets.")
@click.option("--submission-method", type=click.Choice(["registry", "electronicHealthRecord", "claims"]),
              help="Quality collection type (default registry).")
def from_table(input_path, target, output, force, allow_errors, year, entity_type, tin, npi, entity_id, program,
               cehrt_id, start, end, submission_method) -> None:
    """Build a submission from INPUT, a table of counts (.csv, .yaml or .toml).

    A CSV has one row per measure (columns measureId, performanceMet, performanceNotMet,
    eligiblePopulation, eligiblePopulationException, numerator, denominator, value, stratum,
    submissionMethod); its header comes from the options. A YAML or TOML file carries the header
    itself. The result is validated before it is written: errors stop it (exit 1) unless
    --allow-errors. Problems in the table are reported with their line (exit 2).

    \b
    Examples:
      qppfiles generate from counts.csv --year 2024 --entity-type group --tin 123456789 -o sub.json
      qppfiles generate from counts.yaml --to qrda3 -o sub.xml
    """
    from ..formats import qppjson
    from ..generate.render import TargetUnavailable
    from ..generate.render import to_bytes
    from ..generate.tables import Header
    from ..generate.tables import InputError
    from ..generate.tables import load
    from ..pipeline.validate import validate_bytes
    from ..report.atomic import WriteRefused
    from ..report.atomic import check_writable

    if output:
        try:
            check_writable(output, force, [input_path])
        except WriteRefused as exc:
            raise CommandProblem(str(exc)) from None
    try:
        with open(input_path, encoding="utf-8-sig") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandProblem(f"cannot read {input_path}: {exc}") from None
    header = Header(year, entity_type, tin, npi, entity_id, program, cehrt_id, start, end, submission_method)
    try:
        submission, _ = load(input_path, text, header)
    except InputError as exc:
        raise CommandProblem(f"{input_path}: {exc}") from None
    report = validate_bytes(qppjson.write(submission), output or "<output>")
    if report.errors or report.warnings:
        _print_findings(report)
    if report.errors and not allow_errors:
        click.echo(f"qppfiles: not written: {report.errors} error(s); fix the table or use --allow-errors",
                   err=True)
        sys.exit(1)
    try:
        data = to_bytes(submission, target)
    except TargetUnavailable as exc:
        raise CommandProblem(str(exc)) from None
    _emit(data, output, force, [input_path])


def _emit(data: bytes, output: str | None, force: bool, inputs) -> None:
    if not output or output == "-":
        click.echo(data.decode("utf-8"), nl=False)
        return
    write_output(output, data, force, inputs)


@generate.command("template")
@click.option("--year", type=AsciiInt(), required=True, help="Performance year.")
@click.option("--level", required=True, type=click.Choice(["individual", "group", "subgroup", "virtualGroup", "apm"]),
              help="Entity type.")
@click.option("--mvp", help="An MVP id of the year (or 'random').")
@click.option("--format", "fmt", type=click.Choice(["yaml", "toml", "csv"]), default="yaml", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Output file (default: standard output).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def template_command(year, level, mvp, fmt, output, force) -> None:
    """Write a commented starter table listing what a year and level need.

    \b
    Examples:
      qppfiles generate template --year 2024 --level individual
      qppfiles generate template --year 2025 --level subgroup --mvp G0053 --format csv -o counts.csv
    """
    from ..generate.fake import GenerateError
    from ..generate.template import template

    try:
        text = template(year, level, mvp, fmt)
    except GenerateError as exc:
        raise CommandProblem(str(exc)) from None
    _emit(text.encode("utf-8"), output, force, [])


@generate.command("fake")
@click.option("--year", type=AsciiInt(), required=True, help="Performance year.")
@click.option("--level", required=True, type=click.Choice(["individual", "group", "subgroup", "virtualGroup", "apm"]),
              help="Entity type.")
@click.option("--mvp", help="An MVP id of the year, or 'random'.")
@click.option("--count", type=AsciiIntRange(min=1), default=1, show_default=True, help="Number of files.")
@click.option("--seed", type=AsciiInt(), help="Seed: the same seed gives the same files (default: random).")
@click.option("--to", "target", type=TARGET, default="json", show_default=True, help="Output format.")
@click.option("-o", "--output", "directory", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Directory for the files.")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.option("--faults", type=AsciiIntRange(min=1), help="Break this many randomly chosen rules in each file.")
@click.option("--fault", "fault_codes", multiple=True, help="Break this rule (finding code); repeatable.")
def fake(year, level, mvp, count, seed, target, directory, force, faults, fault_codes) -> None:
    """Write synthetic submissions that follow the year's rules (or break chosen ones).

    Every file uses real measures of the year (and of the MVP) with realistic counts, and
    validates with no error. With --faults or --fault, each file breaks the chosen rules and a
    <name>.expected file beside it lists the codes the validator must report.

    \b
    Examples:
      qppfiles generate fake --year 2024 --level group --count 100 --seed 7 -o fixtures/
      qppfiles generate fake --year 2023 --level subgroup --mvp random --to qrda3 -o out/
      qppfiles generate fake --year 2024 --level individual --fault I103 --fault Q101 -o broken/
    """
    import random

    from ..generate import faults as fault_registry
    from ..generate.fake import GenerateError
    from ..generate.fake import fake_submission
    from ..generate.render import TargetUnavailable
    from ..generate.render import to_bytes
    from ..pipeline.validate import validate_bytes

    if (faults or fault_codes) and target != "json":
        raise CommandProblem("fault injection writes QPP JSON; drop --to qrda3")
    unknown = [c for c in fault_codes if c.upper() not in fault_registry.INJECTORS]
    if unknown:
        raise CommandProblem(f"no fault injector for {', '.join(unknown)}; known: {', '.join(fault_registry.codes())}")
    if seed is None:
        seed = random.SystemRandom().randrange(1 << 31)
        click.echo(f"qppfiles: seed {seed}", err=True)
    faker = _faker() if target == "qrda3" else None
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise CommandProblem(f"cannot create the directory {directory}: {exc.strerror or exc}") from None
    from . import progress

    written = 0
    for index in progress.track(range(count), count, "generating", enabled=progress.wanted()):
        file_seed = seed * 1_000_003 + index
        rng = random.Random(file_seed)
        try:
            submission = fake_submission(year, level, rng, mvp=mvp, target=target)
        except GenerateError as exc:
            raise CommandProblem(str(exc)) from None
        name = "-".join(str(p) for p in (year, level, _mvp_label(submission, mvp), f"{index + 1:04d}") if p)
        path = os.path.join(directory, name + _extension(target))
        expected: list[str] = []
        if faults or fault_codes:
            try:
                data, expected = fault_registry.inject(
                    submission, [c.upper() for c in fault_codes] or
                    [c for c in fault_registry.rule_codes() if c in fault_registry.INJECTORS], rng,
                    count=faults if not fault_codes else None)
            except fault_registry.FaultError as exc:
                raise CommandProblem(str(exc)) from None
            if faults and len(expected) < faults:
                click.echo(f"qppfiles: {path}: only {len(expected)} of {faults} faults apply", err=True)
        else:
            if faker is not None:
                faker.seed_instance(file_seed)
            try:
                data = to_bytes(submission, target, faker)
            except TargetUnavailable as exc:
                raise CommandProblem(str(exc)) from None
            report = validate_bytes(data, path)
            if report.errors:  # a generator bug: never write an invalid "valid" file
                _print_findings(report)
                raise click.ClickException(f"generated file {path} is not valid; please report it with --seed {seed}")
        _emit(data, path, force, [])
        if expected:
            _emit(("\n".join(expected) + "\n").encode(), os.path.splitext(path)[0] + ".expected", force, [path])
        written += 1
    click.echo(f"qppfiles: wrote {written} file(s) to {directory}", err=True)


def _mvp_label(submission, mvp: str | None) -> str | None:
    if mvp is None and submission.entity_type != "subgroup":
        return None
    return next((ms.program for ms in submission.measurement_sets), None)


def _faker():
    try:
        from faker import Faker
    except ImportError:
        raise CommandProblem("QRDA III fixtures need Faker for their header names: pip install faker") from None
    return Faker("en_US")


COMMANDS = (generate,)
