"""A score estimate as one self-contained HTML page: inline CSS and SVG, no script, no network.

The page is drawn from the report dict of :func:`qppfiles.report.score_view.score_report`, the same dict the
JSON output prints.  It reads on a phone (down to 360 px wide, no horizontal scrolling: tables turn into
labelled rows) and prints on one A4 page for a six-measure submission.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from .inert import inert
from .score_view import CATEGORY_LABELS

STYLE = """
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;padding:16px;max-width:1100px;
color:#1d2430;background:#fff;overflow-wrap:break-word}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
p{margin:6px 0}.muted{color:#5b6675}.small{font-size:13px}
.notice{display:inline-block;border:1px solid #c7cfd9;border-radius:6px;padding:2px 8px;font-size:13px;color:#3a4452}
.banner{border-radius:8px;padding:10px 14px;margin:14px 0}.banner h2{border:0;margin:0 0 6px;padding:0}
.banner.rejected{background:#fdecea;border:1px solid #f1b0a9}.banner.points{background:#fff6e0;border:1px solid #ebcf86}
.banner.valid{background:#eaf6ee;border:1px solid #a9d8b8}.banner ul{margin:4px 0 0;padding-left:20px}
.summary{display:flex;flex-wrap:wrap;gap:12px 28px;align-items:center}
.big{font-size:44px;font-weight:700;line-height:1}.ok{color:#17803d}.bad{color:#b42318}.even{color:#8a6d00}
svg{display:block;max-width:100%;height:auto}.gauge{width:100%;max-width:560px}.scale{width:100%;max-width:560px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef1f4;
vertical-align:top}th{font-weight:600;background:#f6f8fa;font-size:13px}td.num{text-align:right;white-space:nowrap}
.tag{display:inline-block;padding:0 6px;margin:1px 2px 1px 0;border-radius:8px;background:#eef1f4;font-size:12px;
white-space:nowrap}.tag.warn{background:#fff0c2}.tag.err{background:#fbd5d0}
.bar{width:120px}.title{display:block;color:#3a4452;font-size:13px}
ol li,ul li{margin:3px 0}dl.who{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:8px 0}
dl.who dt{color:#5b6675}dl.who dd{margin:0}
@media (max-width:640px){
 body{padding:10px;font-size:14px;overflow-wrap:anywhere}.big{font-size:38px}
 table.rows thead{display:none}
 table.rows,table.rows tbody,table.rows tr,table.rows td{display:block;width:100%}
 table.rows tr{border:1px solid #e3e8ee;border-radius:6px;margin:0 0 8px;padding:4px 0}
 table.rows td{border:0;padding:2px 8px;text-align:left}
 table.rows td[data-label]::before{content:attr(data-label) ": ";color:#5b6675;font-size:12px}
 dl.who{grid-template-columns:1fr}dl.who dt{margin-top:4px}
}
@media print{
 @page{size:A4;margin:8mm}
 body{font-size:9px;line-height:1.25;padding:0;max-width:none}
 h1{font-size:14px}h2{font-size:11px;margin:6px 0 2px;padding-bottom:1px}.big{font-size:24px}
 th,td{padding:1px 3px}th{font-size:8px}.tag{font-size:7.5px;padding:0 4px}.small,.notice,.title{font-size:8px}
 p,li{margin:0}ol,ul{margin:2px 0}dl.who{margin:2px 0;grid-template-columns:max-content 1fr max-content 1fr}
 .banner{padding:3px 8px;margin:4px 0}.gauge,.scale{max-width:300px}
 svg.bar{display:inline-block;vertical-align:middle;width:60px;margin-left:4px}
 .pair{display:grid;grid-template-columns:1fr 1fr;gap:0 12px}.pair .title{display:inline;margin-left:4px}
 .noprint{display:none}a{color:inherit;text-decoration:none}
 tr{break-inside:avoid}
}
"""


def _n(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{float(value):.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


def _e(text) -> str:
    """Text in the page: markup escaped, and controls from the file shown as escapes."""
    return escape(inert("" if text is None else str(text)))


def _svg(width: int, height: int, label: str, body: Iterable[str], cls: str = "") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
            f'height="{height}" role="img" aria-label="{_e(label)}"{f" class={chr(34)}{cls}{chr(34)}" if cls else ""}>'
            + "".join(body) + "</svg>")


def _gauge(score: float, threshold: float, exceptional: float | None) -> str:
    width, height = 560, 50
    x = lambda v: 10 + (width - 20) * max(0.0, min(100.0, v)) / 100.0  # noqa: E731
    colour = "#17803d" if score > threshold else ("#8a6d00" if score == threshold else "#b42318")
    parts = [f'<rect x="10" y="12" width="{width - 20}" height="14" rx="7" fill="#eef1f4"/>',
             f'<rect x="10" y="12" width="{x(score) - 10:.1f}" height="14" rx="7" fill="{colour}"/>',
             f'<line x1="{x(threshold):.1f}" y1="6" x2="{x(threshold):.1f}" y2="32" '
             'stroke="#1d2430" stroke-width="2"/>',
             f'<text x="{min(max(x(threshold), 60), width - 60):.1f}" y="46" font-size="12" text-anchor="middle">'
             f'threshold {_n(threshold)}</text>']
    if exceptional is not None:
        parts.append(f'<line x1="{x(exceptional):.1f}" y1="8" x2="{x(exceptional):.1f}" y2="30" stroke="#5b6675" '
                     f'stroke-dasharray="3 2"/>')
    return _svg(width, height, f"final score {_n(score)} against the performance threshold {_n(threshold)}",
                parts, "gauge")


def _adjustment_scale(low: float, high: float, limit: float) -> str:
    """The payment adjustment axis from -limit to +limit with the practice's range on it."""
    width, height, pad = 560, 54, 30
    limit = max(limit, abs(low), abs(high), 1.0)
    x = lambda v: pad + (width - 2 * pad) * (v + limit) / (2 * limit)  # noqa: E731
    colour = "#17803d" if high > 0 else ("#b42318" if high < 0 or low < 0 else "#8a6d00")
    left, right = x(min(low, high)), x(max(low, high))
    parts = [f'<line x1="{pad}" y1="22" x2="{width - pad}" y2="22" stroke="#c7cfd9" stroke-width="6" '
             f'stroke-linecap="round"/>',
             f'<line x1="{x(0):.1f}" y1="12" x2="{x(0):.1f}" y2="32" stroke="#1d2430" stroke-width="1.5"/>',
             f'<rect x="{left - 3:.1f}" y="14" width="{max(6.0, right - left + 6):.1f}" height="16" rx="8" '
             f'fill="{colour}"/>']
    for value in (-limit, 0.0, limit):
        parts.append(f'<text x="{x(value):.1f}" y="48" font-size="12" text-anchor="middle">'
                     f'{"+" if value > 0 else ""}{_n(value)}%</text>')
    label = f"payment adjustment from {_n(low)}% to {_n(high)}% on a scale of ±{_n(limit)}%"
    return _svg(width, height, label, parts, "scale")


def _bar(value: float | None, maximum: float | None, label: str) -> str:
    width = 120
    share = 0.0 if not maximum or value is None else max(0.0, min(1.0, float(value) / float(maximum)))
    return _svg(width, 12, label, [f'<rect width="{width}" height="12" rx="6" fill="#eef1f4"/>',
                                   f'<rect width="{width * share:.1f}" height="12" rx="6" fill="#2f6fde"/>'], "bar")


def _decile_strip(decile: int | None) -> str:
    if decile is None:
        return '<span class="muted">no benchmark position</span>'
    cells = []
    for k in range(1, 11):
        fill = "#2f6fde" if k == decile else ("#c9d8f5" if k < decile else "#eef1f4")
        cells.append(f'<rect x="{(k - 1) * 12}" y="0" width="10" height="12" rx="2" fill="{fill}"/>')
    label = "below decile 1" if decile == 0 else f"decile {decile}"
    return _svg(120, 12, label, cells, "bar") + f'<span class="muted small">{label}</span>'


def _improvement(prior: float, current: float | None) -> str:
    width, row = 360, 22
    parts = []
    for i, (name, value) in enumerate((("last year", prior), ("this year", current or 0.0))):
        y = i * row
        parts += [f'<text x="0" y="{y + 14}" font-size="12">{name}</text>',
                  f'<rect x="80" y="{y + 4}" width="{width - 140}" height="12" rx="6" fill="#eef1f4"/>',
                  f'<rect x="80" y="{y + 4}" width="{(width - 140) * max(0.0, min(100.0, value)) / 100:.1f}" '
                  f'height="12" rx="6" fill="{"#2f6fde" if i else "#8fa3bf"}"/>',
                  f'<text x="{width - 54}" y="{y + 14}" font-size="12">{_n(value)}%</text>']
    return _svg(width, 2 * row, f"quality {_n(prior)}% last year, {_n(current)}% this year", parts)


def _validity_banner(validity: dict, anchors: set) -> str:
    status = validity["status"]
    heading = {"rejected": "CMS would reject this file", "points": "Errors that cost points",
               "valid": "The file passes validation"}[status]
    items = []
    for f in validity["findings"]:
        mark = ("err" if f["severity"] == "error" else "warn")
        consequence = f.get("consequence")
        tag = {"rejected": "rejected at intake", "points": "costs points"}.get(consequence or "", f["severity"])
        measure = f.get("measureId")
        target = next((a for a in anchors if measure and a.endswith(f"-{measure}")), None)
        where = (f' <a href="#{_e(target)}">measure {_e(measure)}</a>' if target
                 else (f" measure {_e(measure)}" if measure else ""))
        items.append(f'<li><span class="tag {mark}">{_e(f["code"])} · {_e(tag)}</span>{where}: '
                     f'{_e(f["message"])}</li>')
    listing = f"<ul>{''.join(items)}</ul>" if items else ""
    counts = f'{validity["errors"]} error{"s" if validity["errors"] != 1 else ""}, ' \
             f'{validity["warnings"]} warning{"s" if validity["warnings"] != 1 else ""}'
    return (f'<section class="banner {status}" id="validity" data-status="{status}"><h2>{heading}</h2>'
            f'<p>{_e(validity["text"])} <span class="muted">({counts})</span></p>{listing}</section>')


def _who(report: dict) -> str:
    entity = report.get("entity") or {}
    rows = [("Submitted by", entity.get("entityLabel")), ("TIN", entity.get("tin")), ("NPI", entity.get("npi")),
            ("APM entity", entity.get("entityId")), ("Program", entity.get("programText")),
            ("MVP", (entity.get("mvp") or {}).get("title")),
            ("Performance year", f'{report["performanceYear"]} (payment year {report["paymentYear"]})')]
    return '<dl class="who">' + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in rows if v) + "</dl>"


def _marks(m: dict) -> str:
    tags = []
    if m.get("outcome"):
        tags.append("outcome")
    elif m.get("highPriority"):
        tags.append("high priority")
    if m.get("inverse"):
        tags.append("lower is better")
    if m.get("cappedAt") is not None:
        tags.append(f"topped out: capped at {_n(m['cappedAt'])}")
    if not m.get("picked", True):
        tags.append("not counted")
    for code in m.get("findingCodes", ()):
        tags.append(code)
    return "".join(f'<span class="tag">{_e(t)}</span>' for t in tags)


def _measure_name(m: dict) -> str:
    title = f'<span class="title">{_e(m["title"])}</span>' if m.get("title") else ""
    return f'<strong>{_e(m["measureId"])}</strong>{title}{_marks(m)}'


def _completeness(m: dict) -> str:
    rate = m.get("reportingRate")
    if rate is None:
        return '<span class="muted">–</span>'
    text = f"{_n(rate)}%"
    if m.get("dataCompletenessMet") is False:
        needed = m.get("casesNeeded")
        more = f"; {needed} more case{'s' if needed != 1 else ''} needed" if needed else ""
        text += f' <span class="bad small">below {_n(m.get("dataCompletenessThreshold"))}%{more}</span>'
    return text


def _points_cell(m: dict) -> str:
    maximum = m.get("maxPoints")
    label = f"{_n(m['points'], 4)} of {_n(maximum)} points" if maximum else f"{_n(m['points'], 4)} points"
    bar = _bar(m["points"], maximum, label) if maximum else ""
    return f'<span data-points="{_n(m["points"], 4)}">{_n(m["points"], 4)}</span>{bar}'


def _table(columns: tuple, items, row_attributes) -> str:
    """A table of ``items``, one row each. A column is (header, data-label, class, content of an item); a
    column hidden in print hides its header too."""
    head = "".join(f'<th class="noprint">{header}</th>' if "noprint" in cls.split() else f"<th>{header}</th>"
                   for header, _label, cls, _content in columns)
    rows = []
    for item in items:
        cells = "".join(f'<td data-label="{label}"' + (f' class="{cls}">' if cls else ">") + f"{content(item)}</td>"
                        for _header, label, cls, content in columns)
        rows.append(f"<tr {row_attributes(item)}>{cells}</tr>")
    return f'<table class="rows"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def _measure_row(category: str):
    return lambda m: f'id="{_e(m["anchor"])}" data-measure="{category}/{_e(m["measureId"])}"'


def _rate(m: dict) -> str:
    rate = m.get("performanceRate")
    return f'{_n(rate)}{"%" if rate is not None else ""}'


_QUALITY_COLUMNS = (
    ("Measure", "Measure", "", _measure_name),
    ("Collection type", "Collection type", "", lambda m: _e(m.get("collectionType") or "–")),
    ("Rate", "Performance rate", "num", _rate),
    ("Data completeness", "Data completeness", "", _completeness),
    ("Benchmark position", "Benchmark position", "", lambda m: _decile_strip(m.get("decile"))),
    ("Points", "Points", "num", _points_cell),
    ("Why", "Why", "small", lambda m: _e(m["reason"])),
)
_SIMPLE_COLUMNS = (
    ("Measure", "Measure", "", lambda m: _measure_name(m) + (
        f'<span class="tag">{_e(m["weight"])} weight</span>' if m.get("weight") else "")),
    ("Points", "Points", "num", _points_cell),
    ("Why", "Why", "small noprint", lambda m: _e(m["reason"])),
)


def _category_state(c: dict) -> str:
    return "reweighted" if c["reweighted"] else f'{_n(c["score"])}%'


_CATEGORY_COLUMNS = (
    ("Category", "Category", "", lambda c: _e(CATEGORY_LABELS.get(c["name"], c["name"]))),
    ("Score", "Score", "num", lambda c: f'<span class="score">{_e(_category_state(c))}</span>'
                                        f'{_bar(c["score"], 100, _category_state(c))}'),
    ("Weight", "Weight", "num", lambda c: f'{_n(c["weight"])}%'),
    ("Points", "Points in the final score", "num", lambda c: f'<span class="weighted">{_n(c["weighted"], 4)}</span>'),
    ("Why", "Why", "small muted", lambda c: _e("; ".join(c["reasons"][:3]))),
)


def _quality_table(measures: list) -> str:
    return _table(_QUALITY_COLUMNS, measures, _measure_row("quality"))


def _simple_table(measures: list, category: str) -> str:
    return _table(_SIMPLE_COLUMNS, measures, _measure_row(category))


def _categories(report: dict) -> str:
    categories = [{**c, "name": name} for name, c in report["categories"].items()]
    return _table(_CATEGORY_COLUMNS, categories, lambda c: f'data-category="{c["name"]}"')


def _adjustment_text(adj: dict) -> str:
    """One value when the adjustment is known exactly (below the threshold), else the range."""
    if adj["min"] == adj["max"]:
        return f"{_n(adj['min'])}%"
    return f"{_n(adj['min'])}% to {_n(adj['max'])}%"


def render_html(report: dict, title: str = "MIPS score estimate") -> str:
    """The page for a score report dict (see :func:`qppfiles.report.score_view.score_report`)."""
    score, threshold = report["finalScore"], report["performanceThreshold"]
    verdict, tone = (("above", "ok") if score > threshold else ("at", "even") if score == threshold
                     else ("below", "bad"))
    adj = report["adjustment"]
    measures = report["measures"]
    anchors = {m["anchor"] for m in measures}
    by_category = {c: [m for m in measures if m["category"] == c] for c in ("quality", "ia", "pi")}
    def section(category: str, body: str) -> str:
        return f'<section id="{category}-measures"><h2>{_e(CATEGORY_LABELS[category])}</h2>{body}</section>'

    sections = [section("quality", _quality_table(by_category["quality"]))] if by_category["quality"] else []
    pair = [section(c, _simple_table(by_category[c], c)) for c in ("ia", "pi") if by_category[c]]
    if pair:
        sections.append(f'<div class="pair">{"".join(pair)}</div>')
    prior = next((a["value"] for a in report["assumptions"] if a["key"] == "priorQuality"), None)
    improvement = ""
    if prior is not None:
        quality = report["categories"].get("quality", {})
        improvement = (f'<section id="improvement"><h2>Improvement over last year</h2>'
                       f'{_improvement(float(prior), quality.get("score"))}</section>')
    tips = "".join(f'<li data-gain="{_n(s["finalScoreGain"])}">{_e(s["text"])}</li>' for s in report["suggestions"])
    advice = (f'<section id="advice"><h2>What would raise the score most</h2><ol id="suggestions">{tips}</ol></section>'
              if tips else "")
    not_scored = "".join(f"<li>{_e(p)}</li>" for p in report["notScored"])
    assumptions = "".join(f'<li data-key="{_e(a["key"])}">{_e(a["text"])}</li>' for a in report["assumptions"])
    about = report["about"]
    made = (f"qppfiles {_e(about['qppfiles'])}, measures catalog {_e(about['catalog'] or 'unknown')}, "
            f"made {_e(about['date'])}.")
    limit = float(report.get("maxAdjustmentPercent") or max(abs(adj["min"]), abs(adj["max"]), 1.0))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{_e(title)} – {report['performanceYear']}</title><style>{STYLE}</style></head>
<body>
<header><h1>{_e(title)}</h1>{_who(report)}<p class="notice" id="estimate-notice">{_e(report['estimate'])}</p></header>
{_validity_banner(report['validity'], anchors)}
<section id="summary"><h2>Final score</h2><div class="summary">
<div><span class="big {tone}" id="final-score">{_n(score, 4)}</span> <span class="muted">/ 100</span>
<p class="muted">{verdict} the performance threshold of {_n(threshold)}</p></div>
{_gauge(score, threshold, report.get('exceptionalPerformanceThreshold'))}</div>
<p>Payment adjustment in {report['paymentYear']}: <strong id="adjustment">{_adjustment_text(adj)}</strong>
<span class="muted small">({_e(adj['reason'])})</span></p>
{_adjustment_scale(adj['min'], adj['max'], limit)}</section>
<section id="categories"><h2>Categories</h2>{_categories(report)}</section>
{improvement}
{''.join(sections)}
{advice}
{'<section id="not-scored"><h2>Not scored</h2><ul>' + not_scored + '</ul></section>' if not_scored else ''}
<section id="assumptions"><h2>What the estimate assumed</h2><ul>{assumptions}</ul>
<p class="muted small">{_e('; '.join(report['reasons']))}</p>
<p class="muted small">{made}</p>
</section>
</body></html>
"""
