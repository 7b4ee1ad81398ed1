"""The format-neutral submission: Submission -> MeasurementSet -> Measurement.

Readers build these objects; checks and scoring read them; writers serialise
them.  Every node carries ``ref``: where it stood in its file (a JSON pointer
for QPP JSON, an XPath for QRDA III), so that a finding can point at it.

A field that was missing or had the wrong type in the file is ``None`` here:
the schema layer reports it once, and checks skip what they cannot judge.
A count is an ``int``, a ``float`` or ``None``, never a ``bool``.

The objects are read-only by convention: they are not frozen dataclasses because
building frozen ones costs three times as much, and readers build thousands per second.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

ENTITY_TYPES = ("individual", "group", "subgroup", "virtualGroup", "apm")
CATEGORIES = ("quality", "ia", "pi", "aci")

Count = int | float | None


@dataclass(slots=True, unsafe_hash=True)
class BooleanValue:
    value: bool | None
    kind = "boolean"


@dataclass(slots=True, unsafe_hash=True)
class ProportionValue:
    numerator: Count
    denominator: Count
    kind = "proportion"


@dataclass(slots=True, unsafe_hash=True)
class NonProportionValue:
    numerator: Count
    denominator: Count
    observation_instances: Count = None
    numerator_exclusion: Count = None
    denominator_exception: Count = None
    is_end_to_end: bool | None = None
    kind = "nonProportion"


@dataclass(slots=True, unsafe_hash=True)
class Counts:
    """Population counts of a performance-rate measure or of one stratum."""

    performance_met: Count = None
    performance_not_met: Count = None
    eligible_population: Count = None
    eligible_population_exclusion: Count = None
    eligible_population_exception: Count = None
    numerator_exclusion: Count = None


@dataclass(slots=True, unsafe_hash=True)
class SingleRateValue:
    counts: Counts
    performance_rate: Count = None  # submitted by registries (registry/QCDR metric types)
    is_end_to_end: bool | None = None
    kind = "singlePerformanceRate"


@dataclass(slots=True, unsafe_hash=True)
class Stratum:
    name: str | None
    counts: Counts
    ref: str = ""


@dataclass(slots=True, unsafe_hash=True)
class MultiRateValue:
    strata: tuple[Stratum, ...]
    performance_rate: Count = None
    is_end_to_end: bool | None = None
    kind = "multiPerformanceRate"


@dataclass(slots=True, unsafe_hash=True)
class UnknownValue:
    """A value whose shape the reader could not recognise (reported by the schema layer)."""

    kind = "unknown"


Value = BooleanValue | ProportionValue | NonProportionValue | SingleRateValue | MultiRateValue | UnknownValue


@dataclass(slots=True, unsafe_hash=True)
class Measurement:
    measure_id: str | None
    value: Value
    ref: str = ""


@dataclass(slots=True, unsafe_hash=True)
class MeasurementSet:
    category: str | None
    submission_method: str | None = None
    program_name: str | None = None
    cehrt_id: str | None = None
    performance_start: str | None = None
    performance_end: str | None = None
    measurements: tuple[Measurement, ...] = ()
    ref: str = ""
    # Who built the set: CMS's QRDA III converter marks its sets "qrda3".  Left out of repr,
    # which seeds the writer's document ids, so a marker never changes the ids of a document.
    source: str | None = field(default=None, repr=False)

    @property
    def program(self) -> str:
        """The program the set is scored under; CMS records a missing one as ``mips``."""
        return self.program_name or "mips"


@dataclass(slots=True, unsafe_hash=True)
class Submission:
    performance_year: int | None
    entity_type: str | None = None
    taxpayer_identification_number: str | None = None
    national_provider_identifier: str | None = None
    entity_id: str | None = None
    measurement_sets: tuple[MeasurementSet, ...] = ()
    ref: str = ""
    # True when the file held only a measurement set (no submission header).
    set_only: bool = field(default=False, compare=False)

    def sets(self, category: str) -> list[MeasurementSet]:
        return [s for s in self.measurement_sets if s.category == category]
