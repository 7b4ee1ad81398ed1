"""A score estimate as aligned plain text, drawn from the same report dict as the JSON and HTML outputs."""

from __future__ import annotations

from .inert import inert
from .score_view import CATEGORY_LABELS
from .score_view import plural

CONSEQUENCE_TEXT = {"rejected": "rejected at intake", "points": "costs points"}


def _n(value: float | None) -> str:
    if value is None:
        return "-"
    value = float(value)
    if value.is_integer():
        return str(int(value))
    return f"{value:.4f}".rstrip("0").rstrip(".")


def _points(value: float) -> str:
    return plural(float(_n(value)), "point")


def _table(rows: list[list[str]], right: frozenset = frozenset()) -> list[str]:
    """Columns padded to their widest cell; the last column is left free."""
    if not rows:
        return []
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    out = []
    for row in rows:
        cells = [cell.rjust(widths[i]) if i in right else cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        out.append(("  " + "  ".join(cells) + "  " + row[-1]).rstrip())
    return out


def _adjustment(adj: dict) -> str:
    """One value when the adjustment is known exactly (below the threshold), else the range."""
    if adj["min"] == adj["max"]:
        return f"{_n(adj['min'])}%"
    return f"{_n(adj['min'])}% to {_n(adj['max'])}%"


def _header(report: dict) -> list[str]:
    entity = report.get("entity") or {}
    who = [entity.get("entityLabel")]
    if entity.get("tin"):
        who.append(f"TIN {entity['tin']}")
    if entity.get("npi"):
        who.append(f"NPI {entity['npi']}")
    if entity.get("entityId"):
        who.append(f"APM entity {entity['entityId']}")
    program = entity.get("programText")
    if entity.get("mvp") and entity["mvp"].get("title"):
        program = f"{program} ({entity['mvp']['title']})"
    who.append(program)
    return [f"MIPS score estimate, performance year {report['performanceYear']} "
            f"(payment year {report['paymentYear']})",
            ", ".join(w for w in who if w),
            report["estimate"]]


def _validity(report: dict) -> list[str]:
    v = report["validity"]
    lines = [f"validity: {v['text']} ({plural(v['errors'], 'error')}, {plural(v['warnings'], 'warning')})"]
    for f in v["findings"]:
        tag = CONSEQUENCE_TEXT.get(f.get("consequence") or "", f["severity"])
        measure = f" measure {f['measureId']}" if f.get("measureId") else ""
        lines.append(f"  {f['code']} {tag}{measure}: {f['message']}")
    return lines


def render_score_text(report: dict) -> str:
    score, threshold = report["finalScore"], report["performanceThreshold"]
    verdict = "above" if score > threshold else "at" if score == threshold else "below"
    adj = report["adjustment"]
    lines = _header(report) + [""] + _validity(report) + [
        "",
        f"final score {_n(score)} of 100: {verdict} the performance threshold {_n(threshold)}",
        f"payment adjustment {_adjustment(adj)}: {adj['reason']}",
        "", "categories:"]
    rows = []
    for name, c in report["categories"].items():
        state = "reweighted" if c["reweighted"] else f"{_n(c['score'])}%"
        rows.append([CATEGORY_LABELS.get(name, name), state, f"weight {_n(c['weight'])}%",
                     f"{_points(c['weighted'])} of the final score"])
    lines += _table(rows, right=frozenset({1, 2}))
    for name, c in report["categories"].items():
        if c["reasons"]:
            lines.append(f"    {CATEGORY_LABELS.get(name, name)}: " + "; ".join(c["reasons"]))
    for category in ("quality", "ia", "pi"):
        measures = [m for m in report["measures"] if m["category"] == category]
        if not measures:
            continue
        lines += ["", f"{CATEGORY_LABELS[category].lower()} measures:"]
        rows = []
        for m in measures:
            mark = " " if m.get("picked", True) else "-"
            title = m.get("title") or ""
            if len(title) > 48:
                title = title[:47] + "…"
            rows.append([f"{mark}{m['measureId']}", title, _points(m["points"]), m["reason"]])
        lines += _table(rows, right=frozenset({2}))
        for m in measures:
            lines.extend(f"      {m['measureId']}: {note}" for note in m.get("notes", ()))
    if report["notScored"]:
        lines += ["", "could not be scored:"] + [f"  {p}" for p in report["notScored"]]
    if report["suggestions"]:
        lines += ["", "what would raise the score most:"]
        lines += [f"  {i}. {s['text']}" for i, s in enumerate(report["suggestions"], 1)]
    lines += ["", "what the estimate assumed:"] + [f"  - {a['text']}" for a in report["assumptions"]]
    lines += ["", *report["reasons"]]
    about = report["about"]
    lines.append(f"qppfiles {about['qppfiles']}, measures catalog {about['catalog'] or 'unknown'}, {about['date']}")
    return "".join(inert(line) + "\n" for line in lines)  # measure ids and reasons quote the file
