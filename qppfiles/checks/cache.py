"""Values several rules need, computed once per file and kept on the rule context.

Each attribute is None (or empty) until the first rule that needs it fills it in; the
helpers that compute them live beside the rules (``_walk``, ``quality``, ``ia``, ``pi``,
``arithmetic``). A typed object rather than a dict of strings, so that a misspelt key
is an error and every entry has one shape.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Set, Tuple

from ..model import Counts, Measurement, MeasurementSet

if TYPE_CHECKING:
    from ..catalog.records import Activity, AnyMeasure, QualityMeasure
    from ..measure_math import MeasureRates
    from ..program.packs import PiRequirement

# (set, measurement, catalog record or None): one entry of the walk every rule shares.
Entry = Tuple[MeasurementSet, Measurement, Optional["AnyMeasure"]]
# (label, counts, ref) of a measurement's own counts or of one stratum.
CountGroup = Tuple[str, Counts, str]
# An entry of a quality measurement that has counts, with its count groups.
RateEntry = Tuple[MeasurementSet, Measurement, Optional["AnyMeasure"], List[CountGroup]]
# (label, field name, value, ref of the owning node, sub-node): a field that must be a whole count.
CountField = Tuple[Any, ...]
# (set, measurement, catalog record, rates) of a quality measurement whose data completeness can be computed.
ScoredEntry = Tuple[MeasurementSet, Measurement, "AnyMeasure", "MeasureRates"]
# (requirement, state, failing measure ids) of a PI requirement.
RequirementState = Tuple["PiRequirement", str, Sequence[str]]


class RuleCache:
    """The per-file memo of the rules (see the module docstring)."""

    __slots__ = ("measurements", "rate_measurements", "set_periods", "odd_counts", "quality_rates",
                 "quality_by_program", "ia_attested", "pi_sets", "pi_by_id", "pi_states")

    def __init__(self) -> None:
        # {category or None (every measurement): entries}; "pi" covers "aci".
        self.measurements: Optional[Dict[Optional[str], List[Entry]]] = None
        self.rate_measurements: Optional[List[RateEntry]] = None
        self.set_periods: Optional[List[Tuple[MeasurementSet, Optional[date], Optional[date]]]] = None
        self.odd_counts: Optional[List[Tuple[Measurement, CountField]]] = None
        self.quality_rates: Optional[List[ScoredEntry]] = None
        self.quality_by_program: Optional[
            Dict[Optional[str], Tuple[MeasurementSet, List[QualityMeasure]]]] = None
        self.ia_attested: Optional[
            Dict[Optional[str], Tuple[List[MeasurementSet], List[Tuple[Measurement, Activity]]]]] = None
        self.pi_sets: Optional[List[MeasurementSet]] = None
        # Keyed by id() of the measurement set: sets are not hashable, and live as long as the file.
        self.pi_by_id: Dict[int, Dict[str, Measurement]] = {}
        self.pi_states: Dict[int, Tuple[Dict[str, Measurement], Set[str], List[RequirementState]]] = {}
