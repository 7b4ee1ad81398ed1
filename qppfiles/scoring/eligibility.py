"""MIPS participation status from the low-volume threshold of the year pack."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from .text import fmt

REQUIRED = "required"
OPT_IN = "opt-in eligible"
VOLUNTARY = "voluntary"


@dataclass
class EligibilityResult:
    year: int
    status: str
    exceeded: list = field(default_factory=list)
    not_exceeded: list = field(default_factory=list)
    reason: str = ""

    def to_dict(self) -> dict:
        return {"performanceYear": self.year, "status": self.status, "exceeded": self.exceeded,
                "notExceeded": self.not_exceeded, "reason": self.reason}


def low_volume_status(year: int, *, allowed_charges: float, beneficiaries: int,
                      services: int | None = None) -> EligibilityResult:
    """Required when every criterion is exceeded; opt-in eligible (from the years that allow it)
    when some are; voluntary otherwise."""
    from ..program import year_pack

    e = year_pack(year).eligibility
    criteria: list[tuple[str, float | None, float, str]] = [
        ("allowed charges", allowed_charges, e.low_volume_allowed_charges_usd, "$"),
        ("beneficiaries", beneficiaries, e.low_volume_beneficiaries, "")]
    if e.low_volume_covered_services is not None:
        criteria.append(("covered services", services, e.low_volume_covered_services, ""))
    exceeded: list[str] = []
    below: list[str] = []
    for name, value, limit, unit in criteria:
        text = f"{name} {unit}{fmt(value) if value is not None else '-'} vs {unit}{fmt(limit)}"
        (exceeded if value is not None and value > limit else below).append(text)
    if not below:
        status, why = REQUIRED, "every low-volume criterion is exceeded: participation is required"
    elif exceeded and e.opt_in_available:
        status, why = OPT_IN, (f"{len(exceeded)} of {len(criteria)} criteria exceeded: may opt in "
                               f"(then subject to the payment adjustment) or report voluntarily")
    else:
        status, why = VOLUNTARY, ("at or below the low-volume threshold: excluded, may report voluntarily "
                                  "without a payment adjustment")
    return EligibilityResult(year, status, exceeded, below, f"{year}: {why}")
