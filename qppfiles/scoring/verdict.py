"""One verdict per file: what validation rejects earns no points in the estimate.

``score`` runs the same checks as ``validate``.  A measurement with a negative or
impossible count, or one the year or the set's program does not allow, is taken
out before scoring (it counts as not reported); a Promoting Interoperability set
without a valid CEHRT ID or the minimum PI period earns no PI credit.  Each is
listed with the finding that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace

from ..model.findings import ERROR
from .card import MeasureScore

# Errors on one measurement that CMS would not score.
MEASURE_CODES = frozenset({
    "A101", "A102", "A103", "A104", "A106",      # negative, fractional or impossible counts, rate out of range
    "M101", "M102", "M103", "M104", "M105",      # not a measure of the year, method, program, shape, strata
    "R102", "R103",                              # not part of the MVP
    "Q107",                                      # QCDR measure without its performance rate
    # QRDA III: a population of another measure, a bad or missing count, a missing or repeated population,
    # a PI numerator or denominator missing
    "X132", "X133", "X135", "X137", "X143",
})
# Errors on a PI set that leave it without credit (no CEHRT ID, a malformed one, a period too short).
PI_SET_CODES = frozenset({"P105", "P106", "Y104"})
PI_CATEGORIES = ("pi", "aci")


@dataclass
class Screened:
    submission: object                          # the submission without the rejected measurements
    rejected: list[MeasureScore] = field(default_factory=list)
    not_scored: list[str] = field(default_factory=list)
    pi_rejected: str | None = None           # why the PI sets earn no credit


def _where(f) -> str:
    return f.location.pointer or f.location.xpath or ""


def _under(f, ref: str) -> bool:
    where = _where(f)
    return where == ref or where.startswith(ref + "/") or (ref == "" and where.startswith("/"))


def _describe(findings) -> str:
    return "; ".join(f"{f.code} {f.message}" for f in findings)


def screen(submission, findings: Iterable) -> Screened:
    """Take out of ``submission`` what the error findings say CMS would not score."""
    errors = [f for f in findings if f.severity == ERROR and f.code in MEASURE_CODES | PI_SET_CODES]
    if not errors:
        return Screened(submission)
    out = Screened(submission)
    sets = []
    for ms in submission.measurement_sets:
        category = "pi" if ms.category in PI_CATEGORIES else ms.category
        if category == "pi":
            # A file holding only a measurement set has the set at its root (ref "").
            pi_errors = [f for f in errors if f.code in PI_SET_CODES and _under(f, ms.ref)]
            if pi_errors:
                out.pi_rejected = _describe(pi_errors)
                out.not_scored.append(f"pi: no credit: {out.pi_rejected}")
                continue
        kept = []
        for m in ms.measurements:
            found = [f for f in errors if f.code in MEASURE_CODES
                     and (_under(f, m.ref) if m.ref else f.measure_id == m.measure_id)]
            if not found:
                kept.append(m)
                continue
            why = _describe(found)
            measure_id = m.measure_id if isinstance(m.measure_id, str) else "?"
            out.rejected.append(MeasureScore(measure_id, category or "?", 0.0, f"not scored: {why}", picked=False,
                                             submission_method=ms.submission_method))
            out.not_scored.append(f"{category} {measure_id}: not scored: {why}")
        sets.append(replace(ms, measurements=tuple(kept)))
    out.submission = replace(submission, measurement_sets=tuple(sets))
    return out


def validity(findings) -> dict:
    """The file's validity as the score card shows it."""
    from ..model.findings import WARNING

    findings = list(findings)
    errors = [f for f in findings if f.severity == ERROR]
    return {"valid": not errors, "errors": len(errors),
            "warnings": sum(1 for f in findings if f.severity == WARNING),
            "rejectedAtIntake": sum(1 for f in errors if f.consequence == "rejected")}
