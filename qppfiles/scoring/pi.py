"""Promoting Interoperability (ACI in 2017).

Two models, chosen by ``pack.pi.scoring_model``: ``base-performance-bonus``
(a 50-point all-or-nothing base, performance points by rate band, bonus) and
``points`` (points per measure from its ratio, exclusions moving points to
other measures, bonus).  Either way a missing attestation or required measure
makes the category 0, and the score is capped.  A set CMS would not credit at
all (no CEHRT ID, a period shorter than the year's minimum) scores 0 too, so
the estimate agrees with validation.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_HALF_UP
from decimal import Decimal

from ..model.submission import BooleanValue
from ..model.submission import MeasurementSet
from ..model.submission import ProportionValue
from ..program.pi_exclusions import exclusions_by_measure
from .card import CategoryScore
from .card import MeasureScore
from .text import fmt
from .text import pct
from .text import points_text


def _round(value: float, mode: str) -> float:
    if mode == "half_up":
        return float(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return round(value, 4)


class _Values:
    """The PI measurements of a submission, by id, read with the year's exclusions and engagement levels."""

    def __init__(self, sets: Sequence[MeasurementSet], rules, exclusions):
        self.by_id = {}
        for ms in sets:
            for m in ms.measurements:
                if m.measure_id:
                    self.by_id[m.measure_id] = m.value
        self.exclusions = exclusions
        self.levels = rules.active_engagement

    def yes(self, measure_id: str) -> bool:
        v = self.by_id.get(measure_id)
        return isinstance(v, BooleanValue) and v.value is True

    def ratio(self, measure_id: str) -> float | None:
        v = self.by_id.get(measure_id)
        if isinstance(v, ProportionValue) and isinstance(v.numerator, (int, float)) \
                and isinstance(v.denominator, (int, float)) and v.denominator > 0:
            return max(0.0, min(1.0, v.numerator / v.denominator))
        return None

    def numerator_at_least_one(self, measure_id: str) -> bool:
        v = self.by_id.get(measure_id)
        return isinstance(v, ProportionValue) and self.ratio(measure_id) is not None \
            and isinstance(v.numerator, (int, float)) and v.numerator >= 1

    def engaged(self, measure_id: str) -> bool:
        """A public health measure of a year with engagement levels reports one of them."""
        levels = self.levels.get(measure_id)
        return not levels or any(self.yes(level) for level in levels)

    def satisfied(self, measure_id: str) -> bool:
        """Reported with a numerator of at least 1, or 'yes' (with its engagement level when the year asks)."""
        return (self.yes(measure_id) or self.numerator_at_least_one(measure_id)) and self.engaged(measure_id)

    def excluded(self, measure_id: str) -> bool:
        return any(self.yes(x) for x in self.exclusions.get(measure_id, ()))


def score_pi(sets: Sequence[MeasurementSet], pack, catalog,
             cehrt_2015_only: bool | None = None) -> tuple[CategoryScore, list[MeasureScore]]:
    """Score the PI sets of a submission under ``pack``.

    ``cehrt_2015_only`` says whether the data came solely from 2015 Edition
    CEHRT (a bonus in some years); None reads it from the CEHRT ID's edition code.
    """
    rules = pack.pi
    values = _Values(sets, rules, exclusions_by_measure(rules, catalog.pi))
    label = "ACI" if rules.category_id == "aci" else "PI"
    not_yes = [m for m in rules.yes_required if m in values.by_id and not values.yes(m)]
    absent = [m for m in rules.required_attestations if m not in values.by_id]
    failed = _failed_requirements(rules, values)
    if rules.scoring_model == "base-performance-bonus":
        score, measures, reasons = _base_model(rules, values, failed, sets, cehrt_2015_only)
    else:
        score, measures, reasons = _points_model(rules, values)
    blocked = _not_credited(sets, pack)
    if blocked or not_yes or absent or failed:
        why = list(blocked)
        if absent:
            why.append("attestation(s) not reported: " + ", ".join(absent))
        if not_yes:
            why.append("attestation(s) not 'yes': " + ", ".join(not_yes))
        if failed:
            why.append("required measure(s) missing, with a numerator of 0, or without their exclusion: "
                       + "; ".join(failed))
        reasons.insert(0, f"{label} 0%: " + "; ".join(why))
        return CategoryScore("pi", 0.0, reasons=reasons), measures
    if score > rules.score_cap:
        reasons.append(f"{points_text(score)} capped at {rules.score_cap}")
        score = float(rules.score_cap)
    reasons.insert(0, f"{label} {fmt(score)}%")
    return CategoryScore("pi", score, reasons=reasons), measures


