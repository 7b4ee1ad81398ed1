"""Promoting Interoperability (ACI in 2017).

Two models, chosen by ``pack.pi.scoring_model``: ``base-performance-bonus``
(a 50-point all-or-nothing base, performance points by rate band, bonus) and
``points`` (points per measure from its ratio, exclusions moving points to
other measures, bonus).  Either way a missing attestation or required measure
makes the category 0, and the score is capped.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional, Sequence

from ..model import BooleanValue, MeasurementSet, ProportionValue
from .card import CategoryScore, MeasureScore
from .text import fmt, pct


def _round(value: float, mode: str) -> float:
    if mode == "half_up":
        return float(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return round(value, 4)


class _Values:
    """The PI measurements of a submission, by id."""

    def __init__(self, sets: Sequence[MeasurementSet]):
        self.by_id = {}
        for ms in sets:
            for m in ms.measurements:
                if m.measure_id:
                    self.by_id[m.measure_id] = m.value

    def yes(self, measure_id: str) -> bool:
        v = self.by_id.get(measure_id)
        return isinstance(v, BooleanValue) and v.value is True

    def ratio(self, measure_id: str) -> Optional[float]:
        v = self.by_id.get(measure_id)
        if isinstance(v, ProportionValue) and isinstance(v.numerator, (int, float)) \
                and isinstance(v.denominator, (int, float)) and v.denominator > 0:
            return max(0.0, min(1.0, v.numerator / v.denominator))
        return None

    def satisfied(self, measure_id: str) -> bool:
        """Reported with a numerator of at least 1, or 'yes'."""
        r = self.ratio(measure_id)
        v = self.by_id.get(measure_id)
        return self.yes(measure_id) or (r is not None and isinstance(v, ProportionValue) and v.numerator >= 1)

    def excluded(self, measure_id: str, catalog) -> bool:
        measure = catalog.pi.get(measure_id)
        return bool(measure and measure.exclusion and any(self.yes(x) for x in measure.exclusion))


def score_pi(sets: Sequence[MeasurementSet], pack, catalog) -> tuple[CategoryScore, list[MeasureScore]]:
    values = _Values(sets)
    rules = pack.pi
    label = "ACI" if rules.category_id == "aci" else "PI"
    missing = [m for m in rules.required_attestations if not values.yes(m)]
    failed = _failed_requirements(rules, values, catalog)
    if rules.scoring_model == "base-performance-bonus":
        score, measures, reasons = _base_model(rules, values, catalog, failed)
    else:
        score, measures, reasons = _points_model(rules, values, catalog)
    if missing or failed:
        why = []
        if missing:
            why.append("attestation(s) not 'yes': " + ", ".join(missing))
        if failed:
            why.append("required measure(s) missing, with a numerator of 0, or without their exclusion: "
                       + "; ".join(failed))
        reasons.insert(0, f"{label} 0%: " + "; ".join(why))
        return CategoryScore("pi", 0.0, reasons=reasons), measures
    if score > rules.score_cap:
        reasons.append(f"{fmt(score)} points capped at {rules.score_cap}")
        score = float(rules.score_cap)
    reasons.insert(0, f"{label} {fmt(score)}%")
    return CategoryScore("pi", score, reasons=reasons), measures


def _failed_requirements(rules, values: _Values, catalog) -> list[str]:
    failed = []
    for requirement in rules.requirements:
        if requirement.kind != "measure":
            continue
        ok = any(all(values.satisfied(m) or values.excluded(m, catalog) for m in option)
                 for option in requirement.options)
        if not ok:
            shown = " or ".join("+".join(option) for option in requirement.options[:4])
            if len(requirement.options) > 4:
                shown += " or …"
            failed.append(f"{requirement.name.replace('_', ' ')} ({shown})")
    return failed


def _bonus(rules, values: _Values, measures: list, reasons: list) -> float:
    total = 0.0
    for measure_id, points in rules.bonus_measures.items():
        if values.satisfied(measure_id):
            total += points
            measures.append(MeasureScore(measure_id, "pi", float(points), f"bonus measure reported: +{points}",
                                         max_points=float(points)))
    if total > rules.bonus_points_max:
        reasons.append(f"bonus {fmt(total)} capped at {rules.bonus_points_max}")
        total = float(rules.bonus_points_max)
    elif total:
        reasons.append(f"bonus +{fmt(total)}")
    return total


def _base_model(rules, values: _Values, catalog, failed) -> tuple[float, list, list]:
    measures: list[MeasureScore] = []
    reasons: list[str] = []
    base = next((r for r in rules.requirements if r.kind == "measure"), None)
    base_points = float(base.points or 0) if base is not None and not failed else 0.0
    reasons.append(f"base score {fmt(base_points)}" + ("" if base_points else " (base measures incomplete)"))
    performance = 0.0
    for measure_id, max_points in rules.measure_points.items():
        ratio = values.ratio(measure_id)
        if ratio is None and not values.yes(measure_id):
            continue
        if ratio is None:
            points = float(max_points)
            why = f"'yes': {max_points} performance points"
        else:
            # Each 10% band of the rate earns a tenth of the measure's points.
            points = math.ceil(round(ratio * 100, 6) / 10) * max_points / 10
            why = f"rate {pct(ratio * 100)}: {fmt(points)} of {max_points} performance points"
        performance += points
        measures.append(MeasureScore(measure_id, "pi", points, why, max_points=float(max_points)))
    if rules.performance_points_max is not None and performance > rules.performance_points_max:
        reasons.append(f"performance {fmt(performance)} capped at {rules.performance_points_max}")
        performance = float(rules.performance_points_max)
    else:
        reasons.append(f"performance {fmt(performance)}")
    bonus = _bonus(rules, values, measures, reasons)
    return base_points + performance + bonus, measures, reasons


def _points_model(rules, values: _Values, catalog) -> tuple[float, list, list]:
    measures: list[MeasureScore] = []
    reasons: list[str] = []
    max_points = {k: float(v) for k, v in rules.measure_points.items()}
    requirements = {r.name: r for r in rules.requirements}
    # Exclusions: the excluded measure's points move to the receiving measures.
    moved: dict[str, float] = {}
    for source, targets in rules.exclusion_redistribution.items():
        if source in requirements:
            requirement = requirements[source]
            ids = requirement.measure_ids
            excluded = bool(ids) and all(values.excluded(m, catalog) or not values.satisfied(m) for m in ids) \
                and any(values.excluded(m, catalog) for m in ids)
            points = float(requirement.points or 0)
        else:
            excluded = values.excluded(source, catalog)
            points = max_points.get(source, 0.0)
        if excluded and points:
            share = points / len(targets)
            for target in targets:
                moved[target] = moved.get(target, 0.0) + share
            max_points[source] = 0.0
            reasons.append(f"{source.replace('_', ' ') if source in requirements else source} excluded: "
                           f"its {fmt(points)} points go to {', '.join(targets)}")
            measures.append(MeasureScore(source, "pi", 0.0, f"exclusion claimed: {fmt(points)} points moved to "
                                         + ", ".join(targets), max_points=0.0))
    for target, extra in moved.items():
        max_points[target] = max_points.get(target, 0.0) + extra
    total = 0.0
    scored_requirements = set()
    for requirement in rules.requirements:
        if requirement.kind != "measure":
            continue
        best = (0.0, [], None)
        for option in requirement.options:
            option_points, option_scores = 0.0, []
            for measure_id in option:
                if measure_id not in max_points:
                    continue
                mp = max_points[measure_id]
                ratio = values.ratio(measure_id)
                if values.excluded(measure_id, catalog):
                    continue
                if ratio is not None:
                    points = _round(ratio * mp, rules.rounding)
                    why = f"{pct(ratio * 100)} of {fmt(mp)} points: {fmt(points)}"
                elif values.yes(measure_id):
                    points, why = mp, f"'yes': {fmt(mp)} points"
                else:
                    points, why = 0.0, "not reported: 0 points"
                option_points += points
                option_scores.append(MeasureScore(measure_id, "pi", points, why, max_points=mp))
            if not any(m in max_points for m in option):
                # Objective scored as a whole (e.g. public health registries).
                if all(values.satisfied(m) or values.excluded(m, catalog) for m in option) \
                        and any(values.satisfied(m) for m in option):
                    extra = sum(moved.get(m, 0.0) for m in option)
                    option_points = float(requirement.points or 0) + extra
                    option_scores = [MeasureScore("+".join(option), "pi", option_points,
                                                  f"{requirement.name.replace('_', ' ')} reported: "
                                                  f"{fmt(option_points)} points", max_points=option_points)]
            if option_points > best[0] or best[2] is None:
                best = (option_points, option_scores, option)
        total += best[0]
        measures.extend(best[1])
        scored_requirements.add(requirement.name)
    total += _bonus(rules, values, measures, reasons)
    return total, measures, reasons
