"""The quality category of a file: which measures count, the denominator, and the measures CMS computes itself.

Traditional MIPS counts the best 6 measures over 60 points, an MVP 4 over 40, the
APM Performance Pathway its fixed set and the Web Interface every measure it
reports.  A measure that leaves the denominator (suppressed; without a benchmark
or the case minimum under the APP or the Web Interface) lowers it by 10 points.
Measures CMS computes from claims or surveys (readmission, population health,
CAHPS, the APP's admission measures) cannot be in a file: their points are
given by the caller, and the estimate says what it assumed without them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field

from ..model.measure_math import WEB_INTERFACE
from .card import CategoryScore
from .ia import APP_PROGRAMS
from .text import fmt
from .text import points_text

ECQM_METHOD = "electronicHealthRecord"
COMPLEX_ORGANIZATIONS = ("apm", "virtualGroup")
CMS_ONLY_METHODS = frozenset({"administrativeClaims", "certifiedSurveyVendor"})


@dataclass
class QualityOutcome:
    category: CategoryScore
    results: list                               # QualityResult of every measurement, and of given measures
    chosen: list                                # the results that count
    slots: int                                  # measures that can count
    denominator: float
    fixed_set: bool                             # APP or Web Interface: no measure can be added
    assumptions: list[str] = field(default_factory=list)
    not_scored: list[str] = field(default_factory=list)


def _app_measure_set(pack, programs) -> tuple:
    q = pack.quality
    return (q.app_plus_measure_ids if "appPlus" in programs and q.app_plus_measure_ids else q.app_measure_ids) or ()


def _computed_by_cms(catalog, measure_id: str) -> bool:
    measure = catalog.quality.get(measure_id)
    methods = set(getattr(measure, "submission_methods", ()) or ())
    return bool(methods) and methods <= CMS_ONLY_METHODS


def score_quality(submission, pack, catalog, *, programs, small_practice: bool = False,
                  prior_quality: float | None = None, reweighted: bool = False,
                  cms_measures: Mapping[str, float] | None = None, cahps_shortfall: bool = False,
                  complex_organization: bool = False) -> QualityOutcome:
    from .quality import given_measure
    from .quality import measure_bonuses
    from .quality import pick
    from .quality import quality_percent
    from .quality import score_measure

    q = pack.quality
    quality_sets = submission.sets("quality")
    app_set = _app_measure_set(pack, programs) if programs & set(APP_PROGRAMS) else ()
    mvp_ids = sorted(p for p in programs if p in catalog.mvps)
    web_interface = bool(quality_sets) and all(s.submission_method == WEB_INTERFACE for s in quality_sets)
    results = [score_measure(m, s.submission_method, pack, catalog, small_practice, app=bool(app_set))
               for s in quality_sets for m in s.measurements]
    given = dict(cms_measures or {})
    assumptions: list[str] = []
    not_scored = [f"quality {r.score.measure_id}: {r.score.reason}" for r in results
                  if r.measure is None or r.rates is None or r.rates.reporting_rate is None]
    extra = _measures_outside_the_slots(submission, pack, catalog, results, given, app_set, mvp_ids, assumptions)
    for measure_id, points in given.items():
        results.append(given_measure(measure_id, points, pack, catalog, "a measure"))
        assumptions.append(f"measure {measure_id}: {points_text(float(points))} as given (computed by CMS)")

    counted_ids = {r.score.measure_id for r in results if not r.left_out}
    left_ids = {r.score.measure_id for r in results if r.left_out} - counted_ids
    for measure_id in sorted(left_ids):
        why = next(r.left_out for r in results if r.score.measure_id == measure_id)
        not_scored.append(f"quality {measure_id}: {why}")
    if web_interface:
        slots = len(counted_ids)
    elif app_set:
        missing_cms = [m for m in app_set if m not in counted_ids | left_ids and _computed_by_cms(catalog, m)]
        if missing_cms:
            assumptions.append(f"APM Performance Pathway: measure{'s' if len(missing_cms) > 1 else ''} "
                               f"{', '.join(missing_cms)} computed by CMS not given (--cms-measure ID=POINTS): "
                               f"left out of the numerator and the denominator")
        slots = len(app_set) - len(left_ids & set(app_set)) - len(missing_cms)
    else:
        base = q.mvp_required_measures if mvp_ids and q.mvp_required_measures else q.required_measures
        slots = max(min(base, len(counted_ids)), base - len(left_ids))
        slots -= _cahps_shortfall(q, counted_ids, cahps_shortfall, assumptions)
    denominator = (slots + len(extra)) * q.max_points_per_measure
    fixed = bool(app_set) or web_interface
    if reweighted:
        category = CategoryScore("quality", None, reweighted=True, reasons=["quality reweighted as requested"])
        return QualityOutcome(category, results + extra, [], slots, denominator, fixed, assumptions, not_scored)
    if denominator <= 0:
        category = CategoryScore("quality", None, reweighted=True,
                                 reasons=["no measure remains in the quality denominator: quality is reweighted"])
        return QualityOutcome(category, results + extra, [], slots, denominator, fixed, assumptions, not_scored)
    requires = q.requires_outcome_or_high_priority and not fixed
    chosen, pick_notes = pick(results, slots, requires)
    bonus, bonus_notes = measure_bonuses(results, chosen, pack, denominator)
    complete = {r.score.measure_id for r in results if r.data_completeness_met}
    achieved = [r.score.points for r in chosen + extra]
    adjustment, adjustment_notes = _complex_organization(q, results, complex_organization, denominator)
    category = quality_percent(achieved, pack, small_practice=small_practice, measures_reported=len(results),
                               bonus=bonus, adjustment=adjustment, prior_quality=prior_quality,
                               denominator=denominator,
                               slots=slots + len(extra), full_participation=len(complete) >= slots)
    category.reasons.extend(pick_notes + bonus_notes + adjustment_notes)
    if mvp_ids:
        category.reasons.append(f"MVP reporting: {slots} measures, denominator {fmt(denominator)}")
    if web_interface:
        category.reasons.append(f"Web Interface: every reported measure counts, denominator {fmt(denominator)}")
    if not quality_sets:
        category.reasons.append("no quality data in the file")
        not_scored.append("quality: no quality measurement set")
    return QualityOutcome(category, results + extra, chosen + extra, slots, denominator, fixed, assumptions,
                          not_scored)


def _measures_outside_the_slots(submission, pack, catalog, results, given, app_set, mvp_ids, assumptions) -> list:
    """Given measures that add 10 points to the denominator: the MVP population-health measure, or the
    readmission measure of traditional MIPS groups."""
    from .quality import given_measure

    q = pack.quality
    if app_set:
        out = []
        for measure_id in app_set:
            if measure_id in given:
                out.append(given_measure(measure_id, given.pop(measure_id), pack, catalog,
                                         "APM Performance Pathway measure"))
                assumptions.append(f"APM Performance Pathway measure {measure_id}: {fmt(out[-1].score.points)} "
                                   f"points as given (computed by CMS)")
        results.extend(out)          # they are measures of the set, not extra denominator points
        return []
    if mvp_ids:
        options = catalog.mvps[mvp_ids[0]].foundation_quality_ids
        chosen = next((m for m in options if m in given), None)
        if chosen is None:
            assumptions.append(f"MVP population-health measure ({', '.join(options) or 'none'}) not given "
                               f"(--cms-measure ID=POINTS): left out of the denominator, as CMS does when it has "
                               f"no benchmark or too few cases")
            return []
        r = given_measure(chosen, given.pop(chosen), pack, catalog, "MVP population-health measure")
        assumptions.append(f"MVP population-health measure {chosen}: {points_text(r.score.points)} as given "
                           f"(computed by CMS from claims): it adds {points_text(q.max_points_per_measure)} to the "
                           f"denominator")
        return [r]
    readmission = q.readmission_measure_id
    if readmission in given:
        r = given_measure(readmission, given.pop(readmission), pack, catalog, "all-cause readmission measure")
        assumptions.append(f"readmission measure {readmission}: {points_text(r.score.points)} as given (computed "
                           f"by CMS from claims for groups of {q.readmission_min_clinicians}+ clinicians with "
                           f"{q.readmission_case_minimum} cases): it adds {q.readmission_denominator_points} points "
                           f"to the denominator")
        return [r]
    if submission.entity_type not in (None, "individual"):
        assumptions.append(f"readmission measure {readmission} not given (--cms-measure {readmission}=POINTS): "
                           f"assumed not scored (CMS scores it for groups of {q.readmission_min_clinicians}+ "
                           f"clinicians with {q.readmission_case_minimum} cases)")
    return []


def _cahps_shortfall(q, counted_ids, shortfall: bool, assumptions) -> int:
    """Slots lost to a CAHPS sampling shortfall: one, for a group with 5 or fewer other measures
    (§414.1380(b)(1)(vii)(B))."""
    if not shortfall:
        return 0
    others = len(counted_ids - {q.cahps_measure_id})
    if others > 5:
        assumptions.append(f"CAHPS sampling shortfall: {others} other measures, the denominator is unchanged")
        return 0
    assumptions.append(f"CAHPS sampling shortfall with {others} other measures: "
                       f"{points_text(q.max_points_per_measure)} less in the denominator")
    return 1


def _complex_organization(q, results, applies: bool, denominator: float) -> tuple[float, list]:
    """Points of the complex organization adjustment (§414.1380(b)(1)(vii)(C)): for an APM entity or a
    virtual group, points per submitted eCQM meeting data completeness and the case minimum, capped at a
    share of the available points."""
    rules = q.complex_organization_adjustment
    if rules is None or not applies:
        return 0.0, []
    ecqms = {r.score.measure_id for r in results if r.score.submission_method == ECQM_METHOD
             and r.data_completeness_met and r.case_minimum_met and not r.left_out}
    if not ecqms:
        return 0.0, []
    earned = len(ecqms) * rules.points_per_ecqm
    cap = rules.cap_percent_of_denominator / 100.0 * denominator
    points = min(earned, cap)
    return points, [f"complex organization adjustment: {len(ecqms)} eCQMs meeting data completeness and the "
                    f"case minimum: +{points_text(points)}{' (capped at ' + fmt(cap) + ')' if earned > cap else ''}"]