def _not_credited(sets: Sequence[MeasurementSet], pack) -> list[str]:
    """Why CMS would give the PI data no credit at all: the same facts validation reports (P105, Y104)."""
    from ..checks._walk import parse_day

    out = []
    if "pi" in pack.identifiers.cehrt_id_required_for and \
            not any(isinstance(s.cehrt_id, str) and s.cehrt_id.strip() for s in sets):
        out.append("no CEHRT ID (cehrtId) on the PI data")
    minimum = pack.pi.min_performance_period_days
    for s in sets:
        start, end = parse_day(s.performance_start), parse_day(s.performance_end)
        if start is not None and end is not None and end >= start and (end - start).days + 1 < minimum:
            out.append(f"PI period {s.performance_start} to {s.performance_end} is {(end - start).days + 1} "
                       f"days, {pack.year} requires at least {minimum}")
    return out


def _failed_requirements(rules, values: _Values) -> list[str]:
    failed = []
    for requirement in rules.requirements:
        if requirement.kind != "measure":
            continue
        ok = any(_option_met(option, requirement, values) for option in requirement.options)
        if not ok:
            shown = " or ".join("+".join(option) for option in requirement.options[:4])
            if len(requirement.options) > 4:
                shown += " or …"
            unengaged = [m for m in requirement.measure_ids if m in values.by_id and not values.engaged(m)]
            if unengaged:
                shown += f"; without an active engagement level: {', '.join(unengaged)}"
            failed.append(f"{requirement.name.replace('_', ' ')} ({shown})")
    return failed


def _option_met(option, requirement, values: _Values) -> bool:
    """Each measure satisfied or excluded; an option wholly excluded counts when it stands for the objective.

    A one-measure alternative (a "multiple registries" variant) shares its exclusion with the registry
    measure: excluding it alone does not meet the objective.
    """
    if not all(values.satisfied(m) or values.excluded(m) for m in option):
        return False
    return any(values.satisfied(m) for m in option) or len(option) > 1 or len(requirement.options) == 1


def _bonus(rules, values: _Values, measures: list, reasons: list) -> float:
    total = 0.0
    for measure_id, points in rules.bonus_measures.items():
        if values.satisfied(measure_id):
            total += points
            measures.append(MeasureScore(measure_id, "pi", float(points), f"bonus measure reported: +{points}",
                                         max_points=float(points)))
    registries = [m for m in rules.registry_bonus_measures if values.satisfied(m)]
    for index, measure_id in enumerate(registries):
        points = float(rules.registry_bonus_points) if index == 0 else 0.0
        why = (f"registry bonus: +{rules.registry_bonus_points} (one bonus however many registries)" if index == 0
               else f"registry bonus already earned by {registries[0]}")
        measures.append(MeasureScore(measure_id, "pi", points, why, max_points=points))
    if registries:
        total += rules.registry_bonus_points
    if total > rules.bonus_points_max:
        reasons.append(f"bonus {fmt(total)} capped at {rules.bonus_points_max}")
        total = float(rules.bonus_points_max)
    elif total:
        reasons.append(f"bonus +{fmt(total)}")
    return total


def _solely_2015_edition(rules, sets, given: bool | None) -> tuple[bool, str]:
    if given is not None:
        return given, "as stated"
    codes = {s.cehrt_id[2:5].upper() for s in sets if isinstance(s.cehrt_id, str) and len(s.cehrt_id) == 15}
    solely = bool(codes) and codes <= set(rules.cehrt_2015_only_edition_codes)
    return solely, f"CEHRT ID edition code {', '.join(sorted(codes)) or 'unknown'}"


def _base_model(rules, values: _Values, failed, sets, cehrt_2015_only) -> tuple[float, list, list]:
    measures: list[MeasureScore] = []
    reasons: list[str] = []
    base = next((r for r in rules.requirements if r.kind == "measure"), None)
    base_points = float(base.points or 0) if base is not None and not failed else 0.0
    reasons.append(f"base score {fmt(base_points)}" + ("" if base_points else " (base measures incomplete)"))
    excluded = [m for m in (base.measure_ids if base is not None else ()) if values.excluded(m)]
    if excluded and base_points:
        reasons.append(f"exclusion claimed for {', '.join(excluded)}: counts toward the base score")
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
    if rules.cehrt_2015_only_bonus_points:
        solely, how = _solely_2015_edition(rules, sets, cehrt_2015_only)
        if solely:
            bonus += rules.cehrt_2015_only_bonus_points
            reasons.append(f"data solely from 2015 Edition CEHRT ({how}): +{rules.cehrt_2015_only_bonus_points}")
        else:
            reasons.append(f"no 2015 Edition bonus: data not shown to come solely from 2015 Edition CEHRT ({how})")
    return base_points + performance + bonus, measures, reasons


