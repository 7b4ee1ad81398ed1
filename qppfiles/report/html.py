"""A score card as one self-contained HTML page (inline CSS and SVG, no network)."""

from __future__ import annotations

from html import escape
from typing import Optional

CATEGORY_LABELS = {"quality": "Quality", "ia": "Improvement activities", "pi": "Promoting Interoperability",
                   "cost": "Cost"}

STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1d2430;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde3ea;padding-bottom:4px}
.muted{color:#5b6675}.big{font-size:40px;font-weight:700}.ok{color:#17803d}.bad{color:#b42318}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #eef1f4;
vertical-align:top}th{font-weight:600;background:#f6f8fa}td.num{text-align:right;white-space:nowrap}
ol li{margin:4px 0}.tag{display:inline-block;padding:0 6px;border-radius:8px;background:#eef1f4;font-size:12px}
"""


def _n(value: Optional[float], digits: int = 2) -> str:
    if value is None:
        return "–"
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return text or "0"


def _score_gauge(score: float, threshold: float, exceptional: Optional[float]) -> str:
    width, height = 600, 46
    x = lambda v: 10 + (width - 20) * max(0.0, min(100.0, v)) / 100.0  # noqa: E731
    colour = "#17803d" if score > threshold else ("#8a6d00" if score == threshold else "#b42318")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
             f'aria-label="final score {_n(score)} against threshold {_n(threshold)}">',
             f'<rect x="10" y="12" width="{width - 20}" height="14" rx="7" fill="#eef1f4"/>',
             f'<rect x="10" y="12" width="{x(score) - 10:.1f}" height="14" rx="7" fill="{colour}"/>',
             f'<line x1="{x(threshold):.1f}" y1="6" x2="{x(threshold):.1f}" y2="32" stroke="#1d2430" stroke-width="2"/>',
             f'<text x="{x(threshold):.1f}" y="44" font-size="11" text-anchor="middle">threshold {_n(threshold)}</text>']
    if exceptional is not None:
        parts.append(f'<line x1="{x(exceptional):.1f}" y1="8" x2="{x(exceptional):.1f}" y2="30" stroke="#5b6675" '
                     f'stroke-dasharray="3 2"/>')
    parts.append("</svg>")
    return "".join(parts)


def _category_bar(score: Optional[float], weight: float) -> str:
    width = 240
    filled = width * (score or 0.0) / 100.0
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="12" role="img" '
            f'aria-label="{_n(score)} percent"><rect width="{width}" height="12" rx="6" fill="#eef1f4"/>'
            f'<rect width="{filled:.1f}" height="12" rx="6" fill="{"#2f6fde" if weight else "#b8c2cc"}"/></svg>')


def _decile_strip(decile: Optional[int]) -> str:
    if decile is None:
        return '<span class="muted">no benchmark position</span>'
    cells = []
    for k in range(1, 11):
        fill = "#2f6fde" if k == decile else ("#c9d8f5" if k < decile else "#eef1f4")
        cells.append(f'<rect x="{(k - 1) * 16}" y="0" width="14" height="14" rx="2" fill="{fill}"/>')
    label = "below decile 1" if decile == 0 else f"decile {decile}"
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="160" height="14" role="img" aria-label="{label}">'
            + "".join(cells) + f'</svg> <span class="muted">{label}</span>')


def render_html(card, title: str = "MIPS score estimate") -> str:
    """The page for a :class:`qppfiles.scoring.ScoreCard`."""
    above = card.final_score > card.performance_threshold
    verdict = ("above" if above else "at" if card.final_score == card.performance_threshold else "below")
    rows = []
    for name, c in card.categories.items():
        state = "reweighted" if c.reweighted else f"{_n(c.score)}%"
        rows.append(f"<tr><td>{escape(CATEGORY_LABELS.get(name, name))}</td><td>{_category_bar(c.score, c.weight)}</td>"
                    f"<td class=num>{escape(state)}</td><td class=num>{_n(c.weight)}%</td>"
                    f"<td class=num>{_n(c.weighted)}</td><td class=muted>{escape('; '.join(c.reasons[:3]))}</td></tr>")
    measure_rows = []
    for m in card.measures:
        position = _decile_strip(m.decile) if m.category == "quality" else ""
        counted = "" if m.picked else ' <span class="tag">not counted</span>'
        notes = escape("; ".join(m.notes))
        measure_rows.append(
            f"<tr><td>{escape(m.measure_id)}{counted}</td><td>{escape(m.category)}</td>"
            f"<td class=num>{_n(m.points, 4)}</td><td>{position}</td>"
            f"<td>{escape(m.reason)}{'<br><span class=muted>' + notes + '</span>' if notes else ''}</td></tr>")
    tips = "".join(f"<li>{escape(s.text)}</li>" for s in card.suggestions[:5]) or "<li>nothing to suggest</li>"
    problems = "".join(f"<li>{escape(p)}</li>" for p in card.not_scored)
    adj = card.adjustment
    adj_text = f"{_n(adj.min)}%" if adj.min == adj.max else f"{_n(adj.min)}% to {_n(adj.max)}%"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{escape(title)} – {card.performance_year}</title><style>{STYLE}</style></head>
<body>
<h1>{escape(title)}</h1>
<div class="muted">Performance year {card.performance_year}; payment year {card.performance_year + 2}</div>
<p><span class="big {'ok' if above else 'bad'}" id="final-score">{_n(card.final_score)}</span>
<span class="muted">/ 100, {verdict} the performance threshold of {_n(card.performance_threshold)}</span></p>
{_score_gauge(card.final_score, card.performance_threshold, card.exceptional_threshold)}
<p>Payment adjustment: <strong id="adjustment">{adj_text}</strong>
<span class="muted">({escape(adj.reason)})</span></p>
<h2>Categories</h2>
<table><tr><th>Category</th><th></th><th>Score</th><th>Weight</th><th>Points</th><th>Why</th></tr>{''.join(rows)}</table>
<h2>Measures</h2>
<table><tr><th>Measure</th><th>Category</th><th>Points</th><th>Benchmark position</th><th>Reason</th></tr>
{''.join(measure_rows)}</table>
<h2>What would raise the score most</h2>
<ol id="suggestions">{tips}</ol>
{'<h2>Not scored</h2><ul>' + problems + '</ul>' if problems else ''}
<p class="muted">{escape('; '.join(card.reasons))}</p>
</body></html>
"""
