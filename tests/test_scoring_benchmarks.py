"""Achievement points from real benchmarks: the worked examples of the program-rules notes."""

from __future__ import annotations

import pytest

from qppfiles.catalog import Benchmark
from qppfiles.catalog import QualityMeasure
from qppfiles.catalog import load_catalog
from qppfiles.program import year_pack
from qppfiles.scoring import achievement
from qppfiles.scoring import decile_bounds
from qppfiles.scoring import position


def points(year: int, measure_id: str, method: str, rate: float):
    catalog = load_catalog(year)
    benchmark = catalog.benchmark(measure_id, method)
    assert benchmark is not None, f"{year} {measure_id} {method} benchmark missing from the catalog"
    return achievement(rate, benchmark, catalog.quality.get(measure_id), year_pack(year))


@pytest.mark.parametrize("year,measure,method,rate,expected,decile", [
    # 2024 direct measure, interpolated inside decile 6: 6 + (70 - 68.98) / (72 - 68.98)
    (2024, "236", "electronicHealthRecord", 70.0, 6.3377, 6),
    (2024, "236", "electronicHealthRecord", 84.04, 10.0, 10),
    # 2024 inverse: 8 + (24.25 - 20) / (24.25 - 19.83)
    (2024, "001", "electronicHealthRecord", 20.0, 8.9615, 8),
    # 2024 topped out by program: 3 + 0.45 / 2.44, 4 + 0.51 / 1.01, decile 10 capped at 7
    (2024, "005", "registry", 97.0, 3.1844, 3),
    (2024, "005", "registry", 99.5, 4.5050, 4),
    (2024, "005", "registry", 100.0, 7.0, 10),
    # flat benchmarks, direct and inverse
    (2024, "236", "registry", 85.0, 9.5, 9),
    (2024, "001", "registry", 15.0, 9.5, 9),
    # 2025 defined topped-out benchmark: no 7-point cap
    (2025, "143", "electronicHealthRecord", 95.0, 6.5, 6),
    (2025, "143", "electronicHealthRecord", 100.0, 10.0, 10),
    # the CMS engine examples: 2018 registry 110 and 2022 registry 047
    (2018, "110", "registry", 82.31, 8.9585, 8),
    (2022, "047", "registry", 76.92, 5.3676, 5),
    # 2017 inverse measure 192 with empty upper deciles: a rate of 0 reaches decile 10
    (2017, "192", "electronicHealthRecord", 0.0, 10.0, 10),
])
def test_worked_examples(year, measure, method, rate, expected, decile):
    got, got_decile, _, reason = points(year, measure, method, rate)
    assert got == pytest.approx(expected, abs=1e-4)
    assert got_decile == decile
    assert f"decile {decile}" in reason


def test_three_point_floor_until_2022():
    # 2018 registry 046 at 82.31 falls in decile 2 (2.86) and is raised to 3
    got, decile, _, reason = points(2018, "046", "registry", 82.31)
    assert decile == 2 and got == 3.0
    assert "3-point floor" in reason


def test_no_floor_from_2023_and_cap_reason():
    got, _, _, reason = points(2024, "005", "registry", 97.0)
    assert got == pytest.approx(3.1844, abs=1e-4)
    assert "floor" not in reason
    assert "capped at 7" in points(2024, "005", "registry", 100.0)[3]


def _benchmark(**kw):
    return Benchmark(measure_id="X", submission_method="registry", **kw)


def test_percentile_mapping_direct_and_inverse():
    pct = {1: 1, 10: 10, 20: 20, 30: 30, 40: 40, 50: 50, 60: 60, 70: 70, 80: 80, 90: 90, 99: 99}
    assert decile_bounds(_benchmark(percentiles=pct), inverse=False) == (1, 10, 20, 30, 40, 50, 60, 70, 80, 90)
    assert decile_bounds(_benchmark(percentiles=pct), inverse=True) == (99, 90, 80, 70, 60, 50, 40, 30, 20, 10)


def test_nine_deciles_get_an_implied_first_bound_and_ten_are_used_as_is():
    nine = (0, 26.89, 40.49, 50, 57.07, 64.79, 73.08, 82.71, 96.44)
    assert decile_bounds(_benchmark(deciles=nine), inverse=False)[0] == 0.0
    assert decile_bounds(_benchmark(deciles=(100,) + nine[1:]), inverse=True)[0] == 100.0
    ten = tuple(range(100, 0, -10))
    assert decile_bounds(_benchmark(deciles=ten), inverse=True) == tuple(float(v) for v in ten)


def test_empty_deciles_take_the_highest_decile_reached():
    bench = _benchmark(percentiles={1: 10, 10: 50, 20: 50, 30: 50, 40: 60, 50: 70, 60: 80, 70: 85, 80: 90,
                                    90: 95, 99: 99})
    found = position(50.0, bench, inverse=False)
    assert found.decile == 4          # deciles 2 and 3 are empty
    assert found.points == pytest.approx(4.0)


def test_rate_worse_than_decile_one():
    bench = _benchmark(percentiles={1: 40, 10: 50, 20: 55, 30: 60, 40: 65, 50: 70, 60: 75, 70: 80, 80: 85,
                                    90: 90, 99: 99})
    assert position(30.0, bench, inverse=False).decile == 0
    measure = QualityMeasure(measure_id="X")
    got, decile, _, reason = achievement(30.0, bench, measure, year_pack(2024))
    assert got == year_pack(2024).quality.points_below_first_decile == 1.0
    assert "worse than decile 1" in reason


def test_benchmark_without_bounds_is_not_a_crash():
    assert position(50.0, _benchmark(), inverse=False) is None
    got, *_ = achievement(50.0, _benchmark(), None, year_pack(2024))
    assert got is None