def _used_option(requirement, values: _Values) -> tuple:
    """The option of an objective the file reports: the one with the most measures present."""
    return max(requirement.options, key=lambda option: sum(m in values.by_id for m in option))


def _objective_excluded(requirement, values: _Values) -> bool:
    """Nothing of the objective counts and an option of several measures is wholly excluded.

    One-measure options are the "multiple registries" variants: one exclusion must not void the objective.
    """
    if any(values.satisfied(m) for m in requirement.measure_ids):
        return False
    return any(len(option) > 1 and all(values.excluded(m) for m in option) for option in requirement.options)


def _redistribute(rules, values: _Values, requirements: dict, reasons: list, measures: list):
    """{measure: points received} from every excluded measure or objective, and the excluded measures."""
    table = rules.exclusion_redistribution
    measure_points = rules.measure_points

    def is_excluded(name: str) -> bool:
        if name in requirements:
            return _objective_excluded(requirements[name], values)
        return values.excluded(name)

    def sinks(target: str, share: float, seen: frozenset) -> list:
        # Points sent to an excluded measure or objective go on to where its own points go.
        seen = seen | {target}
        if target in table and is_excluded(target):
            return spread(table[target], share, seen)
        if target in requirements:
            option = _used_option(requirements[target], values)
            live = [m for m in option if not values.excluded(m)]
            if live:
                return [(m, share / len(live)) for m in live]
            return spread(option, share, seen)
        return [(target, share)]

    def spread(targets, points: float, seen: frozenset) -> list:
        out = []
        for target in targets:
            if target in seen:
                continue
            out.extend(sinks(target, points / len(targets), seen))
        return out

    moved: dict = defaultdict(float)
    zeroed = set()
    for source, targets in table.items():
        if not is_excluded(source):
            continue
        points = float(requirements[source].points or 0) if source in requirements \
            else float(measure_points.get(source, 0))
        if not points:
            continue
        received = spread(targets, points, frozenset({source}))
        for target, share in received:
            moved[target] += share
        if source not in requirements:
            zeroed.add(source)
        where = ", ".join(dict.fromkeys(t for t, _ in received))
        shown = source.replace("_", " ") if source in requirements else source
        reasons.append(f"{shown} excluded: its {points_text(points)} go to {where}")
        measures.append(MeasureScore(source, "pi", 0.0, f"exclusion claimed: {points_text(points)} moved to {where}",
                                     max_points=0.0))
    return moved, zeroed


def _points_model(rules, values: _Values) -> tuple[float, list, list]:
    measures: list[MeasureScore] = []
    reasons: list[str] = []
    requirements = {r.name: r for r in rules.requirements}
    moved, zeroed = _redistribute(rules, values, requirements, reasons, measures)
    max_points = {k: (0.0 if k in zeroed else float(v)) + moved.get(k, 0.0) for k, v in rules.measure_points.items()}
    total = 0.0
    for requirement in rules.requirements:
        if requirement.kind != "measure":
            continue
        best: tuple[float, list[MeasureScore], Sequence[str] | None] = (0.0, [], None)
        for option in requirement.options:
            option_points, option_scores = 0.0, []
            for measure_id in option:
                if measure_id not in max_points or values.excluded(measure_id):
                    continue
                mp = max_points[measure_id]
                ratio = values.ratio(measure_id)
                if ratio is not None:
                    points = _round(ratio * mp, rules.rounding)
                    why = f"{pct(ratio * 100)} of {points_text(mp)}: {fmt(points)}"
                    least = rules.proportion_min_points
                    if least and points < least <= mp and values.numerator_at_least_one(measure_id):
                        points = float(least)
                        why += f", raised to the minimum of {least} for a numerator of at least 1"
                elif values.yes(measure_id):
                    points, why = mp, f"'yes': {points_text(mp)}"
                else:
                    points, why = 0.0, "not reported: 0 points"
                option_points += points
                option_scores.append(MeasureScore(measure_id, "pi", points, why, max_points=mp))
            if not any(m in max_points for m in option):
                # Objective scored as a whole (e.g. public health registries).
                if all(values.satisfied(m) or values.excluded(m) for m in option) \
                        and any(values.satisfied(m) for m in option):
                    extra = sum(moved.get(m, 0.0) for m in option)
                    option_points = float(requirement.points or 0) + extra
                    option_scores = [MeasureScore("+".join(option), "pi", option_points,
                                                  f"{requirement.name.replace('_', ' ')} reported: "
                                                  f"{points_text(option_points)}", max_points=option_points)]
            if option_points > best[0] or best[2] is None:
                best = (option_points, option_scores, option)
        total += best[0]
        measures.extend(best[1])
    total += _bonus(rules, values, measures, reasons)
    return total, measures, reasons
