"""``qppfiles measures``, ``rules`` and ``explain``: what qppfiles knows, without a file to check."""

from __future__ import annotations

import sys

import click

from .common import AsciiInt
from .common import CommandProblem


@click.command()
@click.argument("words", nargs=-1)
@click.option("--year", type=AsciiInt(), help="Performance year (default: the current one).")
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
    from ..program import default_year
    from ..report.listings import list_measures
    from ..report.listings import show_measure

    year = year or default_year()
    try:
        if words and words[0] == "show":
            if len(words) != 2:
                raise CommandProblem("usage: qppfiles measures show MEASURE_ID [--year YEAR]")
            show_measure(year, words[1], fmt, sys.stdout)
        else:
            list_measures(year, category, mvp, " ".join(words), fmt, sys.stdout)
    except LookupError as exc:
        raise CommandProblem(str(exc.args[0] if exc.args else exc)) from None


@click.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def rules(fmt) -> None:
    """List every finding code qppfiles can report.

    \b
    Example:
      qppfiles rules --format json
    """
    from ..report.listings import list_rules

    list_rules(fmt, sys.stdout)


@click.command()
@click.argument("code")
def explain(code) -> None:
    """Explain one finding code: what it checks, why, its source and an example.

    \b
    Example:
      qppfiles explain F008
    """
    from ..report.listings import explain_code

    if not explain_code(code, sys.stdout):
        raise CommandProblem(f"unknown code '{code}'; `qppfiles rules` lists them all")


COMMANDS = (measures, rules, explain)
