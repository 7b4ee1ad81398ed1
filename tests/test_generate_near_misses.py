"""Near misses: beside each rule's fault, an edit up to the rule's boundary that must stay clean.

A rule that fires too early is as wrong as one that never fires.  For every rule code the near miss
of ``qppfiles.generate.near_misses`` must leave the code unreported on generated 2024 and 2019
submissions of every level, and its one-unit step over the boundary must make the rule report it.
"""

from __future__ import annotations

import random

import pytest

from qppfiles.formats import qppjson
from qppfiles.generate import fake_submission
from qppfiles.generate import faults
from qppfiles.generate import levels_for
from qppfiles.generate import near_misses
from qppfiles.pipeline.validate import validate_bytes

YEARS = (2024, 2019)
# Years tried when a near miss applies to neither 2024 nor 2019 (a boundary another year has).
FALLBACK_YEARS = (2017, 2018, 2025, 2020, 2021, 2022, 2023, 2026)


def _codes(data: bytes) -> set:
    return {f.code for f in validate_bytes(data).findings}


def _bases_of(year: int):
    for level in levels_for(year):
        mvps = [None, "random"] if year >= 2023 and level in ("individual", "group") else [None]
        for mvp in mvps:
            sub = fake_submission(year, level, random.Random(5), mvp=mvp)
            yield year, level, qppjson.to_dict(sub), _codes(qppjson.write(sub))


@pytest.fixture(scope="module")
def bases():
    cache: dict = {}

    def of(year):
        if year not in cache:
            cache[year] = list(_bases_of(year))
        return cache[year]

    return of


def _bytes(result) -> bytes:
    return result if isinstance(result, bytes) else faults.to_bytes(result)


def test_every_rule_code_has_an_injector_and_a_near_miss():
    without_injector = [c for c in faults.rule_codes() if c not in faults.INJECTORS]
    uncovered = near_misses.uncovered_codes()
    assert without_injector == [] and uncovered == [], (
        f"rule codes without a fault injector: {without_injector}; rule codes without a near miss "
        f"(add one to qppfiles/generate/near_misses.py, or an entry with its reason to EXEMPT): {uncovered}")


def test_exemptions_are_current_rule_codes_without_near_misses():
    rule_codes = set(faults.rule_codes())
    assert [c for c in near_misses.EXEMPT if c not in rule_codes] == []
    assert [c for c in near_misses.EXEMPT if c in near_misses.NEAR_MISSES] == []
    assert all(reason.strip() for reason in near_misses.EXEMPT.values())


def _check(code, year, level, doc, before, entry):
    """(applied, crossed, problems) of the near miss of ``code`` on one base."""
    env = lambda: faults.Env(year, level, random.Random(1))  # noqa: E731  (a fresh random source per edit)
    near = near_misses.apply(doc, code, env())
    if near is None:
        return False, False, []
    problems = []
    found = _codes(_bytes(near))
    if code in found:
        problems.append(f"{year} {level}: the near miss ({entry.summary}) is reported as {code}")
    over = near_misses.apply(doc, code, env(), over=True) if entry.crosses else None
    if over is not None and code not in _codes(_bytes(over)):
        problems.append(f"{year} {level}: one unit past the near miss, {code} is not reported")
    return True, over is not None, problems


@pytest.mark.parametrize("code", sorted(near_misses.NEAR_MISSES))
def test_near_miss_stays_clean_and_the_next_step_is_reported(code, bases):
    entry = near_misses.NEAR_MISSES[code]
    applied = crossed = 0
    problems: list = []
    for year in YEARS + FALLBACK_YEARS:
        if year not in YEARS and applied and (crossed or not entry.crosses):
            break  # other years only stand in for a boundary 2024 and 2019 do not have
        for y, level, doc, before in bases(year):
            if code not in before:
                ok, over, found = _check(code, y, level, doc, before, entry)
                applied, crossed, problems = applied + ok, crossed + over, problems + found
    assert problems == [], "\n".join(problems)
    assert applied, f"the near miss of {code} applies to no generated submission"
    assert crossed or not entry.crosses, f"the near miss of {code} is never stepped over"


def test_near_miss_of_case_minimum_has_exact_counts():
    sub = fake_submission(2024, "individual", random.Random(5))
    doc = near_misses.apply(qppjson.to_dict(sub), "Q102", faults.Env(2024, "individual", random.Random(1)))
    values = [m["value"] for m in doc["measurementSets"][0]["measurements"]
              if m["value"].get("eligiblePopulation") == 20]
    assert values and values[0]["performanceMet"] + values[0]["performanceNotMet"] == 20
    assert "Q102" not in _codes(faults.to_bytes(doc))


def test_data_completeness_near_miss_sits_on_each_years_threshold():
    for year, reported in ((2024, 75), (2019, 60)):
        sub = fake_submission(year, "group", random.Random(5))
        env = faults.Env(year, "group", random.Random(1))
        doc = near_misses.apply(qppjson.to_dict(sub), "Q101", env)
        value = next(m["value"] for m in doc["measurementSets"][0]["measurements"]
                     if m["value"].get("eligiblePopulation") == 100)
        assert value["performanceMet"] + value["performanceNotMet"] == reported


def test_unknown_code_and_missing_step_are_refused():
    doc = qppjson.to_dict(fake_submission(2024, "group", random.Random(5)))
    env = faults.Env(2024, "group", random.Random(1))
    with pytest.raises(faults.FaultError, match="no near miss"):
        near_misses.apply(doc, "Z999", env)
    with pytest.raises(faults.FaultError, match="no one-unit step"):
        near_misses.apply(doc, "M102", env, over=True)


def test_a_code_without_near_miss_or_exemption_is_listed(monkeypatch):
    monkeypatch.setattr(near_misses, "rule_codes", lambda: ["Q101", "Q999", "Y108"])
    assert near_misses.uncovered_codes() == ["Q999"]
