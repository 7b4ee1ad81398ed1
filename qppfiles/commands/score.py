"""``qppfiles score`` and ``qppfiles eligibility``: Click commands the main group registers.

Heavy modules are imported inside the commands so that ``qppfiles --help`` stays fast.
"""

from __future__ import annotations

import math
import os
import sys

import click

from ._common import CommandProblem, ensure_writable, load_input, max_file_size_option, write_output

CATEGORY_CHOICES = ("quality", "ia", "pi", "cost")


def render_text(card) -> str:
    from ..scoring.text import fmt

    lines = [f"MIPS score estimate, performance year {card.performance_year}",
             f"final score {fmt(card.final_score)} (performance threshold {fmt(card.performance_threshold)}): "
             f"{'above' if card.final_score > card.performance_threshold else 'at' if card.final_score == card.performance_threshold else 'below'}",
             f"payment adjustment {fmt(card.adjustment.min)}% to {fmt(card.adjustment.max)}%: {card.adjustment.reason}",
             "", "categories:"]
    for name, c in card.categories.items():
        state = "reweighted" if c.reweighted else f"{fmt(c.score)}%"
        lines.append(f"  {name:<8} {state:>11}  weight {fmt(c.weight):>4}%  -> {fmt(c.weighted)}")
        lines.extend(f"             {reason}" for reason in c.reasons)
    lines += ["", "measures:"]
    for m in card.measures:
        mark = " " if m.picked else "-"
        lines.append(f" {mark}{m.category:<8} {m.measure_id:<14} {fmt(m.points):>7}  {m.reason}")
        lines.extend(f"{'':26}{note}" for note in m.notes)
    if card.not_scored:
        lines += ["", "could not be scored:"] + [f"  {p}" for p in card.not_scored]
    if card.suggestions:
        lines += ["", "what would raise the score most:"] + [f"  {i}. {s.text}" for i, s in enumerate(card.suggestions, 1)]
    lines += ["", *card.reasons]
    from ..findings import printable_text

    # Measure ids and reasons quote the file: its control characters are shown escaped, line by line.
    return "\n".join(printable_text(line) for line in lines) + "\n"


def _finite(param, value):
    """FloatRange lets nan (every comparison with it is false) and inf through: a usage error here."""
    if value is not None and not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number; give a finite value", param=param)
    return value


@click.command("score")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--small-practice", is_flag=True, help="15 or fewer clinicians (small-practice points, bonus, weights).")
@click.option("--special-status", is_flag=True, help="Rural, HPSA or non-patient-facing: IA points doubled.")
@click.option("--cost", "cost", type=click.FloatRange(0, 100), metavar="SCORE", callback=lambda c, p, v: _finite(p, v),
              help="Cost category percent (computed by CMS from claims); without it cost is reweighted.")
@click.option("--complex-bonus", type=click.FloatRange(0, None), metavar="N", help="Complex patient bonus points.",
              callback=lambda c, p, v: _finite(p, v))
@click.option("--prior-quality", type=click.FloatRange(0, 100), metavar="PCT", callback=lambda c, p, v: _finite(p, v),
              help="Last year's quality percent, for the improvement score.")
@click.option("--reweight", multiple=True, type=click.Choice(CATEGORY_CHOICES), metavar="CATEGORY",
              help="A category reweighted to 0% (hardship, clinician type...). Repeatable.")
@click.option("--year", type=int, help="Score under this performance year instead of the file's.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "html"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@max_file_size_option
def score_command(file, small_practice, special_status, cost, complex_bonus, prior_quality, reweight, year, fmt,
                  output, force, max_file_size):
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

    from ..scoring import ScoringError, score_submission

    if output:
        ensure_writable(output, force, [file])
    submission = load_input(file, max_file_size).submission
    try:
        card = score_submission(submission, year=year, small_practice=small_practice, special_status=special_status,
                                cost=cost, complex_bonus=complex_bonus, prior_quality=prior_quality,
                                reweight=reweight)
    except ScoringError as exc:
        raise CommandProblem(f"{file}: {exc}") from None
    if fmt == "json":
        text = json.dumps(card.to_dict(), indent=2, allow_nan=False) + "\n"
    elif fmt == "html":
        from ..report.html import render_html

        text = render_html(card, title=f"MIPS score estimate: {os.path.basename(file)}")
    else:
        text = render_text(card)
    if output:
        write_output(output, text.encode("utf-8"), force, [file])
    else:
        sys.stdout.write(text)


@click.command("eligibility")
@click.option("--allowed-charges", type=click.FloatRange(0, None), required=True, metavar="N",
              callback=lambda c, p, v: _finite(p, v),
              help="Medicare Part B allowed charges in dollars.")
@click.option("--beneficiaries", type=click.IntRange(0, None), required=True, metavar="N",
              help="Part B beneficiaries cared for.")
@click.option("--services", type=click.IntRange(0, None), metavar="N",
              help="Covered professional services (a criterion from 2019).")
@click.option("--year", type=int, help="Performance year (default: the current one).")
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
        import datetime

        from ..program import supported_years

        years = supported_years()
        year = min(max(datetime.date.today().year, years[0]), years[-1])
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
