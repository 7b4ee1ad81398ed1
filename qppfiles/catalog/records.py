"""Record types of the measures catalog: one frozen dataclass per kind of entry.

Field names are the snake_case form of qpp-measures-data's names; a field the
source leaves out for a year is ``None`` (or an empty tuple for id lists).
Dict-valued fields are left out of the hash so that records stay hashable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple, Union

OUTCOME_TYPES = frozenset({"outcome", "intermediateOutcome", "patientReportedOutcome"})


@dataclass(frozen=True, slots=True)
class Stratum:
    """One performance-rate stratum of a quality measure.

    ``population_uuids`` maps a population name (``initialPopulation``,
    ``denominator``, ``numerator``, ``denominatorExclusion``,
    ``denominatorException``, ``numeratorExclusion``) to the eCQM population
    UUID used in QRDA III; ``stratification_uuids`` lists the reporting
    stratifications of that population set. ``description`` is not shipped.
    """

    name: Optional[str] = None
    description: Optional[str] = None
    population_uuids: Optional[dict] = field(default=None, hash=False)
    stratification_uuids: Tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QualityMeasure:
    measure_id: str
    title: Optional[str] = None
    measure_type: Optional[str] = None
    is_high_priority: bool = False
    is_inverse: bool = False
    metric_type: Optional[str] = None
    overall_algorithm: Optional[str] = None
    strata: Tuple[Stratum, ...] = ()
    submission_methods: Tuple[str, ...] = ()
    allowed_programs: Optional[Tuple[str, ...]] = None
    emeasure_id: Optional[str] = None
    emeasure_uuid: Optional[str] = None
    population_uuids: Optional[dict] = field(default=None, hash=False)
    first_performance_year: Optional[int] = None
    last_performance_year: Optional[int] = None
    is_registry_measure: bool = False
    category: str = "quality"

    @property
    def is_outcome(self) -> bool:
        return self.measure_type in OUTCOME_TYPES

    @property
    def is_ecqm(self) -> bool:
        return self.emeasure_uuid is not None


@dataclass(frozen=True, slots=True)
class Activity:
    measure_id: str
    title: Optional[str] = None
    weight: Optional[str] = None
    subcategory: Optional[str] = None
    allowed_programs: Optional[Tuple[str, ...]] = None
    first_performance_year: Optional[int] = None
    last_performance_year: Optional[int] = None
    category: str = "ia"


@dataclass(frozen=True, slots=True)
class PIMeasure:
    measure_id: str
    title: Optional[str] = None
    objective: Optional[str] = None
    is_required: bool = False
    is_bonus: bool = False
    reporting_category: Optional[str] = None
    weight: Optional[int] = None
    exclusion: Optional[Tuple[str, ...]] = None
    substitutes: Tuple[str, ...] = ()
    metric_type: Optional[str] = None
    measure_sets: Tuple[str, ...] = ()
    allowed_programs: Optional[Tuple[str, ...]] = None
    first_performance_year: Optional[int] = None
    last_performance_year: Optional[int] = None
    category: str = "pi"


@dataclass(frozen=True, slots=True)
class CostMeasure:
    measure_id: str
    title: Optional[str] = None
    submission_methods: Tuple[str, ...] = ()
    allowed_programs: Optional[Tuple[str, ...]] = None
    category: str = "cost"


@dataclass(frozen=True, slots=True)
class Benchmark:
    """Benchmark of one measure and submission method.

    Up to 2022 the source gives ``deciles`` (lower bounds of deciles 2-10,
    ten values for non-proportion measures); from 2023 it gives
    ``percentiles`` keyed by percentile (1, 10, 20, ... 90, 99).
    ``status`` is ``"removed"`` (the benchmark must not be used for scoring
    this year) or ``"flat"`` when the measures file marks it so, else None.
    """

    measure_id: str
    submission_method: str
    benchmark_year: Optional[int] = None
    performance_year: Optional[int] = None
    metric_type: Optional[str] = None
    is_inverse: Optional[bool] = None
    is_topped_out: Optional[bool] = None
    is_topped_out_by_program: Optional[bool] = None
    is_high_priority: Optional[bool] = None
    deciles: Optional[Tuple[float, ...]] = None
    percentiles: Optional[dict] = field(default=None, hash=False)
    average_performance_rate: Optional[float] = None
    status: Optional[str] = None


@dataclass(frozen=True, slots=True)
class Mvp:
    mvp_id: str
    title: Optional[str] = None
    quality_ids: Tuple[str, ...] = ()
    ia_ids: Tuple[str, ...] = ()
    cost_ids: Tuple[str, ...] = ()
    foundation_pi_ids: Tuple[str, ...] = ()
    foundation_quality_ids: Tuple[str, ...] = ()
    admin_claims_ids: Tuple[str, ...] = ()


AnyMeasure = Union[QualityMeasure, Activity, PIMeasure, CostMeasure]
