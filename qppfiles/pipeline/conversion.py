"""What makes a conversion faithful: every number reads back the same, and a valid input stays valid.

``qppfiles convert`` reads its own output back and checks both before writing it, so no limit of a
format (or a writer bug) can silently change a count or turn an accepted submission into a refused one.
"""

from __future__ import annotations

from ..formats import QPP_JSON
from ..formats import ReadResult
from ..model.codes_io import NOT_REPRESENTABLE
from ..model.codes_io import NUMBER_WOULD_CHANGE
from ..model.findings import ERROR
from ..model.findings import Finding
from ..model.measure_math import COUNT_FIELDS
from ..model.submission import BooleanValue
from ..model.submission import Counts
from ..model.submission import MultiRateValue
from ..model.submission import NonProportionValue
from ..model.submission import ProportionValue
from ..model.submission import SingleRateValue
from ..model.submission import Submission
from ..model.submission import Value

# A field absent from a count block is zero for these: QRDA III carries an exclusion or exception
# only when the measure defines that population, and CMS's converter leaves it out otherwise.
_ZERO_WHEN_ABSENT = ("eligiblePopulationExclusion", "eligiblePopulationException", "numeratorExclusion")

Numbers = dict[str, object]


def _counts(c: Counts) -> Numbers:
    out = {name: getattr(c, attr) for name, attr in COUNT_FIELDS}
    for name in _ZERO_WHEN_ABSENT:
        if out[name] is None:
            out[name] = 0
    return out


def _numbers(value: Value) -> dict[str | None, Numbers]:
    """The numbers of one measurement's value, per stratum (None for a value without strata)."""
    if isinstance(value, BooleanValue):
        return {None: {"value": value.value}}
    if isinstance(value, ProportionValue):
        return {None: {"numerator": value.numerator, "denominator": value.denominator}}
    if isinstance(value, NonProportionValue):
        return {None: {"numerator": value.numerator, "denominator": value.denominator,
                       "observationInstances": value.observation_instances,
                       "numeratorExclusion": value.numerator_exclusion,
                       "denominatorException": value.denominator_exception}}
    if isinstance(value, SingleRateValue):
        return {None: dict(_counts(value.counts), performanceRate=value.performance_rate)}
    if isinstance(value, MultiRateValue):
        out: dict[str | None, Numbers] = {None: {"performanceRate": value.performance_rate}}
        for stratum in value.strata:
            out[stratum.name] = _counts(stratum.counts)
        return out
    return {None: {}}


def _all_numbers(sub: Submission) -> dict[tuple[str, str | None, int, str | None], Numbers]:
    out = {}
    for mset in sub.measurement_sets:
        category = "pi" if mset.category == "aci" else (mset.category or "")
        seen: dict[str | None, int] = {}
        for m in mset.measurements:
            nth = seen[m.measure_id] = seen.get(m.measure_id, -1) + 1
            for stratum, numbers in _numbers(m.value).items():
                out[(category, m.measure_id, nth, stratum)] = numbers
    return out


def _is_zero(numbers: Numbers | None) -> bool:
    return numbers is not None and all(not v for v in numbers.values())


def changed_numbers(before: Submission, after: Submission) -> list[str]:
    """Every number of ``before`` that ``after`` does not hold identically, described; [] when none.

    A stratum present on one side only counts as unchanged when all its counts are zero.
    """
    old, new = _all_numbers(before), _all_numbers(after)
    changes = []
    for key in sorted(set(old) | set(new), key=lambda k: tuple(str(x) for x in k)):
        category, measure_id, _, stratum = key
        a, b = old.get(key), new.get(key)
        what = f"{category} measure {measure_id}" + (f", stratum '{stratum}'" if stratum else "")
        if a is None or b is None:
            if not (_is_zero(a) or _is_zero(b)):
                changes.append(f"{what} would be {'added' if a is None else 'lost'}")
            continue
        for name in sorted(set(a) | set(b)):
            x, y = a.get(name), b.get(name)
            if x != y or (type(x) is bool) != (type(y) is bool):
                changes.append(f"{what}: {name} {_show(x)} would become {_show(y)}")
    return changes


def _show(value: object) -> str:
    return "(absent)" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def refusals(source: ReadResult, output: bytes) -> list[Finding]:
    """Why ``output`` (the conversion of the read ``source``) must not be written; [] when it is faithful."""
    from .validate import read_bytes

    back = read_bytes(output, None)
    assert source.submission is not None, "only a read submission is converted"
    if back.submission is None:
        return [_finding(NOT_REPRESENTABLE, "the converted file cannot be read back: "
                         + "; ".join(f.message for f in back.findings))]
    changes = changed_numbers(source.submission, back.submission)
    if changes:
        return [_finding(NUMBER_WOULD_CHANGE, f"converting would change a number: {change}") for change in changes]
    if _errors(source):
        return []  # an invalid input may give an invalid output: its findings are reported anyway
    return [_finding(NOT_REPRESENTABLE, f"the input is valid but the converted file would not be: {f.code} "
                     f"{f.message}") for f in _errors(back)]


def _errors(result: ReadResult) -> list[Finding]:
    """The errors ``qppfiles validate`` reports for a read file (accept profile)."""
    from ..model.options import Options
    from .validate import CappedFindings
    from .validate import rule_findings
    from .validate import schema_findings

    found = CappedFindings(None)
    found.add(result.findings)
    if result.format == QPP_JSON and result.document is not None:
        schema_findings(result.document, found)
    schema_pointers = {f.location.pointer for f in found.items if f.layer == "schema"}
    rules, _ = rule_findings(result, Options(), schema_pointers)
    found.add(rules)
    return [f for f in found.finish() if f.severity == ERROR]


def _finding(code: str, message: str) -> Finding:
    return Finding.of(code, message)
