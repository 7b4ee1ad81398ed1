"""Year packs: the MIPS rules of one performance year as frozen dataclasses.

The numbers live in ``years/<year>.toml`` (read by :mod:`qppfiles.program.yeardata`,
whose docstring describes the files); this module only gives them a typed shape.
Percentages are 0-100, like ``reportingRate`` in a submission.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from functools import cache
from functools import cached_property
from types import MappingProxyType
from typing import TypeVar

from . import yeardata
from .yeardata import SECTIONS as _SECTIONS
from .yeardata import Raw

K = TypeVar("K")
V = TypeVar("V")

# The order of every row of category weights in the year files (the fields of CategoryWeights).
CATEGORIES = ("quality", "cost", "ia", "pi")


class UnsupportedYear(KeyError):
    """The performance year has no year pack."""

    def __init__(self, year: object):
        super().__init__(year)
        self.year = year

    def __str__(self) -> str:
        years = supported_years()
        return (f"performance year {self.year!r} is not supported "
                f"(supported: {years[0]}-{years[-1]})")


# --------------------------------------------------------------------- quality

@dataclass(frozen=True)
class MeasureBonusRules:
    """Per-measure bonus points (only in the years that had them)."""
    outcome_or_patient_experience_points: int   # each one beyond the required outcome/HP measure
    other_high_priority_points: int
    end_to_end_points: int                      # per measure with isEndToEndReported
    cap_percent_of_denominator: int             # each bonus kind capped at this share of the denominator


@dataclass(frozen=True)
class ComplexOrganizationAdjustment:
    """Quality points for APM entities and virtual groups that submit eCQMs."""
    points_per_ecqm: float                      # per eCQM meeting data completeness and the case minimum
    cap_percent_of_denominator: float           # the total is capped at this share of the available points


@dataclass(frozen=True)
class NewMeasureFloor:
    first_year: float
    second_year: float


@dataclass(frozen=True)
class ImprovementScoring:
    max_percentage_points: float                # added to the quality percent, never negative
    prior_year_floor_percent: float             # prior-year achievement below this counts as this


@dataclass(frozen=True)
class QualityRules:
    data_completeness_threshold_percent: float  # met when reportingRate >= this
    case_minimum: int
    required_measures: int                      # traditional MIPS
    mvp_required_measures: int | None           # None before MVPs existed
    requires_outcome_or_high_priority: bool
    max_points_per_measure: float
    denominator: int                            # 10 x required measures
    readmission_measure_id: str                 # admin-claims measure that adds to the denominator
    readmission_denominator_points: int
    readmission_min_clinicians: int
    readmission_case_minimum: int
    achievement_floor_points: float | None      # benchmarked measures never score below this
    points_below_first_decile: float | None
    points_no_benchmark: float
    points_no_benchmark_small_practice: float
    points_below_case_minimum: float
    points_below_case_minimum_small_practice: float
    points_data_completeness_not_met: float
    points_data_completeness_not_met_small_practice: float
    topped_out_cap_points: float                # when the benchmark isToppedOutByProgram
    topped_out_capped_measure_ids: tuple[str, ...] | None  # a year that names its capped measures instead
    new_measure_floor_points: NewMeasureFloor | None
    new_measure_floor_excludes_admin_claims: bool
    measure_bonus: MeasureBonusRules | None
    small_practice_bonus_points: int            # added to the quality numerator
    complex_organization_adjustment: ComplexOrganizationAdjustment | None
    improvement_scoring: ImprovementScoring | None
    defined_topped_out_percentiles: Mapping[str, float] | None  # for sevenPointCapRemoved measures
    cahps_measure_id: str
    app_measure_ids: tuple[str, ...]
    app_plus_measure_ids: tuple[str, ...]
    decimal_places: int                         # rounding of scores, as the CMS engine does

    def data_completeness_met(self, reporting_rate_percent: float) -> bool:
        return reporting_rate_percent >= self.data_completeness_threshold_percent


# ------------------------------------------------------------------------- IA

@dataclass(frozen=True)
class IaRules:
    weighted: bool                              # False: activities carry no high/medium weight
    high_weight_points: int
    medium_weight_points: int
    unweighted_activity_points: int | None      # per activity when not weighted
    full_credit_points: int
    special_status_multiplier: int              # points multiplied for special statuses
    special_statuses: tuple[str, ...]
    activities_for_full_credit: int | None
    activities_for_full_credit_special_status: int | None
    mvp_points_multiplier: int | None           # MVP reporters, whatever their status
    mvp_activities_for_full_credit: int | None
    min_activity_days: int
    group_participation_percent: int | None     # share of a group's clinicians doing the activity
    pcmh_activity_id: str
    pcmh_credit: str                            # "full"
    mips_apm_min_credit_percent: int
    app_credit: str | None                      # "full" for APP reporters

    def activity_points(self, weight: str | None, special_status: bool = False,
                        mvp: bool = False) -> int:
        """Points for one activity of the given weight ("high", "medium" or None)."""
        if self.weighted:
            base = self.high_weight_points if weight == "high" else self.medium_weight_points
        else:
            base = self.unweighted_activity_points or 0
        if mvp and self.mvp_points_multiplier:
            return base * self.mvp_points_multiplier
        return base * self.special_status_multiplier if special_status else base


# ------------------------------------------------------------------------- PI

@dataclass(frozen=True)
class PiRequirement:
    """One thing a PI submission must contain.

    ``options`` are alternatives; an option is a set of measure ids that
    together satisfy the requirement.  Exclusions of a measure are in the
    catalog (the measure's ``exclusion``).
    """
    name: str
    kind: str                                   # "attestation" (must be yes), "reported" (yes or no) or "measure"
    options: tuple[tuple[str, ...], ...]
    points: int | None                          # max points of the objective, when fixed

    @cached_property
    def measure_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for option in self.options for m in option))


@dataclass(frozen=True)
class PiRules:
    category_id: str                            # category value in files: "aci" or "pi"
    scoring_model: str                          # "base-performance-bonus" or "points"
    min_performance_period_days: int
    requirements: tuple[PiRequirement, ...]
    measure_points: Mapping[str, int]           # max points per measure, where fixed
    performance_points_max: int | None          # base-performance-bonus model only
    bonus_measures: Mapping[str, int]           # bonus measure id -> points
    registry_bonus_measures: tuple[str, ...]    # any number of these earn registry_bonus_points once
    registry_bonus_points: int
    bonus_points_max: int
    cehrt_2015_only_bonus_points: int | None
    cehrt_2015_only_edition_codes: tuple[str, ...]  # cehrtId characters 3-5 meaning "2015 Edition only"
    # excluded measure or objective -> receiving measures or objectives (followed on when excluded too)
    exclusion_redistribution: Mapping[str, tuple[str, ...]]
    exclusion_links: Mapping[str, tuple[str, ...]]  # measure -> exclusions the measures data leaves unlinked
    active_engagement: Mapping[str, tuple[str, ...]]  # public health measure -> its engagement-level measures
    proportion_min_points: int | None           # least points of a proportion measure with numerator >= 1
    rounding: str                               # per-measure points rounding
    score_cap: int
    auto_reweighting_statuses: tuple[str, ...]
    small_practice_auto_reweighting: bool

    @property
    def required_attestations(self) -> tuple[str, ...]:
        """Attestations a PI set must report (answered yes, or either way for "reported" ones)."""
        return _ids_of(r for r in self.requirements if r.kind in ("attestation", "reported"))

    @property
    def yes_required(self) -> tuple[str, ...]:
        return _ids_of(r for r in self.requirements if r.kind == "attestation")

    @property
    def required_measures(self) -> tuple[str, ...]:
        return _ids_of(r for r in self.requirements if r.kind == "measure")


def _ids_of(requirements: Iterable[PiRequirement]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m for r in requirements for m in r.measure_ids))


# ----------------------------------------------------------------------- cost

@dataclass(frozen=True)
class CostRules:
    scored: bool
    weight: float                               # default weight, percent
    reweighted_for_all: bool
    measure_case_minimums: Mapping[str, int]
    improvement_max_percentage_points: float | None
    new_measure_informational_years: int


# ---------------------------------------------------------------------- final

@dataclass(frozen=True)
class CategoryWeights:
    quality: float
    cost: float
    ia: float
    pi: float

    def as_dict(self) -> dict[str, float]:
        return {c: getattr(self, c) for c in CATEGORIES}


@dataclass(frozen=True)
class FinalRules:
    weights: CategoryWeights
    redistribution: Mapping[frozenset[str], CategoryWeights]   # reweighted categories -> weights
    small_practice_redistribution: Mapping[frozenset[str], CategoryWeights]  # overrides for SPs
    app_weights: CategoryWeights | None
    app_redistribution: Mapping[frozenset[str], CategoryWeights]   # APP weights when a category is reweighted
    performance_threshold: float
    exceptional_performance_threshold: float | None
    max_adjustment_percent: float
    max_exceptional_adjustment_percent: float | None
    max_scaling_factor: float
    complex_patient_bonus_cap: float
    small_practice_bonus_points: float          # final-score level
    score_cap: float
    min_scored_categories: int                  # fewer: final score = performance threshold
    negative_floor_fraction_of_threshold: float  # at or below this share of PT: full negative


# ---------------------------------------------------------------- the rest

@dataclass(frozen=True)
class Periods:
    start: date
    end: date
    quality_full_year_required: bool
    quality_min_days: int | None


@dataclass(frozen=True)
class Identifiers:
    cehrt_id_formats: tuple[str, ...]           # as CMS writes them, X = any character
    cehrt_id_patterns: tuple[str, ...]          # regular expressions, any one must match
    cehrt_id_required_for: tuple[str, ...]      # "pi", "quality_ecqm"
    program_names: tuple[str, ...]              # besides MVP ids
    mvp_program_names_allowed: bool             # MVP ids of the year's catalog are programNames
    entity_types: tuple[str, ...]
    subgroup_requires_mvp: bool

    def is_valid_cehrt_id(self, value: str) -> bool:
        return any(p.match(value) for p in _compiled(self.cehrt_id_patterns))


@cache
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@dataclass(frozen=True)
class Eligibility:
    low_volume_allowed_charges_usd: int         # at or below: excluded
    low_volume_beneficiaries: int
    low_volume_covered_services: int | None
    small_practice_max_clinicians: int
    web_interface_available: bool
    web_interface_min_clinicians: int | None
    web_interface_for_mips_groups: bool
    claims_small_practice_only: bool
    claims_groups_allowed: bool
    opt_in_available: bool                      # exceeding some criteria allows opting in


@dataclass(frozen=True)
class YearPack:
    year: int
    quality: QualityRules
    ia: IaRules
    pi: PiRules
    cost: CostRules
    final: FinalRules
    periods: Periods
    identifiers: Identifiers
    eligibility: Eligibility
    sources: Mapping[str, tuple[str, ...]] = field(repr=False)   # "section.field" -> citation keys
    unconfirmed: Mapping[str, str] = field(repr=False)           # "section.field" -> note
    carried_forward_from: int | None = None

    def sources_for(self, path: str) -> tuple[str, ...]:
        """Citation keys for ``"section.field"``, falling back to the section's."""
        return self.sources.get(path) or self.sources.get(path.split(".", 1)[0], ())

    def is_unconfirmed(self, path: str) -> bool:
        return path in self.unconfirmed or path.split(".", 1)[0] in self.unconfirmed

    def category_weights(self, reweighted: Iterable[str] = (),
                         small_practice: bool = False) -> CategoryWeights | None:
        """Weights after the given categories are reweighted to 0%.

        Cost is added when it is not scored that year.  None when the
        combination leaves too few categories (the final score is then the
        performance threshold).
        """
        removed = frozenset(reweighted) | (frozenset() if self.cost.scored else {"cost"})
        unknown = removed - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown categories: {sorted(unknown)}")
        if not removed:
            return self.final.weights
        if small_practice and removed in self.final.small_practice_redistribution:
            return self.final.small_practice_redistribution[removed]
        return self.final.redistribution.get(removed)


# -------------------------------------------------------------------- loading

def supported_years() -> tuple[int, ...]:
    return yeardata.available_years()


def default_year(today: date | None = None) -> int:
    """The year a command uses when none is given: this calendar year, kept within the supported ones."""
    years = supported_years()
    return min(max((today or date.today()).year, years[0]), years[-1])


@cache
def year_pack(year: int) -> YearPack:
    """The rules of a performance year; cached, raises UnsupportedYear."""
    if isinstance(year, bool) or not isinstance(year, int) or year not in supported_years():
        raise UnsupportedYear(year)
    raw = _resolve(year)
    sections = raw["sections"]
    carried: int | None = _entry(year).get("carried_forward_from")
    return YearPack(
        year=year,
        quality=_quality(sections["quality"]),
        ia=IaRules(**sections["ia"]),
        pi=_pi(sections["pi"]),
        cost=CostRules(**{**sections["cost"],
                          "measure_case_minimums": _frozen_map(sections["cost"]["measure_case_minimums"])}),
        final=_final(sections["final"]),
        periods=_periods(year, sections["periods"]),
        identifiers=Identifiers(**sections["identifiers"]),
        eligibility=Eligibility(**sections["eligibility"]),
        sources=_frozen_map({k: tuple(yeardata.refs()[r] for r in v) for k, v in raw["sources"].items()}),
        unconfirmed=_frozen_map(raw["unconfirmed"]),
        carried_forward_from=carried,
    )


def _entry(year: int) -> Raw:
    return yeardata.year_entry(year)


@cache
def _resolve(year: int) -> Raw:
    """Apply the yearly changes up to ``year``; see the yeardata module docstring."""
    ordered = supported_years()
    entry = _entry(year)
    if "carried_forward_from" in entry:
        base = _resolve(entry["carried_forward_from"])
    elif year == ordered[0]:
        base = {"sections": {s: {} for s in _SECTIONS}, "sources": {}, "unconfirmed": {}}
    else:
        base = _resolve(ordered[ordered.index(year) - 1])
    sections = {s: dict(base["sections"][s]) for s in _SECTIONS}
    sources = dict(base["sources"])
    unconfirmed = dict(base["unconfirmed"])
    for key, value in entry.items():
        if key in _SECTIONS:
            for name, field_value in value.items():
                sections[key][name] = field_value
                sources.pop(f"{key}.{name}", None)
                unconfirmed.pop(f"{key}.{name}", None)
    sources.update(entry.get("sources", {}))
    for path, note in entry.get("unconfirmed", {}).items():
        if note is None:
            unconfirmed.pop(path, None)
        else:
            unconfirmed[path] = note
    return {"sections": sections, "sources": sources, "unconfirmed": unconfirmed}


def _frozen_map(mapping: Mapping[K, V]) -> Mapping[K, V]:
    return MappingProxyType(dict(mapping))


def _weights(values: Sequence[float]) -> CategoryWeights:
    return CategoryWeights(*values)


def _quality(raw: Raw) -> QualityRules:
    values = dict(raw)
    for name, cls in (("measure_bonus", MeasureBonusRules), ("new_measure_floor_points", NewMeasureFloor),
                      ("improvement_scoring", ImprovementScoring),
                      ("complex_organization_adjustment", ComplexOrganizationAdjustment)):
        if values[name] is not None:
            values[name] = cls(**values[name])
    if values["topped_out_capped_measure_ids"] is not None:
        values["topped_out_capped_measure_ids"] = tuple(values["topped_out_capped_measure_ids"])
    if values["defined_topped_out_percentiles"] is not None:
        values["defined_topped_out_percentiles"] = _frozen_map(values["defined_topped_out_percentiles"])
    return QualityRules(**values)


def _pi(raw: Raw) -> PiRules:
    values = dict(raw)
    values["requirements"] = tuple(
        PiRequirement(name=r["name"], kind=r["kind"], points=r["points"],
                      options=tuple(tuple(option) for option in r["options"]))
        for r in raw["requirements"])
    for name in ("measure_points", "bonus_measures"):
        values[name] = _frozen_map(raw[name])
    for name in ("exclusion_redistribution", "exclusion_links", "active_engagement"):
        values[name] = _frozen_map({k: tuple(v) for k, v in raw[name].items()})
    values["registry_bonus_measures"] = tuple(raw["registry_bonus_measures"])
    return PiRules(**values)


def _redistribution(rows: Iterable[Raw]) -> Mapping[frozenset[str], CategoryWeights]:
    return _frozen_map({frozenset(row["without"]): _weights(row["weights"]) for row in rows})


def _final(raw: Raw) -> FinalRules:
    values = dict(raw)
    values["weights"] = _weights(raw["weights"])
    values["app_weights"] = _weights(raw["app_weights"]) if raw["app_weights"] else None
    values["redistribution"] = _redistribution(raw["redistribution"])
    values["small_practice_redistribution"] = _redistribution(raw["small_practice_redistribution"])
    values["app_redistribution"] = _redistribution(raw["app_redistribution"])
    return FinalRules(**values)


def _periods(year: int, raw: Raw) -> Periods:
    def day(month_day: str) -> date:
        month, dom = (int(part) for part in month_day.split("-"))
        return date(year, month, dom)

    return Periods(start=day(raw["start_month_day"]), end=day(raw["end_month_day"]),
                   quality_full_year_required=raw["quality_full_year_required"],
                   quality_min_days=raw["quality_min_days"])
