"""Values several rules need, computed once per file and kept on the rule context.

Each attribute is None (or empty) until the first rule that needs it fills it in; the
helpers that compute them live beside the rules (``_walk``, ``quality``, ``ia``, ``pi``,
``arithmetic``). A typed object rather than a dict of strings, so that a misspelt key
is an error and every entry has one shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING
from typing import Any
from typing import Optional

from ..model.submission import Counts
from ..model.submission import Measurement
from ..model.submission import MeasurementSet

if TYPE_CHECKING:
    from ..catalog.records import Activity
    from ..catalog.records import AnyMeasure
    from ..catalog.records import QualityMeasure
    from ..model.measure_math import MeasureRates
    from ..program.packs import PiRequirement

# (set, measurement, catalog record or None): one entry of the walk every rule shares.
Entry = tuple[MeasurementSet, Measurement, Optional["AnyMeasure"]]
# An entry whose measure is in the year's catalog.
KnownEntry = tuple[MeasurementSet, Measurement, "AnyMeasure"]
# (label, counts, ref) of a measurement's own counts or of one stratum.
CountGroup = tuple[str, Counts, str]
# An entry of a quality measurement that has counts, with its count groups.
RateEntry = tuple[MeasurementSet, Measurement, Optional["AnyMeasure"], list[CountGroup]]
# (label, field name, value, ref of the owning node, sub-node): a field that must be a whole count.
CountField = tuple[Any, ...]
# (set, measurement, catalog record, rates) of a quality measurement whose data completeness can be computed.
ScoredEntry = tuple[MeasurementSet, Measurement, "AnyMeasure", "MeasureRates"]
# (requirement, state, failing measure ids) of a PI requirement.
RequirementState = tuple["PiRequirement", str, Sequence[str]]
# An attested activity and its catalog record.
AttestedActivity = tuple[Measurement, "Activity"]


class RuleCache:
    """The per-file memo of the rules (see the module docstring)."""

    __slots__ = ("measurements", "rate_measurements", "set_periods", "odd_counts", "quality_rates",
                 "quality_by_program", "ia_attested", "pi_sets", "pi_by_id", "pi_states")

    def __init__(self) -> None:
        # {category or None (every measurement): entries}; "pi" covers "aci".
        self.measurements: dict[str | None, list[Entry]] | None = None
        self.rate_measurements: list[RateEntry] | None = None
        self.set_periods: list[tuple[MeasurementSet, date | None, date | None]] | None = None
        self.odd_counts: list[tuple[Measurement, CountField]] | None = None
        self.quality_rates: list[ScoredEntry] | None = None
        self.quality_by_program: dict[str | None, tuple[MeasurementSet, list[QualityMeasure]]] | None = None
        self.ia_attested: dict[str | None, tuple[list[MeasurementSet], list[AttestedActivity]]] | None = None
        self.pi_sets: list[MeasurementSet] | None = None
        # Keyed by id() of the measurement set: sets are not hashable, and live as long as the file.
        self.pi_by_id: dict[int, dict[str, Measurement]] = {}
        self.pi_states: dict[int, tuple[dict[str, Measurement], set[str], list[RequirementState]]] = {}
