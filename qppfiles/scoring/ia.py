"""Improvement activities: points per attested activity, capped at full credit."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Sequence

from ..model.submission import BooleanValue
from ..model.submission import MeasurementSet
from .card import CategoryScore
from .card import MeasureScore
from .text import fmt

APP_PROGRAMS = ("app1", "appPlus")


def ia_percent(points: float, pack) -> float:
    """Category percent of a number of IA points."""
    full = pack.ia.full_credit_points
    return round(100.0 * min(points, full) / full, pack.quality.decimal_places)


def score_activities(sets: Sequence[MeasurementSet], pack, catalog, *, special_status: bool = False,
                     mvp: bool = False, entity_type: str | None = None,
                     programs: Iterable[str] = ()) -> tuple[CategoryScore, list[MeasureScore]]:
    rules = pack.ia
    full = rules.full_credit_points
    measures: list[MeasureScore] = []
    total = 0.0
    reasons: list[str] = []
    credit: str | None = None
    for ms in sets:
        for m in ms.measurements:
            activity_id = m.measure_id or "?"
            activity = catalog.ia.get(m.measure_id) if m.measure_id else None
            score = MeasureScore(activity_id, "ia", 0.0, "", submission_method=ms.submission_method)
            measures.append(score)
            attested = isinstance(m.value, BooleanValue) and m.value.value is True
            if activity is None:
                score.reason = f"{activity_id} is not a {pack.year} improvement activity: 0 points"
            elif not attested:
                score.reason = "not attested (value is not true): 0 points"
            elif activity_id == rules.pcmh_activity_id:
                score.points = float(full)
                score.reason = f"patient-centered medical home attestation: full credit ({full} points)"
                credit = "patient-centered medical home: full credit"
            else:
                points = rules.activity_points(activity.weight, special_status=special_status, mvp=mvp)
                score.points = float(points)
                score.reason = _activity_reason(rules, activity.weight, points, special_status, mvp)
            score.max_points = score.points or None
            total += score.points
    programs = set(programs)
    if credit is None and rules.app_credit == "full" and programs & set(APP_PROGRAMS):
        credit = "APM Performance Pathway: full IA credit"
        total = max(total, full)
    elif credit is None and entity_type == "apm":
        floor = rules.mips_apm_min_credit_percent / 100.0 * full
        if total < floor:
            credit = f"APM entity: at least {rules.mips_apm_min_credit_percent}% IA credit"
            total = floor
    percent = ia_percent(total, pack)
    reasons.append(f"IA {fmt(percent)}%: {fmt(min(total, full))} of {full} points"
                   + (f" ({fmt(total)} attested, capped)" if total > full else ""))
    if credit:
        reasons.append(credit)
    if not measures and not credit:
        reasons.append("no improvement activities reported")
    return CategoryScore("ia", percent, reasons=reasons), measures


def _activity_reason(rules, weight, points, special_status, mvp) -> str:
    if rules.weighted:
        kind = f"{weight or 'medium'}-weighted activity"
    else:
        kind = "activity (activities carry no weight this year)"
    if mvp and rules.mvp_points_multiplier:
        return f"{kind} in an MVP: {points} points"
    if special_status and rules.special_status_multiplier != 1:
        return f"{kind}, doubled for special status: {points} points"
    return f"{kind}: {points} points"
