"""What a score report shows around the numbers: whose file, what was assumed, whether CMS would take it.

:func:`score_report` joins a :class:`~qppfiles.scoring.ScoreCard` with the submission it came from, the
findings of validating the same file and the options the estimate was asked with.  The result is one plain
dict; the JSON output is that dict, and the text and HTML pages are drawn from it, so the three always
show the same facts.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from ..model.measure_math import is_outcome_or_high_priority
from ..model.measure_math import is_outcome_or_patient_experience

ESTIMATE_NOTICE = ("An estimate made by qppfiles from the file alone, not an official CMS score: CMS computes "
                   "the final score from everything it receives for the performance year.")
CATEGORY_LABELS = {"quality": "Quality", "ia": "Improvement activities", "pi": "Promoting Interoperability",
                   "cost": "Cost"}
ENTITY_LABELS = {"individual": "individual clinician", "group": "group", "subgroup": "subgroup",
                 "virtualGroup": "virtual group", "apm": "APM entity"}
APP_PROGRAMS = {"app1": "APM Performance Pathway", "appPlus": "APM Performance Pathway Plus"}
# CMS's names of the collection types (submissionMethod values).
COLLECTION_TYPES = {"electronicHealthRecord": "eCQM", "registry": "MIPS CQM", "claims": "Medicare Part B claims",
                    "cmsWebInterface": "CMS Web Interface", "administrativeClaims": "administrative claims",
                    "certifiedSurveyVendor": "CAHPS survey"}


@dataclass(frozen=True)
class ScoreRequest:
    """The options an estimate was made with: what the file cannot say and the user assumed."""

    small_practice: bool = False
    special_status: bool = False
    cost: float | None = None
    reweight: Sequence[str] = ()
    prior_quality: float | None = None
    complex_bonus: float | None = None
    extra: Sequence[dict] = field(default_factory=tuple)  # further assumptions, as {"key", "value", "text"}


def mask_tin(tin: str | None) -> str | None:
    """A TIN shown by its last four digits only: ``*****6789``."""
    if not tin:
        return tin
    keep = tin[-4:]
    return "*" * max(0, len(tin) - len(keep)) + keep


def plural(count: float, word: str, many: str | None = None) -> str:
    """``1 point``, ``2 points``, ``0.5 points``."""
    number = int(count) if float(count).is_integer() else count
    return f"{number} {word if number == 1 else (many or word + 's')}"


def _programs(submission) -> list[str]:
    seen: list[str] = []
    for ms in submission.measurement_sets:
        name = ms.program_name or "mips"
        if name not in seen:
            seen.append(name)
    return seen


def _entity(submission, catalog) -> dict:
    programs = _programs(submission)
    mvp = next((p for p in programs if catalog is not None and p in catalog.mvps), None)
    program = mvp or next((p for p in programs if p in APP_PROGRAMS), None) or (programs[0] if programs else "mips")
    if mvp:
        program_text = f"MVP {mvp}"
    else:
        program_text = APP_PROGRAMS.get(program, "traditional MIPS" if program == "mips" else program)
    return {
        "entityType": submission.entity_type,
        "entityLabel": ENTITY_LABELS.get(submission.entity_type or "", submission.entity_type or "not stated"),
        "tin": mask_tin(submission.taxpayer_identification_number),
        "npi": submission.national_provider_identifier,
        "entityId": submission.entity_id,
        "program": program,
        "programText": program_text,
        "mvp": {"id": mvp, "title": _one_line(getattr(catalog.mvps[mvp], "title", None))} if mvp else None,
    }


def _assumptions(card, request: ScoreRequest) -> list[dict]:
    def item(key, value, text):
        return {"key": key, "value": value, "text": text}

    cost = card.categories.get("cost")
    if request.cost is not None and cost is not None and not cost.reweighted:
        cost_text = f"cost score {_num(request.cost)}% as given"
    elif cost is not None and cost.reasons:
        cost_text = cost.reasons[0]
    else:
        cost_text = "cost not scored"
    reweighted = [name for name, c in card.categories.items() if c.reweighted]
    out = [
        item("smallPractice", request.small_practice,
             "small practice (15 or fewer clinicians)" if request.small_practice
             else "not a small practice (give --small-practice for 15 or fewer clinicians)"),
        item("specialStatus", request.special_status,
             "special status (rural, HPSA or non-patient-facing): IA points doubled" if request.special_status
             else "no special status"),
        item("cost", request.cost, cost_text),
        item("reweightedCategories", reweighted,
             "reweighted: " + ", ".join(CATEGORY_LABELS[n] for n in reweighted) if reweighted
             else "no category reweighted"),
        item("priorQuality", request.prior_quality,
             f"prior-year quality score {_num(request.prior_quality)}%: improvement scored"
             if request.prior_quality is not None else "no prior-year quality score given: no improvement score"),
    ]
    if request.complex_bonus is not None:
        out.append(item("complexBonus", request.complex_bonus,
                        f"complex patient bonus of {_num(request.complex_bonus)} as given"))
    out.extend(item("computedByCms", None, text) for text in card.assumptions)
    out.extend(dict(extra) for extra in request.extra)
    return out


def _one_line(text: str | None) -> str | None:
    return " ".join(text.split()) if text else text


def _num(value) -> str:
    if value is None:
        return "-"
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def _finding_dict(finding) -> dict:
    out = finding.to_dict()
    out.setdefault("consequence", finding.consequence or None)
    return out


def _validity(findings: Iterable) -> dict:
    listed = [f for f in findings if f.severity in ("error", "warning")]
    errors = [f for f in listed if f.severity == "error"]
    rejected = any(f.consequence == "rejected" for f in errors)
    if rejected:
        status, text = "rejected", "CMS would reject this file at intake: fix the errors below before uploading it."
    elif errors:
        status, text = "points", ("CMS would accept this file, but the errors below cost points; "
                                  "the estimate leaves out what CMS would not score.")
    else:
        status, text = "valid", "No error: CMS intake would accept this file."
    return {"valid": not errors, "status": status, "text": text, "errors": len(errors),
            "rejectedAtIntake": sum(f.consequence == "rejected" for f in errors),
            "warnings": len(listed) - len(errors), "findings": [_finding_dict(f) for f in listed]}


def _measure_facts(m, catalog, pack, findings) -> dict:
    record = catalog.measure(m.measure_id) if catalog is not None else None
    facts = m.to_dict()
    facts["title"] = _one_line(getattr(record, "title", None))  # some catalog titles hold line breaks
    facts["anchor"] = f"measure-{m.category}-{m.measure_id}"
    facts["findingCodes"] = sorted({f.code for f in findings if f.measure_id == m.measure_id})
    if m.category == "quality":
        facts["outcome"] = is_outcome_or_patient_experience(record)
        facts["highPriority"] = is_outcome_or_high_priority(record)
        facts["inverse"] = bool(getattr(record, "is_inverse", False))
        facts["collectionType"] = COLLECTION_TYPES.get(m.submission_method or "", m.submission_method)
        if m.reporting_rate is not None and pack is not None:
            facts["dataCompletenessMet"] = pack.quality.data_completeness_met(m.reporting_rate)
            facts["dataCompletenessThreshold"] = pack.quality.data_completeness_threshold_percent
    elif m.category == "ia":
        facts["weight"] = getattr(record, "weight", None)
    return facts


def score_report(card, submission=None, findings: Sequence = (), request: ScoreRequest = ScoreRequest(),
                 today: datetime.date | None = None) -> dict:
    """The whole estimate as one plain dict: the card's numbers plus entity, assumptions and validity."""
    from .. import __version__
    from ..catalog import load_catalog
    from ..program import year_pack

    catalog = load_catalog(card.performance_year)
    pack = year_pack(card.performance_year)
    out = card.to_dict()
    out["measures"] = [_measure_facts(m, catalog, pack, findings) for m in card.measures]
    out["entity"] = _entity(submission, catalog) if submission is not None else None
    out["assumptions"] = _assumptions(card, request)
    out["validity"] = _validity(findings)
    out["paymentYear"] = card.performance_year + 2
    out["maxAdjustmentPercent"] = pack.final.max_adjustment_percent
    out["estimate"] = ESTIMATE_NOTICE
    out["about"] = {"qppfiles": __version__, "catalog": catalog.source_commit,
                    "date": (today or datetime.date.today()).isoformat()}
    return out
