"""What `qppfiles measures`, `rules` and `explain` print: catalog and code listings."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any


def _console(out):
    from rich.console import Console

    interactive = hasattr(out, "isatty") and out.isatty()
    return Console(file=out, highlight=False, width=None if interactive else 120)


def _records(year: int, category: str | None, mvp: str | None) -> list:
    from ..catalog import load_catalog

    cat = load_catalog(year)
    groups: dict[str, Mapping[str, Any]] = {"quality": cat.quality, "ia": cat.ia, "pi": cat.pi, "cost": cat.cost}
    chosen = [category] if category else list(groups)
    records = [r for c in chosen for r in groups[c].values()]
    if mvp:
        m = cat.mvps.get(mvp)
        if m is None:
            known = ", ".join(sorted(cat.mvps)) or "none"
            raise LookupError(f"no MVP '{mvp}' in {year}; MVPs of that year: {known}")
        wanted = set(m.quality_ids) | set(m.ia_ids) | set(m.cost_ids) | set(m.foundation_pi_ids) \
            | set(m.foundation_quality_ids) | set(m.admin_claims_ids)
        records = [r for r in records if r.measure_id in wanted]
    return records


def _category(record) -> str:
    return getattr(record, "category", None) or type(record).__name__


def _matches(record, words: list[str]) -> bool:
    hay = " ".join(str(x) for x in (record.measure_id, record.title,
                                     getattr(record, "emeasure_id", None) or "")).lower()
    return all(w in hay for w in words)


def _as_json(record) -> dict:
    def clean(v):
        if isinstance(v, tuple):
            return [clean(x) for x in v]
        if dataclasses.is_dataclass(v):
            return {k: clean(x) for k, x in dataclasses.asdict(v).items()}
        return v

    return {k: clean(v) for k, v in dataclasses.asdict(record).items()}


def list_measures(year: int, category: str | None, mvp: str | None, text: str, fmt: str, out) -> None:
    words = text.lower().split()
    records = [r for r in _records(year, category, mvp) if _matches(r, words)]
    if fmt == "json":
        json.dump({"performanceYear": year, "measures": [dict(_as_json(r), category=_category(r))
                                                          for r in records]}, out, indent=2)
        out.write("\n")
        return
    from rich.table import Table

    table = Table(title=f"{len(records)} measure(s), performance year {year}", title_justify="left")
    for col in ("id", "category", "title", "type"):
        table.add_column(col, overflow="fold")
    for r in records:
        kind = getattr(r, "measure_type", None) or getattr(r, "weight", None) or getattr(r, "objective", None) or ""
        table.add_row(r.measure_id, _category(r), r.title or "", str(kind))
    _console(out).print(table)


def show_measure(year: int, measure_id: str, fmt: str, out) -> None:
    from ..catalog import load_catalog

    cat = load_catalog(year)
    record = cat.measure(measure_id)
    if record is None:
        raise LookupError(f"no measure '{measure_id}' in the {year} catalog; try `qppfiles measures "
                          f"--year {year} {measure_id}` to search")
    data = dict(_as_json(record), category=_category(record))
    benchmarks = [_as_json(b) for b in cat.benchmarks_for(measure_id)]
    if benchmarks:
        data["benchmarks"] = benchmarks
    if fmt == "json":
        json.dump(data, out, indent=2)
        out.write("\n")
        return
    from rich.table import Table

    table = Table(title=f"{measure_id} · {year}", show_header=False, title_justify="left")
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in data.items():
        if key == "benchmarks":
            continue
        table.add_row(key, _show(value))
    for b in benchmarks:
        table.add_row(f"benchmark ({b.get('submission_method')})", _show(
            {k: v for k, v in b.items() if k not in ("measure_id", "submission_method") and v is not None}))
    _console(out).print(table)


def _show(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def list_rules(fmt: str, out) -> None:
    from ..model.codes import all_codes

    codes = all_codes()
    if fmt == "json":
        json.dump([{"code": c.code, "severity": c.severity, "layer": c.layer, "summary": c.summary,
                    **({"consequence": c.consequence} if c.consequence else {}), "status": c.status,
                    **({"redirectTo": c.redirect_to} if c.redirect_to else {})}
                   for c in codes], out, indent=2)
        out.write("\n")
        return
    from rich.table import Table

    table = Table(title=f"{len(codes)} finding codes", title_justify="left")
    for col in ("code", "severity", "consequence", "layer", "status", "summary"):
        table.add_column(col, overflow="fold")
    for c in codes:
        status = f"{c.status} to {c.redirect_to}" if c.redirect_to else c.status
        table.add_row(c.code, c.severity, c.consequence, c.layer, status, c.summary)
    _console(out).print(table)


def explain_code(code: str, out) -> bool:
    from rich.markup import escape

    from ..model.codes import CONSEQUENCE_MEANING
    from ..model.codes import REDIRECTED
    from ..model.codes import STATUS_MEANING
    from ..model.codes import get
    from ..model.codes import redirected

    c = get(code)
    if c is None:
        return False
    console = _console(out)
    if c.status == REDIRECTED:
        target = redirected(c)
        console.print(f"[bold]{c.code}[/] was renamed [bold]{target.code}[/]; --select and --ignore of {c.code} "
                      f"act on {target.code}.")
        console.print(f"Status: {c.status} ({STATUS_MEANING[c.status]})")
        console.print()
        c = target
    console.print(f"[bold]{c.code}[/] ({c.severity}, {c.layer} layer): {escape(c.summary)}")
    console.print(f"Status: {c.status} ({STATUS_MEANING[c.status]})")
    if c.consequence:
        console.print(f"Consequence: {c.consequence} ({CONSEQUENCE_MEANING[c.consequence]})")
    if c.explanation:
        console.print()
        console.print(escape(c.explanation))
    if c.example:
        console.print()
        console.print("[bold]Example[/]")
        console.print(f"  {escape(c.example)}")
    if c.source:
        console.print()
        console.print(f"[bold]Source[/]: {escape(c.source)}")
    return True
