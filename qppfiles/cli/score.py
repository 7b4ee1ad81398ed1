"""``qppfiles score`` and ``qppfiles eligibility``: Click commands the main group registers.

Heavy modules are imported inside the commands so that ``qppfiles --help`` stays fast.
"""

from __future__ import annotations

import os
import sys

import click

from ..intake.config import config_option
from ..intake.config import with_environment
from .common import AsciiFloatRange
from .common import AsciiInt
from .common import AsciiIntRange
from .common import CommandProblem
from .common import ensure_writable
from .common import load_input
from .common import max_file_size_option
from .common import read_input
from .common import write_output

CATEGORY_CHOICES = ("quality", "ia", "pi", "cost")


def _finite(param, value):
    """FloatRange lets nan (every comparison with it is false) and inf through: a usage error here."""
    import math

    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number; give a finite value", param=param)
    return value


def _clinician_type(ctx, param, value):
    """A clinician type or status some year reweights PI for (small practices have --small-practice)."""
    if value is None:
        return None
    from ..program import supported_years
    from ..program import year_pack

    known = sorted({s for y in supported_years() for s in year_pack(y).pi.auto_reweighting_statuses}
                   - {"small_practice"})
    if value not in known:
        raise click.BadParameter(f"{value!r} is not one of {', '.join(known)}", ctx, param)
    return value


def _measure_points(ctx, param, values) -> dict:
    """ID=POINTS pairs as {id: points}, points 0-10."""
    import math

    out = {}
    for text in values:
        measure_id, sep, points = text.partition("=")
        try:
            value = float(points)
        except ValueError:
            value = math.nan
        if not sep or not measure_id.strip() or not math.isfinite(value) or not 0 <= value <= 10:
            raise click.BadParameter(f"{text!r}: expected ID=POINTS with POINTS from 0 to 10", ctx, param)
        out[measure_id.strip()] = value
    return out


@with_environment(skip=("fmt",))
@click.command("score")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--small-practice", is_flag=True, help="15 or fewer clinicians (small-practice points, bonus, weights).")
@click.option("--special-status", is_flag=True, help="Rural, HPSA or non-patient-facing: IA points doubled.")
@click.option("--cost", "cost", type=AsciiFloatRange(0, 100), metavar="SCORE", callback=lambda c, p, v: _finite(p, v),
              help="Cost category percent (computed by CMS from claims); without it cost is reweighted.")
@click.option("--complex-bonus", type=AsciiFloatRange(0, None), metavar="N", help="Complex patient bonus points.",
              callback=lambda c, p, v: _finite(p, v))
@click.option("--prior-quality", type=AsciiFloatRange(0, 100), metavar="PCT", callback=lambda c, p, v: _finite(p, v),
              help="Last year's quality percent, for the improvement score.")
@click.option("--reweight", multiple=True, type=click.Choice(CATEGORY_CHOICES), metavar="CATEGORY",
              help="A category reweighted to 0% (hardship, clinician type...). Repeatable.")
@click.option("--year", type=AsciiInt(), help="Score under this performance year instead of the file's.")
# Facts CMS computes itself, which no file holds (the estimate lists what it assumed without them).
@click.option("--cms-measure", "cms_measures", multiple=True, callback=_measure_points, metavar="ID=POINTS",
              help="Achievement points CMS computed for a measure it scores from claims or surveys: the "
                   "readmission measure (458/479, groups of 16+ clinicians), an MVP's population-health measure "
                   "(adds 10 to the denominator; left out without it), CAHPS 321, the APP's 479/484. Repeatable.")
@click.option("--clinician-type", callback=_clinician_type, metavar="TYPE",
              help="Clinician type or status that reweights PI automatically in some years when the file has no "
                   "PI data (a file cannot say it), e.g. clinical_social_worker (2022-2024), hospital_based.")
@click.option("--cahps-shortfall", is_flag=True,
              help="The group's CAHPS survey fell short of its sample: with 5 or fewer other measures the quality "
                   "denominator loses 10 points.")
