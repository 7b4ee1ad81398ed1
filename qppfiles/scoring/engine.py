"""Score a submission, or published per-measure points, into a :class:`ScoreCard`."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence

from .card import CategoryScore
from .card import MeasureScore
from .card import ScoreCard
from .final import adjustment
from .final import final_score
from .final import weights_for
from .ia import APP_PROGRAMS
from .ia import ia_percent
from .ia import score_activities
from .text import fmt

CATEGORY_NAMES = ("quality", "ia", "pi", "cost")


class ScoringError(ValueError):
    """The submission cannot be scored at all (no usable performance year)."""


def _pack_and_catalog(year):
    from ..catalog import load_catalog
    from ..program import UnsupportedYear
    from ..program import year_pack

    if year is None:
        raise ScoringError("the performance year is missing; give it with --year")
    try:
        pack = year_pack(year)
    except UnsupportedYear as exc:
        raise ScoringError(str(exc)) from None
    try:
        catalog = load_catalog(year)
    except KeyError as exc:
        raise ScoringError(str(exc)) from None
    return pack, catalog


def _check_reweight(reweight: Iterable[str]) -> frozenset:
    names = frozenset(reweight)
    unknown = names - set(CATEGORY_NAMES)
    if unknown:
        raise ScoringError(f"unknown categories to reweight: {', '.join(sorted(unknown))} "
                           f"(use {', '.join(CATEGORY_NAMES)})")
    return names


def _cost_category(pack, cost: float | None, reweight: frozenset) -> CategoryScore:
    if not pack.cost.scored:
        return CategoryScore("cost", None, reweighted=True,
                             reasons=[f"cost is not scored in {pack.year} (its weight goes to other categories)"])
    if "cost" in reweight:
        return CategoryScore("cost", None, reweighted=True, reasons=["cost reweighted as requested"])
    if cost is None:
        return CategoryScore("cost", None, reweighted=True,
                             reasons=["cost is computed by CMS from claims; no cost score was given, so the "
                                      "estimate treats it as reweighted (give --cost to include it)"])
    value = max(0.0, min(100.0, float(cost)))
    return CategoryScore("cost", value, reasons=[f"cost {fmt(value)}% as given"])


def _cost_assumption(pack, cost, reweight) -> list[str]:
    if not pack.cost.scored or "cost" in reweight:
        return []
    if cost is None:
        return ["cost not given (--cost SCORE): treated as reweighted"]
    return [f"cost {fmt(max(0.0, min(100.0, float(cost))))}% as given (computed by CMS from claims)"]


def _assemble(pack, categories: dict, measures: list, *, small_practice: bool, complex_bonus, reasons: list,
              not_scored: list, app: bool = False) -> ScoreCard:
    removed = [name for name, c in categories.items() if c.reweighted]
    weights, weight_reasons = weights_for(pack, removed, small_practice=small_practice, app=app)
    reasons.extend(weight_reasons)
    if weights is None:
        for c in categories.values():
            c.weight = 0.0
        score = float(pack.final.performance_threshold)
        reasons.append(f"the final score is set to the performance threshold {fmt(score)}")
    else:
        for name, c in categories.items():
            c.weight = float(weights.get(name, 0.0))
            if c.weight and c.score is None:
                c.score = 0.0
        score, final_reasons = final_score(categories, pack, complex_bonus=complex_bonus,
                                           small_practice=small_practice)
        reasons.extend(final_reasons)
    ordered = {name: categories[name] for name in CATEGORY_NAMES}
    return ScoreCard(pack.year, score, float(pack.final.performance_threshold), ordered, measures,
                     adjustment(score, pack), pack.final.exceptional_performance_threshold, reasons, not_scored,
                     small_practice=small_practice)


# ------------------------------------------------------------------ from a file

def score_submission(submission, *, year: int | None = None, small_practice: bool = False,
                     special_status: bool = False, cost: float | None = None,
                     complex_bonus: float | None = None, prior_quality: float | None = None,
                     reweight: Iterable[str] = (), cms_measures: Mapping[str, float] | None = None,
                     cahps_shortfall: bool = False, clinician_type: str | None = None,
                     findings: Iterable | None = None, cehrt_2015_only: bool | None = None) -> ScoreCard:
    """Estimate the MIPS score of a :class:`~qppfiles.model.submission.Submission`.

    ``special_status`` doubles IA points (rural, HPSA, non-patient-facing; a
    small practice has it anyway).  ``cost`` is the cost category percent
    CMS would compute (the file cannot hold it); without it cost is treated
    as reweighted.  ``prior_quality`` is last year's quality percent, for the
    improvement score.  ``reweight`` lists categories reweighted to 0%.
    ``cms_measures`` maps a measure CMS computes itself (readmission, MVP
    population health, CAHPS, APP admission measures) to the achievement
    points CMS gave it; ``cahps_shortfall`` says a group's CAHPS survey fell
    short of its sample.  ``clinician_type`` (e.g. ``clinical_social_worker``,
    ``hospital_based``) reweights PI automatically in the years that do so
    for it, when the file has no PI data.  What the estimate assumed is in
    ``card.assumptions``.  ``findings`` are the file's validation findings
    (``validate_bytes(...).findings``): what they reject is not scored, and
    the card shows the file's validity.
    Problems in the file become reasons; only a missing or unsupported year
    raises :class:`ScoringError`.
    """
    from .pi import score_pi
    from .quality_category import COMPLEX_ORGANIZATIONS
    from .quality_category import score_quality
    from .suggest import suggestions
    from .verdict import screen
    from .verdict import validity

    pack, catalog = _pack_and_catalog(year or submission.performance_year)
    reweight = _check_reweight(reweight)
    reasons: list[str] = []
    findings = None if findings is None else list(findings)
    screened = screen(submission, findings or ())
    submission = screened.submission
    not_scored: list[str] = list(screened.not_scored)
    programs = {s.program for s in submission.measurement_sets}
    mvp = any(p in catalog.mvps for p in programs)
    app = bool(programs & set(APP_PROGRAMS))

    # Quality
    outcome = score_quality(submission, pack, catalog, programs=programs, small_practice=small_practice,
                            prior_quality=prior_quality, reweighted="quality" in reweight,
                            cms_measures=cms_measures, cahps_shortfall=cahps_shortfall,
                            complex_organization=submission.entity_type in COMPLEX_ORGANIZATIONS)
    quality, results, chosen = outcome.category, outcome.results, outcome.chosen
    not_scored.extend(outcome.not_scored)
    assumptions = list(outcome.assumptions)

    # Improvement activities
    ia_sets = submission.sets("ia")
    if "ia" in reweight:
        ia = CategoryScore("ia", None, reweighted=True, reasons=["IA reweighted as requested"])
        ia_measures: list = []
    else:
        special = special_status or small_practice
        ia, ia_measures = score_activities(ia_sets, pack, catalog, special_status=special, mvp=mvp,
                                           entity_type=submission.entity_type, programs=programs)

    # Promoting interoperability
    pi_sets = [s for s in submission.measurement_sets if s.category in ("pi", "aci")]
    pi_measures: list = []
    if "pi" in reweight:
        pi = CategoryScore("pi", None, reweighted=True, reasons=["PI reweighted as requested"])
    elif screened.pi_rejected and not pi_sets:
        pi = CategoryScore("pi", 0.0, reasons=[f"PI earns no credit: {screened.pi_rejected}"])
    elif not pi_sets and small_practice and pack.pi.small_practice_auto_reweighting:
        pi = CategoryScore("pi", None, reweighted=True,
                           reasons=[f"small practice without PI data: PI is reweighted automatically in {pack.year}"])
    elif not pi_sets and clinician_type and clinician_type in pack.pi.auto_reweighting_statuses:
        pi = CategoryScore("pi", None, reweighted=True,
                           reasons=[f"{clinician_type.replace('_', ' ')} without PI data: PI is reweighted "
                                    f"automatically in {pack.year}"])
        assumptions.append(f"clinician type {clinician_type} as given: PI reweighted automatically in {pack.year}")
    elif not pi_sets and submission.entity_type == "apm":
        pi = CategoryScore("pi", None, reweighted=True,
                           reasons=["APM entity: CMS rolls PI up from the participants' own reporting; "
                                    "not part of this estimate"])
        not_scored.append("pi: rolled up by CMS from the APM participants")
    elif not pi_sets:
        pi = CategoryScore("pi", 0.0, reasons=["no PI data in the file: 0% (use --reweight pi if the category "
                                               "is reweighted for this clinician, e.g. by clinician type or "
                                               "hardship exception)"])
        not_scored.append("pi: no Promoting Interoperability measurement set")
    else:
        pi, pi_measures = score_pi(pi_sets, pack, catalog, cehrt_2015_only=cehrt_2015_only)

    cost_category = _cost_category(pack, cost, reweight)
    categories = {"quality": quality, "ia": ia, "pi": pi, "cost": cost_category}
    measures = [r.score for r in results] + ia_measures + pi_measures + screened.rejected
    card = _assemble(pack, categories, measures, small_practice=small_practice, complex_bonus=complex_bonus,
                     reasons=reasons, not_scored=not_scored, app=app)
    card.suggestions = suggestions(card, results, pack, slots=outcome.slots, denominator=outcome.denominator,
                                   chosen=chosen, fixed_set=outcome.fixed_set)
    card.assumptions = assumptions + _cost_assumption(pack, cost, reweight)
    card.validity = None if findings is None else validity(findings)
    return card


# ------------------------------------------------------------------ from points

def score_points(year: int, *, quality_points: Sequence[float] | None = None,
                 quality_score: float | None = None, quality_bonus: float = 0.0,
                 ia_points: float | None = None, ia_score: float | None = None,
                 pi_score: float | None = None, cost: float | None = None,
                 small_practice: bool = False, complex_bonus: float | None = None,
                 prior_quality: float | None = None, reweight: Iterable[str] = (),
                 measure_ids: Sequence[str] | None = None) -> ScoreCard:
    """Score from per-measure achievement points and category inputs (e.g. a published example).

    A category left as None is treated as reweighted.  ``quality_points``
    are the achievement points of the measures that count (the top six);
    ``ia_points`` the attested IA points; ``pi_score`` and ``cost`` percents.
    """
    from .quality import quality_percent

    pack, _ = _pack_and_catalog(year)
    reweight = _check_reweight(reweight)
    measures: list[MeasureScore] = []
    if quality_score is not None and "quality" not in reweight:
        quality = CategoryScore("quality", float(quality_score),
                                reasons=[f"quality {fmt(float(quality_score))}% as given"])
    elif quality_points is not None and "quality" not in reweight:
        points = [float(p) for p in quality_points]
        ids = list(measure_ids or [f"#{i + 1}" for i in range(len(points))])
        measures = [MeasureScore(i, "quality", p, "achievement points as given")
                    for i, p in zip(ids, points, strict=False)]
        quality = quality_percent(points, pack, small_practice=small_practice, bonus=quality_bonus,
                                  prior_quality=prior_quality)
    else:
        quality = CategoryScore("quality", None, reweighted=True, reasons=["quality not scored: reweighted"])
    if ia_score is not None and "ia" not in reweight:
        ia = CategoryScore("ia", float(ia_score), reasons=[f"IA {fmt(float(ia_score))}% as given"])
    elif ia_points is not None and "ia" not in reweight:
        percent = ia_percent(float(ia_points), pack)
        ia = CategoryScore("ia", percent, reasons=[f"IA {fmt(percent)}%: {fmt(float(ia_points))} of "
                                                   f"{pack.ia.full_credit_points} points"])
    else:
        ia = CategoryScore("ia", None, reweighted=True, reasons=["IA not scored: reweighted"])
    if pi_score is not None and "pi" not in reweight:
        value = min(float(pi_score), float(pack.pi.score_cap))
        pi = CategoryScore("pi", value, reasons=[f"PI {fmt(value)}% as given"])
    else:
        pi = CategoryScore("pi", None, reweighted=True, reasons=["PI not scored: reweighted"])
    cost_category = _cost_category(pack, cost, reweight)
    categories = {"quality": quality, "ia": ia, "pi": pi, "cost": cost_category}
    return _assemble(pack, categories, measures, small_practice=small_practice, complex_bonus=complex_bonus,
                     reasons=[], not_scored=[])
