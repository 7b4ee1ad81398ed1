"""What would raise the estimated score most, in final-score points."""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..model.measure_math import patients_to_rate
from .card import ScoreCard
from .card import Suggestion
from .text import fmt
from .text import pct
from .text import points_text

MAX_SUGGESTIONS = 8


def _final_per_quality_point(card: ScoreCard, denominator: float) -> float:
    weight = card.categories["quality"].weight
    return weight / denominator if denominator else 0.0


def _rate_advice(s, rates, target: float) -> str:
    """Which way the rate must go (lower for an inverse measure) and how many patients that takes."""
    lower = s.performance_rate is not None and target < s.performance_rate
    text = (f"{'lower' if lower else 'raise'} measure {s.measure_id}'s performance rate from "
            f"{pct(s.performance_rate)} to {pct(target)} (decile {s.decile + 1}"
            f"{', lower is better' if lower else ''})")
    patients = patients_to_rate(rates, target) if rates is not None else None
    if patients:
        count = abs(patients)
        text += (f", {count} {'fewer' if patients < 0 else 'more'} patient{'s' if count != 1 else ''} "
                 f"meeting the measure")
    return text


def suggestions(card: ScoreCard, results: Sequence, pack, *, slots: int, denominator: float,
                chosen: Sequence, fixed_set: bool = False) -> list[Suggestion]:
    out: list[Suggestion] = []
    quality = card.categories["quality"]
    per_point = _final_per_quality_point(card, denominator)
    picked_points = sorted(r.score.points for r in chosen)
    lowest_counted = picked_points[0] if picked_points and len(picked_points) >= slots else 0.0

    def quality_gain(result, new_points: float) -> float:
        current = result.score.points if result.score.picked else lowest_counted
        return max(0.0, new_points - current)

    if not quality.reweighted:
        for r in results:
            s = r.score
            if r.cases_needed and r.potential is not None:
                gain = quality_gain(r, r.potential)
                if gain > 0:
                    out.append(Suggestion(
                        f"report {r.cases_needed} more cases of measure {s.measure_id} to pass data completeness: "
                        f"+{fmt(round(gain, 2))} quality points (+{fmt(round(gain * per_point, 2))} final)",
                        gain * per_point, s.measure_id, "quality"))
            elif r.data_completeness_met and not r.case_minimum_met and r.rates and r.rates.case_count is not None:
                missing = max(0, math.ceil(r.case_minimum - r.rates.case_count))
                out.append(Suggestion(
                    f"measure {s.measure_id} has {fmt(r.rates.case_count)} eligible cases; with {missing} more it "
                    f"would be scored against its benchmark", 0.0, s.measure_id, "quality"))
            elif r.score.picked and s.decile and s.decile < 10 and s.bounds and s.capped_at is None:
                target = next((b for b in s.bounds[s.decile:] if b is not None), None)
                gain = min(float(s.decile + 1), pack.quality.max_points_per_measure) - s.points
                if target is not None and gain > 0:
                    out.append(Suggestion(
                        _rate_advice(s, r.rates, target) + f": +{fmt(round(gain, 2))} quality points "
                        f"(+{fmt(round(gain * per_point, 2))} final)", gain * per_point, s.measure_id, "quality"))
            elif r.score.picked and s.capped_at is not None:
                gain = (pack.quality.max_points_per_measure - s.points)
                out.append(Suggestion(
                    f"measure {s.measure_id} is topped out and capped at {fmt(s.points)}: a measure without the cap "
                    f"could earn up to +{fmt(gain)} quality points (+{fmt(round(gain * per_point, 2))} final)",
                    gain * per_point * 0.5, s.measure_id, "quality"))
        counted = len(chosen)
        if counted < slots and not fixed_set:
            missing = slots - counted
            gain = missing * pack.quality.max_points_per_measure * per_point
            out.append(Suggestion(
                f"report {missing} more quality measure{'s' if missing > 1 else ''} ({counted} of {slots} count): "
                f"each can earn up to {points_text(pack.quality.max_points_per_measure)} "
                f"(up to +{fmt(round(gain, 2))} final)", gain, None, "quality"))

    ia = card.categories["ia"]
    if not ia.reweighted and ia.score is not None and ia.score < 100 and ia.weight:
        full = pack.ia.full_credit_points
        missing_points = full * (100 - ia.score) / 100
        gain = ia.weight * (100 - ia.score) / 100
        if pack.ia.weighted:
            how = f"attest activities worth {fmt(round(missing_points, 2))} more IA points " \
                  f"(a medium-weighted activity earns {pack.ia.medium_weight_points}, a high one " \
                  f"{pack.ia.high_weight_points}; doubled with special status)"
        else:
            how = f"attest more improvement activities ({fmt(round(missing_points, 2))} IA points missing)"
        out.append(Suggestion(f"{how}: +{fmt(round(gain, 2))} final", gain, None, "ia"))

    pi = card.categories["pi"]
    if not pi.reweighted and pi.weight and pi.score is not None and pi.score < 100:
        gain = pi.weight * (100 - pi.score) / 100
        if pi.score == 0 and pi.reasons:
            text = f"fix the PI category ({pi.reasons[0]}): up to +{fmt(round(gain, 2))} final"
        else:
            text = f"raise the PI numerators (PI {fmt(pi.score)}%): up to +{fmt(round(gain, 2))} final"
        out.append(Suggestion(text, gain, None, "pi"))

    out.sort(key=lambda s: -s.gain)
    return out[:MAX_SUGGESTIONS]
