"""Terminal output: findings grouped by file, then layer, then measure, and a one-line summary."""

from __future__ import annotations

from itertools import groupby

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_CONSEQUENCE = {"rejected": " (rejected at intake)", "points": " (costs points)"}
_LAYER_TITLE = {
    "file": "file", "schema": "JSON schema", "xsd": "CDA schema (XSD)",
    "schematron": "QRDA III implementation guide", "rules": "program rules", "scoring": "scoring",
}


def _console(out):
    from rich.console import Console

    return Console(file=out, highlight=False, soft_wrap=True)


def render(reports, out) -> list:
    from rich.markup import escape

    console = _console(out)
    seen = []
    for r in reports:
        seen.append(r)
        year = f" · {r.performance_year}" if r.performance_year else ""
        verdict = "[green]valid[/]" if r.valid else "[bold red]invalid[/]"
        console.print(f"[bold]{escape(str(r.path))}[/] ({r.format}{year}): {verdict}"
                      f" — {r.errors} error(s), {r.warnings} warning(s)")
        for layer, by_layer in groupby(r.findings, key=lambda f: f.layer):
            console.print(f"  [dim]{_LAYER_TITLE.get(layer, layer)}[/]")
            for measure, items in groupby(by_layer, key=lambda f: f.measure_id):
                indent = "    "
                if measure:
                    console.print(f"    measure [bold]{escape(measure)}[/]")
                    indent = "      "
                for f in items:
                    where = f.location.describe()
                    where = f" [dim]{escape(where)}[/]" if where else ""
                    console.print(f"{indent}[{_STYLE.get(f.severity, '')}]{f.code} {f.severity}[/]"
                                  f"{_CONSEQUENCE.get(f.consequence, '')}{where}: {escape(f.message)}")
    files = len(seen)
    errors = sum(r.errors for r in seen)
    warnings = sum(r.warnings for r in seen)
    invalid = sum(1 for r in seen if not r.valid)
    style = "bold red" if errors else "green"
    console.print(f"[{style}]{files} file(s) checked: {invalid} invalid, {errors} error(s), "
                  f"{warnings} warning(s)[/]")
    return seen
