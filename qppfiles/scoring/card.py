"""The score card: every number of an estimate with the reason it has that value."""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field

CATEGORY_ORDER = ("quality", "ia", "pi", "cost")


@dataclass
class MeasureScore:
    measure_id: str
    category: str
    points: float
    reason: str
    max_points: float | None = None
    picked: bool = True                  # counted in the category score
    decile: int | None = None         # benchmark decile reached (quality)
    bounds: tuple | None = None       # decile entry bounds 1..10 (quality, for the report)
    performance_rate: float | None = None
    reporting_rate: float | None = None
    case_count: float | None = None
    submission_method: str | None = None
    capped_at: float | None = None    # the topped-out cap that lowered the points (quality)
    notes: list[str] = field(default_factory=list)
    cases_needed: int | None = None   # more reported cases that would meet data completeness

    def to_dict(self) -> dict:
        out = {"measureId": self.measure_id, "category": self.category, "points": self.points,
               "reason": self.reason, "picked": self.picked}
        for key, value in (("maxPoints", self.max_points), ("decile", self.decile),
                           ("performanceRate", self.performance_rate), ("reportingRate", self.reporting_rate),
                           ("caseCount", self.case_count), ("submissionMethod", self.submission_method),
                           ("cappedAt", self.capped_at), ("casesNeeded", self.cases_needed)):
            if value is not None:
                out[key] = value
        if self.notes:
            out["notes"] = list(self.notes)
        return out


@dataclass
class CategoryScore:
    category: str
    score: float | None               # percent 0-100; None when the category is not scored
    weight: float = 0.0                  # percent of the final score
    reweighted: bool = False
    reasons: list[str] = field(default_factory=list)
    bonus: float = 0.0                   # bonus points inside the category (quality numerator, PI)

    @property
    def weighted(self) -> float:
        return round((self.score or 0.0) * self.weight / 100.0, 4)

    def to_dict(self) -> dict:
        return {"score": self.score, "weight": self.weight, "weighted": self.weighted,
                "reweighted": self.reweighted, "reasons": list(self.reasons)}


@dataclass
class Suggestion:
    text: str
    gain: float                          # estimated final-score points
    measure_id: str | None = None
    category: str | None = None

    def to_dict(self) -> dict:
        return {"text": self.text, "finalScoreGain": round(self.gain, 2), "measureId": self.measure_id,
                "category": self.category}


@dataclass
class Adjustment:
    min: float
    max: float
    reason: str

    def to_dict(self) -> dict:
        return {"min": self.min, "max": self.max, "reason": self.reason}


@dataclass
class ScoreCard:
    performance_year: int
    final_score: float
    performance_threshold: float
    categories: dict                     # name -> CategoryScore
    measures: list[MeasureScore]
    adjustment: Adjustment
    exceptional_threshold: float | None = None
    reasons: list[str] = field(default_factory=list)
    not_scored: list[str] = field(default_factory=list)  # what could not be scored, and why
    suggestions: list[Suggestion] = field(default_factory=list)
    small_practice: bool = False
    assumptions: list[str] = field(default_factory=list)  # facts CMS computes that the estimate took or left out
    validity: dict | None = None      # the file's validation verdict, when the file was checked

    @property
    def above_threshold(self) -> bool:
        return self.final_score > self.performance_threshold

    def category(self, name: str) -> CategoryScore:
        return self.categories[name]

    def measure(self, measure_id: str, category: str | None = None) -> MeasureScore | None:
        for m in self.measures:
            if m.measure_id == measure_id and (category is None or m.category == category):
                return m
        return None

    def to_dict(self) -> dict:
        """The card as JSON-ready data; a number that is not finite (counts near the double limit make
        inf/inf) is None, since JSON has no NaN or Infinity."""
        return _finite({
            "performanceYear": self.performance_year,
            **({"validity": dict(self.validity)} if self.validity is not None else {}),
            "finalScore": self.final_score,
            "performanceThreshold": self.performance_threshold,
            "exceptionalPerformanceThreshold": self.exceptional_threshold,
            "categories": {name: self.categories[name].to_dict() for name in CATEGORY_ORDER
                           if name in self.categories},
            "measures": [m.to_dict() for m in self.measures],
            "adjustment": self.adjustment.to_dict(),
            "reasons": list(self.reasons),
            "notScored": list(self.not_scored),
            "assumptions": list(self.assumptions),
            "suggestions": [s.to_dict() for s in self.suggestions],
        })


def _finite(value):
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
