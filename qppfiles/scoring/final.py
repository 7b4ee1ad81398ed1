"""Final score: category weights after reweighting, bonuses, cap, and the payment adjustment range."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping

from .card import Adjustment
from .card import CategoryScore
from .text import fmt

CATEGORIES = ("quality", "cost", "ia", "pi")


def weights_for(pack, reweighted: Iterable[str], small_practice: bool = False,
                app: bool = False) -> tuple[dict | None, list[str]]:
    """Weights (percent) of each category, or None when too few categories are scored."""
    removed = frozenset(reweighted)
    reasons = []
    if app and pack.final.app_weights is not None and removed <= {"cost"}:
        weights = pack.final.app_weights.as_dict()
        for name in removed:
            weights[name] = 0.0
        reasons.append("APM Performance Pathway weights")
        return weights, reasons
    found = pack.final.app_redistribution.get(removed | {"cost"}) if app else None
    if found is not None:
        weights = found.as_dict()
        reasons.append(f"APM Performance Pathway weights without {', '.join(sorted(removed - {'cost'}))}: "
                       + ", ".join(f"{c} {fmt(float(v))}%" for c, v in weights.items()))
        return weights, reasons
    found = pack.category_weights(removed, small_practice=small_practice)
    if found is None:
        return None, [f"no {pack.year} weight table for scoring without {', '.join(sorted(removed))}"]
    effective = removed | (frozenset() if pack.cost.scored else {"cost"})
    if effective:
        table = "small-practice " if small_practice and effective in pack.final.small_practice_redistribution else ""
        reasons.append(f"{pack.year} {table}weights without {', '.join(sorted(effective))}: "
                       + ", ".join(f"{c} {fmt(float(v))}%" for c, v in found.as_dict().items()))
    else:
        reasons.append(f"{pack.year} weights: "
                       + ", ".join(f"{c} {fmt(float(v))}%" for c, v in found.as_dict().items()))
    return found.as_dict(), reasons


def final_score(categories: Mapping[str, CategoryScore], pack, *, complex_bonus: float | None = None,
                small_practice: bool = False) -> tuple[float, list[str]]:
    """Σ score × weight + bonuses, capped; the performance threshold when too few categories count."""
    f = pack.final
    reasons = []
    scored = [c for c in categories.values() if not c.reweighted and c.weight > 0]
    if len(scored) < f.min_scored_categories:
        reasons.append(f"only {len(scored)} category scored (fewer than {f.min_scored_categories}): "
                       f"the final score is the performance threshold {fmt(f.performance_threshold)}")
        return float(f.performance_threshold), reasons
    total = sum(c.weighted for c in categories.values())
    reasons.append(" + ".join(f"{c.category} {fmt(c.weighted)}" for c in categories.values() if c.weight)
                   + f" = {fmt(round(total, 4))}")
    if complex_bonus:
        cap = f.complex_patient_bonus_cap
        bonus = min(float(complex_bonus), float(cap))
        if bonus > 0:
            total += bonus
            reasons.append(f"complex patient bonus +{fmt(bonus)}"
                           + (f" (capped at {fmt(cap)})" if complex_bonus > cap else ""))
        else:
            reasons.append(f"no complex patient bonus in {pack.year}")
    if small_practice and f.small_practice_bonus_points:
        total += f.small_practice_bonus_points
        reasons.append(f"small-practice bonus +{fmt(f.small_practice_bonus_points)} on the final score")
    if total > f.score_cap:
        reasons.append(f"{fmt(round(total, 4))} capped at {fmt(f.score_cap)}")
        total = float(f.score_cap)
    return round(total, 4), reasons


def adjustment(score: float, pack) -> Adjustment:
    """Range of the payment adjustment (percent) a final score implies.

    Above the threshold the adjustment is scaled by a budget-neutrality factor
    known only after the year (0 to the year's maximum factor), so it is a
    range; below it the sliding scale of §414.1405(b)(2) gives one value.
    """
    f = pack.final
    pt, top = float(f.performance_threshold), float(f.max_adjustment_percent)
    payment_year = pack.year + 2
    if score > pt:
        base = top * (score - pt) / (100.0 - pt) if pt < 100 else 0.0
        high = base * f.max_scaling_factor
        reason = (f"{fmt(score)} > threshold {fmt(pt)}: positive, up to +{fmt(round(high, 2))}% in {payment_year} "
                  f"(+{fmt(round(base, 2))}% × a scaling factor of at most {fmt(f.max_scaling_factor)})")
        ept = f.exceptional_performance_threshold
        if ept is not None and score >= ept and f.max_exceptional_adjustment_percent:
            extra = 0.5 + (f.max_exceptional_adjustment_percent - 0.5) * (score - ept) / (100.0 - ept)
            high += extra
            reason += f"; exceptional performance (≥ {fmt(ept)}): up to +{fmt(round(extra, 2))}% more"
        return Adjustment(0.0, round(high, 2), reason)
    if score == pt:
        return Adjustment(0.0, 0.0, f"{fmt(score)} = threshold {fmt(pt)}: neutral adjustment in {payment_year}")
    floor_score = pt * f.negative_floor_fraction_of_threshold
    if score <= floor_score:
        return Adjustment(-top, -top, f"{fmt(score)} ≤ {fmt(floor_score)} (a quarter of the threshold): "
                                      f"−{fmt(top)}% in {payment_year}")
    # §414.1405(b)(2): one value on the sliding scale below the threshold, no scaling factor.
    value = round(-top * (pt - score) / pt, 2)
    return Adjustment(value, value, f"{fmt(score)} < threshold {fmt(pt)}: {fmt(value)}% in {payment_year} "
                                    f"(−{fmt(top)}% × ({fmt(pt)} − {fmt(score)}) / {fmt(pt)})")
