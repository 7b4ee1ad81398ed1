"""The per-file memo of the rules: a typed object, filled once per file and shared by the rules."""

from __future__ import annotations

import json

import pytest

from qppfiles.checks import Context
from qppfiles.checks import run
from qppfiles.checks._walk import measurements
from qppfiles.checks._walk import rate_measurements
from qppfiles.checks.cache import RuleCache
from qppfiles.checks.pi import pi_sets
from qppfiles.formats.qppjson import to_model
from qppfiles.model.options import Options

from .conftest import FIXTURES

INDIVIDUAL = FIXTURES / "2024" / "individual-traditional.json"


def _context() -> Context:
    sub = to_model(json.loads(INDIVIDUAL.read_text()))
    return Context(sub, sub.performance_year, Options())


def test_a_new_context_has_an_empty_rule_cache():
    cache = _context().cache
    assert isinstance(cache, RuleCache)
    assert cache.measurements is None and cache.quality_rates is None and cache.pi_sets is None
    assert cache.pi_by_id == {} and cache.pi_states == {}


def test_a_misspelt_entry_is_an_error_not_a_new_key():
    cache = _context().cache
    assert isinstance(cache, RuleCache)
    with pytest.raises(AttributeError):
        cache.measurments = {}  # type: ignore[attr-defined]


def test_the_walk_is_built_once_and_shared():
    ctx = _context()
    quality = measurements(ctx, "quality")
    assert [m.measure_id for _, m, _ in quality] == [m.measure_id for _, m, _ in ctx.cache.measurements["quality"]]
    assert len(quality) == 6
    assert measurements(ctx, "quality") is quality
    assert len(measurements(ctx)) == 6 + 2 + 13
    rates = rate_measurements(ctx)
    assert rate_measurements(ctx) is rates is ctx.cache.rate_measurements
    assert pi_sets(ctx) is ctx.cache.pi_sets and [ms.category for ms in ctx.cache.pi_sets] == ["pi"]


def test_running_the_rules_fills_the_entries_they_share():
    ctx = _context()
    assert all(f.severity != "error" for f in run(ctx))  # a valid file
    cache = ctx.cache
    assert len(cache.quality_rates) == 6
    assert set(cache.quality_by_program) == {"mips"}
    assert [ms.category for ms in cache.ia_attested["mips"][0]] == ["ia"]
    assert len(cache.pi_by_id) == 1 and len(next(iter(cache.pi_by_id.values()))) == 13
    assert cache.odd_counts == []
    assert len(cache.set_periods) == 3
