"""Synthetic submissions that follow the rules of their year: for test suites and benchmarks.

    >>> import random
    >>> sub = fake_submission(2024, "group", random.Random(7))

Everything comes from the catalog and the year pack: real measures of the
year (and of the MVP), data completeness above the year's threshold, case
counts above the minimum, the year's required PI measures and enough
improvement activities for full credit.  The same seed gives the same file.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from datetime import timedelta

from ..catalog import load_catalog
from ..model.submission import ENTITY_TYPES
from ..model.submission import BooleanValue
from ..model.submission import Counts
from ..model.submission import Measurement
from ..model.submission import MeasurementSet
from ..model.submission import MultiRateValue
from ..model.submission import ProportionValue
from ..model.submission import SingleRateValue
from ..model.submission import Stratum
from ..model.submission import Submission
from ..program import UnsupportedYear
from ..program import year_pack
from . import pools
from .ids import fake_cehrt_id
from .ids import fake_entity_id
from .ids import fake_npi
from .ids import fake_tin
from .pools import EHR
from .pools import REGISTRY
from .pools import QualityChoice

TARGETS = ("json", "qrda3")
LEVELS = ENTITY_TYPES
_MVP_LEVELS = ("individual", "group", "subgroup", "apm")


class GenerateError(ValueError):
    """The request cannot be met (level absent that year, unknown MVP, too few measures...)."""


def levels_for(year: int) -> tuple[str, ...]:
    """Entity types that report in ``year``."""
    return tuple(year_pack(year).identifiers.entity_types)


def fake_submission(year: int, level: str, rng: random.Random, mvp: str | None = None,
                    n_quality: int | None = None, n_ia: int | None = None, n_pi: int | None = None,
                    target: str = "json") -> Submission:
    """A submission of ``level`` for ``year`` that validates with no error.

    ``mvp`` is an MVP id, ``"random"``, or None (traditional MIPS; a subgroup always gets an MVP).
    ``n_quality`` defaults to the year's requirement (6, or 4 in an MVP); ``n_ia`` to just enough
    activities for full credit; ``n_pi`` adds bonus PI measures up to that many measurements.
    ``target="qrda3"`` keeps to eCQMs with population UUIDs and electronicHealthRecord sets.
    """
    try:
        pack = year_pack(year)
    except UnsupportedYear as exc:
        raise GenerateError(str(exc)) from None
    if level not in LEVELS:
        raise GenerateError(f"unknown level '{level}'; choose one of {', '.join(LEVELS)}")
    if level not in pack.identifiers.entity_types:
        raise GenerateError(f"{level} does not report in {year}; that year has "
                            f"{', '.join(pack.identifiers.entity_types)}")
    if target not in TARGETS:
        raise GenerateError(f"unknown target '{target}'")
    mvp = _pick_mvp(year, level, rng, mvp, target)
    program = mvp or _program(year, level, rng)
    cehrt = fake_cehrt_id(rng, pack.identifiers.cehrt_id_formats, pack.identifiers.cehrt_id_patterns)
    sets = [_quality_set(year, level, rng, program, mvp, n_quality, target, cehrt)]
    if level != "apm":  # CMS credits an APM entity's IA and rolls its PI up from the participants
        side_method = EHR if target == "qrda3" else REGISTRY
        sets.append(_ia_set(year, rng, program, mvp, n_ia, side_method))
        sets.append(_pi_set(year, rng, program, n_pi, side_method, cehrt))
    return _header(year, level, rng, tuple(sets), target)


# ---------------------------------------------------------------- header and program

def _header(year: int, level: str, rng: random.Random, sets, target: str) -> Submission:
    tin = npi = entity_id = None
    # QRDA III identifies a virtual group by a TIN as well as its id.
    if level in ("individual", "group") or (level == "virtualGroup" and target == "qrda3"):
        tin = fake_tin(rng)
    if level == "individual":
        npi = fake_npi(rng)
    if level in ("subgroup", "virtualGroup", "apm"):
        entity_id = fake_entity_id(rng, level)
    return Submission(year, level, tin, npi, entity_id, sets)


def _program(year: int, level: str, rng: random.Random) -> str:
    names = pools.program_names(year)
    if level == "apm":
        apm_programs = [n for n in ("appPlus", "app1") if n in names and _app_measures(year, n)]
        if apm_programs:
            return apm_programs[0] if len(apm_programs) == 1 else rng.choice(apm_programs)
    return "mips"


def _app_measures(year: int, program: str) -> tuple[str, ...]:
    q = year_pack(year).quality
    return tuple(q.app_plus_measure_ids if program == "appPlus" else q.app_measure_ids)


def _pick_mvp(year: int, level: str, rng: random.Random, mvp: str | None, target: str) -> str | None:
    if mvp is None and level != "subgroup":
        return None
    available = pools.mvp_ids(year)
    if not available:
        raise GenerateError(f"there are no MVPs in {year} (MVPs start in 2023)")
    if level not in _MVP_LEVELS:
        raise GenerateError(f"a {level} cannot report an MVP; MVPs are for {', '.join(_MVP_LEVELS)}")
    if mvp is None or mvp == "random":
        feasible = [m for m in available if _mvp_feasible(year, m, target)]
        if not feasible:
            raise GenerateError(f"no MVP of {year} has enough reportable measures")
        return rng.choice(feasible)
    if mvp not in available:
        raise GenerateError(f"'{mvp}' is not an MVP of {year}; MVPs that year: {', '.join(available)}")
    if not _mvp_feasible(year, mvp, target):
        raise GenerateError(f"MVP {mvp} of {year} has too few measures reportable as "
                            f"{'eCQMs' if target == 'qrda3' else 'MIPS CQMs or eCQMs'} to generate")
    return mvp


def _mvp_feasible(year: int, mvp: str, target: str) -> bool:
    need = year_pack(year).quality.mvp_required_measures or 4
    record = load_catalog(year).mvps[mvp]
    methods = (EHR,) if target == "qrda3" else (REGISTRY, EHR)
    for method in methods:
        pool = pools.quality_pool(year, method, mvp, tuple(record.quality_ids), target == "qrda3")
        if len(pool) >= need and any(c.outcome_or_hp for c in pool):
            return bool(pools.ia_pool(year, mvp, tuple(record.ia_ids)))
    return False


# ---------------------------------------------------------------- quality

def _quality_set(year, level, rng, program, mvp, n_quality, target, cehrt) -> MeasurementSet:
    pack = year_pack(year)
    ids = None
    if mvp:
        ids = tuple(load_catalog(year).mvps[mvp].quality_ids)
        need = n_quality or pack.quality.mvp_required_measures or 4
    elif program in ("app1", "appPlus"):
        ids = _app_measures(year, program)
        need = n_quality or 0  # every APP measure that can be submitted
    else:
        need = n_quality or pack.quality.required_measures
    methods = [EHR] if target == "qrda3" or program in ("app1", "appPlus") else rng.sample([REGISTRY, EHR], 2)
    for method in methods:
        pool = pools.quality_pool(year, method, program, ids, target == "qrda3")
        count = need or len(pool)
        if len(pool) >= count and count and any(c.outcome_or_hp for c in pool):
            chosen = _choose_quality(rng, pool, count)
            break
    else:
        if target == "qrda3" and not pools.quality_pool(year, EHR, program, ids, True):
            raise GenerateError(f"the {year} catalog has no eCQM with population UUIDs under {program}: "
                                f"QRDA III cannot be generated for it")
        raise GenerateError(f"too few quality measures for {program} in {year} to pick {need or 'any'}")
    q = pack.quality
    measurements = tuple(
        Measurement(c.measure_id, rate_value(rng, c, q.data_completeness_threshold_percent, q.case_minimum,
                                              method == EHR, complete=target == "qrda3"))
        for c in chosen)
    start, end = pack.periods.start, pack.periods.end
    return MeasurementSet("quality", method, _program_name(year, program), cehrt if method == EHR else None,
                          start.isoformat(), end.isoformat(), measurements)


def _program_name(year: int, program: str) -> str | None:
    return program if program != "mips" or pools.writes_program_name(year) else None


def _choose_quality(rng, pool: Sequence[QualityChoice], count: int) -> list[QualityChoice]:
    ranked = [c for c in pool if c.benchmarked] if sum(c.benchmarked for c in pool) >= count else list(pool)
    key = [c for c in ranked if c.outcome_or_hp] or [c for c in pool if c.outcome_or_hp]
    first = rng.choice(key)
    rest = [c for c in ranked if c is not first]
    if len(rest) < count - 1:
        rest = [c for c in pool if c is not first]
    chosen = [first] + rng.sample(rest, count - 1)
    rng.shuffle(chosen)
    return chosen


def fake_counts(rng: random.Random, threshold: float, case_minimum: int, inverse: bool,
                exceptions: bool = True, complete: bool = False) -> Counts:
    """Counts with data completeness above ``threshold`` (100% if ``complete``) and an eligible population
    above the minimum."""
    eligible = rng.randint(max(case_minimum, 20) + 10, 600)
    completeness = rng.uniform(min(100.0, threshold + 4), 100.0)
    at_least = max(math.ceil(eligible * completeness / 100), math.ceil(eligible * (threshold + 2) / 100))
    reported = eligible if complete else min(eligible, at_least)
    excepted = rng.randint(0, reported // 25) if exceptions else 0
    decided = reported - excepted
    rate = rng.uniform(3, 35) if inverse else rng.uniform(45, 97)
    met = min(decided - 1, max(1, round(decided * rate / 100)))
    return Counts(performance_met=met, performance_not_met=decided - met, eligible_population=eligible,
                  eligible_population_exclusion=0, eligible_population_exception=excepted)


def rate_value(rng, choice: QualityChoice, threshold: float, case_minimum: int, ehr: bool,
               complete: bool = False):
    """A performance-rate value (single or per stratum) with realistic counts for ``choice``.

    ``complete``: every eligible patient reported, as QRDA III requires (it has no place for the others).
    """
    if choice.strata:
        strata = tuple(Stratum(name, fake_counts(rng, threshold, case_minimum, choice.inverse, choice.exceptions,
                                                 complete)) for name in choice.strata)
        return MultiRateValue(strata, is_end_to_end=ehr)
    counts = fake_counts(rng, threshold, case_minimum, choice.inverse, choice.exceptions, complete)
    return SingleRateValue(counts, is_end_to_end=ehr)


# ---------------------------------------------------------------- improvement activities

def _period(rng: random.Random, year: int, min_days: int) -> tuple[str, str]:
    pack = year_pack(year)
    year_days = (pack.periods.end - pack.periods.start).days + 1
    length = rng.randint(min(year_days, min_days + 1), year_days)
    start = pack.periods.start + timedelta(days=rng.randint(0, year_days - length))
    return start.isoformat(), (start + timedelta(days=length - 1)).isoformat()


def _ia_set(year, rng, program, mvp, n_ia, method) -> MeasurementSet:
    pack = year_pack(year)
    ids = tuple(load_catalog(year).mvps[mvp].ia_ids) if mvp else None
    pool = list(pools.ia_pool(year, program, ids))
    rng.shuffle(pool)
    chosen: list[str] = []
    points = 0
    for activity_id, weight in pool:
        if points >= pack.ia.full_credit_points and (n_ia is None or len(chosen) >= n_ia):
            break
        chosen.append(activity_id)
        points += pack.ia.activity_points(weight, mvp=bool(mvp))
    if points < pack.ia.full_credit_points:
        raise GenerateError(f"too few improvement activities under {program} in {year} for full credit")
    start, end = _period(rng, year, pack.ia.min_activity_days)
    return MeasurementSet("ia", method, _program_name(year, program), None, start, end,
                          tuple(Measurement(a, BooleanValue(True)) for a in sorted(chosen)))


# ---------------------------------------------------------------- promoting interoperability

def _pi_value(rng: random.Random, metric_type: str | None):
    if metric_type == "proportion":
        denominator = rng.randint(40, 900)
        return ProportionValue(rng.randint(max(1, denominator // 5), denominator), denominator)
    return BooleanValue(True)


def _pi_set(year, rng, program, n_pi, method, cehrt) -> MeasurementSet:
    pack = year_pack(year)
    catalog = load_catalog(year)
    ids: list[str] = []
    for options in pools.pi_options(year, program):
        for measure_id in rng.choice(options):
            if measure_id not in ids:
                ids.append(measure_id)
            companion = pools.active_engagement(year, measure_id)
            if companion and companion not in ids:
                ids.append(companion)
    if n_pi and len(ids) < n_pi:
        bonus = [m for m in pack.pi.bonus_measures if m in catalog.pi and m not in ids]
        rng.shuffle(bonus)
        ids.extend(bonus[: n_pi - len(ids)])
    measurements = tuple(Measurement(m, _pi_value(rng, catalog.pi[m].metric_type)) for m in sorted(ids))
    start, end = _period(rng, year, pack.pi.min_performance_period_days)
    return MeasurementSet(pack.pi.category_id, method, _program_name(year, program), cehrt, start, end,
                          measurements)


__all__ = ["GenerateError", "LEVELS", "TARGETS", "fake_counts", "fake_submission", "levels_for"]
