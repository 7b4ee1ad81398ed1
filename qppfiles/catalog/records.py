"""Record types of the measures catalog: one frozen dataclass per kind of entry.

Field names are the snake_case form of qpp-measures-data's names; a field the
source leaves out for a year is ``None`` (or an empty tuple for id lists).
Dict-valued fields are left out of the hash so that records stay hashable.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

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

    name: str | None = None
    description: str | None = None
    population_uuids: dict | None = field(default=None, hash=False)
    stratification_uuids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class QualityMeasure:
    measure_id: str
    title: str | None = None
    measure_type: str | None = None
    is_high_priority: bool = False
    is_inverse: bool = False
    metric_type: str | None = None
    overall_algorithm: str | None = None
    strata: tuple[Stratum, ...] = ()
    submission_methods: tuple[str, ...] = ()
    allowed_programs: tuple[str, ...] | None = None
    emeasure_id: str | None = None
    emeasure_uuid: str | None = None
    population_uuids: dict | None = field(default=None, hash=False)
    first_performance_year: int | None = None
    last_performance_year: int | None = None
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
    title: str | None = None
    weight: str | None = None
    subcategory: str | None = None
    allowed_programs: tuple[str, ...] | None = None
    first_performance_year: int | None = None
    last_performance_year: int | None = None
    category: str = "ia"


@dataclass(frozen=True, slots=True)
class PIMeasure:
    measure_id: str
    title: str | None = None
    objective: str | None = None
    is_required: bool = False
    is_bonus: bool = False
    reporting_category: str | None = None
    weight: int | None = None
    exclusion: tuple[str, ...] | None = None
    substitutes: tuple[str, ...] = ()
    metric_type: str | None = None
    measure_sets: tuple[str, ...] = ()
    allowed_programs: tuple[str, ...] | None = None
    first_performance_year: int | None = None
    last_performance_year: int | None = None
    category: str = "pi"


@dataclass(frozen=True, slots=True)
class CostMeasure:
    measure_id: str
    title: str | None = None
    submission_methods: tuple[str, ...] = ()
    allowed_programs: tuple[str, ...] | None = None
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
    benchmark_year: int | None = None
    performance_year: int | None = None
    metric_type: str | None = None
    is_inverse: bool | None = None
    is_topped_out: bool | None = None
    is_topped_out_by_program: bool | None = None
    is_high_priority: bool | None = None
    deciles: tuple[float, ...] | None = None
    percentiles: dict | None = field(default=None, hash=False)
    average_performance_rate: float | None = None
    status: str | None = None


@dataclass(frozen=True, slots=True)
class Mvp:
    mvp_id: str
    title: str | None = None
    quality_ids: tuple[str, ...] = ()
    ia_ids: tuple[str, ...] = ()
    cost_ids: tuple[str, ...] = ()
    foundation_pi_ids: tuple[str, ...] = ()
    foundation_quality_ids: tuple[str, ...] = ()
    admin_claims_ids: tuple[str, ...] = ()


AnyMeasure = QualityMeasure | Activity | PIMeasure | CostMeasure