@click.option("--cehrt-2015-only/--no-cehrt-2015-only", default=None,
              help="PI data came solely from 2015 Edition CEHRT (a 2018 bonus); default: read the CEHRT ID.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@max_file_size_option
@config_option
@click.pass_context
def score_command(ctx, file, small_practice, special_status, cost, complex_bonus, prior_quality, reweight, year,
                  cms_measures, clinician_type, cahps_shortfall, cehrt_2015_only,
                  fmt, output, force, max_file_size, config_path):
    """Estimate the MIPS final score a submission FILE (QPP JSON or QRDA III) would earn.

    Points per quality measure come from the year's benchmarks; improvement
    activities, Promoting Interoperability and the final score follow the
    rules of the performance year.  Every number says why it has its value,
    and the estimate lists what would raise the score most.

    \b
    Examples:
      qppfiles score submission.json
      qppfiles score submission.json --small-practice --cost 60
      qppfiles score qrda3.xml --reweight pi --format html -o score.html
      qppfiles score submission.json --format json --prior-quality 55
    """
    import json

    from ..api import score
    from ..api import validate
    from ..intake.config import load_settings
    from ..model.options import Options
    from ..report.score_view import ScoreRequest
    from ..report.score_view import score_report
    from ..scoring import ScoringError

    # The configuration's settings for this file (overrides included), unless given here.
    chosen = load_settings(ctx, config_path, year=year, small_practice=small_practice,
                           special_status=special_status).options_for(file)
    year, small_practice, special_status = chosen.year, chosen.small_practice, chosen.special_status
    if output:
        ensure_writable(output, force, [file])
    data = read_input(file, max_file_size)  # read once: standard input cannot be read again
    submission = load_input(file, max_file_size, data, year).submission
    # The same checks as ``validate``: the estimate scores nothing they reject.
    checked = validate(data, path=file, options=Options(year=year, small_practice=small_practice,
                                                        special_status=special_status, max_file_size=max_file_size))
    try:
        card = score(submission, year=year, small_practice=small_practice, special_status=special_status,
                     cost=cost, complex_bonus=complex_bonus, prior_quality=prior_quality, reweight=reweight,
                     findings=checked.findings, cms_measures=cms_measures, cahps_shortfall=cahps_shortfall,
                     clinician_type=clinician_type, cehrt_2015_only=cehrt_2015_only)
    except ScoringError as exc:
        raise CommandProblem(f"{file}: {exc}") from None
    request = ScoreRequest(small_practice=small_practice, special_status=special_status, cost=cost,
                           reweight=tuple(reweight), prior_quality=prior_quality, complex_bonus=complex_bonus)
    report = score_report(card, submission, checked.findings, request)
    if fmt == "json":
        text = json.dumps(report, indent=2, allow_nan=False) + "\n"
    elif fmt == "html":
        from ..report.html import render_html

        text = render_html(report, title=f"MIPS score estimate: {os.path.basename(file)}")
    else:
        from ..report.score_text import render_score_text

        text = render_score_text(report)
    if output:
        write_output(output, text.encode("utf-8"), force, [file])
    else:
        sys.stdout.write(text)


@click.command("eligibility")
@click.option("--allowed-charges", type=AsciiFloatRange(0, None), required=True, metavar="N",
              callback=lambda c, p, v: _finite(p, v),
              help="Medicare Part B allowed charges in dollars.")
@click.option("--beneficiaries", type=AsciiIntRange(0, None), required=True, metavar="N",
              help="Part B beneficiaries cared for.")
@click.option("--services", type=AsciiIntRange(0, None), metavar="N",
              help="Covered professional services (a criterion from 2019).")
@click.option("--year", type=AsciiInt(), help="Performance year (default: the current one).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def eligibility_command(allowed_charges, beneficiaries, services, year, fmt):
    """Whether MIPS participation is required, opt-in or voluntary under the low-volume threshold.

    \b
    Examples:
      qppfiles eligibility --allowed-charges 120000 --beneficiaries 250 --services 400
      qppfiles eligibility --allowed-charges 50000 --beneficiaries 300 --services 500 --year 2024
    """
    import json

    from ..program import UnsupportedYear
    from ..scoring.eligibility import low_volume_status

    if year is None:
        from ..program import default_year

        year = default_year()
    try:
        result = low_volume_status(year, allowed_charges=allowed_charges, beneficiaries=beneficiaries,
                                   services=services)
    except UnsupportedYear as exc:
        raise CommandProblem(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    click.echo(f"{result.status}: {result.reason}")
    for item in result.exceeded:
        click.echo(f"  exceeded:     {item}")
    for item in result.not_exceeded:
        click.echo(f"  not exceeded: {item}")


COMMANDS = (score_command, eligibility_command)
