"""Year packs: the per-year numbers of the MIPS program."""

import dataclasses
import json
import os
import re
from functools import cache
from pathlib import Path

import pytest

from qppfiles.program import CATEGORIES
from qppfiles.program import CategoryWeights
from qppfiles.program import UnsupportedYear
from qppfiles.program import supported_years
from qppfiles.program import year_pack
from qppfiles.program import yeardata

PROGRAM_DIR = Path(__file__).resolve().parents[1] / "qppfiles" / "program"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ALL_YEARS = list(supported_years())


@pytest.fixture(scope="module")
def measures_root() -> Path:
    root = SHARED / "cms" / "measures-data" / "measures"
    if not root.is_dir():
        if os.environ.get("QPPFILES_REQUIRE_SHARED") == "1":
            pytest.fail(f"{root} is missing and QPPFILES_REQUIRE_SHARED=1")
        pytest.skip(f"reference measures data not found at {root}")
    return root


@cache
def _measures(root: Path, year: int) -> dict:
    data = json.loads((root / str(year) / "measures-data.json").read_text())
    return {m["measureId"]: m for m in data}


# ------------------------------------------------------------------ the API

def test_supported_years_run_without_gap_from_2017_to_2027_at_least():
    years = supported_years()
    assert years[0] == 2017 and years[-1] >= 2027
    assert years == tuple(range(years[0], years[-1] + 1))


@pytest.mark.parametrize("bad", [2016, 2028, 1999, "2024", 2024.0, None, True])
def test_unknown_year_raises_keyerror_subclass(bad):
    with pytest.raises(UnsupportedYear) as info:
        year_pack(bad)
    assert isinstance(info.value, KeyError)
    assert "not supported" in str(info.value)


def test_packs_are_cached_and_frozen():
    pack = year_pack(2024)
    assert year_pack(2024) is pack
    with pytest.raises(dataclasses.FrozenInstanceError):
        pack.quality.case_minimum = 10
    with pytest.raises(TypeError):
        pack.pi.measure_points["PI_EP_1"] = 99
    with pytest.raises(TypeError):
        pack.final.redistribution[frozenset({"cost"})] = pack.final.weights


@pytest.mark.parametrize("year", ALL_YEARS)
def test_every_year_builds_and_is_consistent(year):
    pack = year_pack(year)
    assert pack.year == year
    assert pack.periods.start.isoformat() == f"{year}-01-01"
    assert pack.periods.end.isoformat() == f"{year}-12-31"
    assert pack.quality.denominator == 10 * pack.quality.required_measures
    assert sum(pack.final.weights.as_dict().values()) == 100
    for table in (pack.final.redistribution, pack.final.small_practice_redistribution):
        for removed, weights in table.items():
            assert removed <= set(CATEGORIES)
            assert sum(weights.as_dict().values()) == pytest.approx(100)
            for category in removed:
                assert getattr(weights, category) == 0
    if pack.final.app_weights:
        assert sum(pack.final.app_weights.as_dict().values()) == 100
    assert pack.pi.score_cap == 100 and pack.final.score_cap == 100
    assert pack.identifiers.program_names[0] == "mips"


# ------------------------------------------- mips-rules.md section 10 table

SUMMARY = {
    # year: (Q, C, IA, PI weights), DC %, PT, EPT, max adj %, benchmarked floor,
    #       no-benchmark points (non-SP, SP), DC fail (non-SP, SP), measure bonuses,
    #       SP quality bonus, complex patient bonus cap, PI period days
    2017: ((60, 0, 15, 25), 50, 3, 70, 4, 3, (3, 3), (3, 3), True, 0, 0, 90),
    2018: ((50, 10, 15, 25), 60, 15, 70, 5, 3, (3, 3), (1, 3), True, 0, 5, 90),
    2019: ((45, 15, 15, 25), 60, 30, 75, 7, 3, (3, 3), (1, 3), True, 6, 5, 90),
    2020: ((45, 15, 15, 25), 70, 45, 85, 9, 3, (3, 3), (0, 3), True, 6, 10, 90),  # cap 10: §414.1380(c)(3)(iv)
    2021: ((40, 20, 15, 25), 70, 60, 85, 9, 3, (3, 3), (0, 3), True, 6, 10, 90),
    2022: ((30, 30, 15, 25), 70, 75, 89, 9, 3, (3, 3), (0, 3), False, 6, 10, 90),
    2023: ((30, 30, 15, 25), 70, 75, None, 9, None, (0, 3), (0, 3), False, 6, 10, 90),
    2024: ((30, 30, 15, 25), 75, 75, None, 9, None, (0, 3), (0, 3), False, 6, 10, 180),
    2025: ((30, 30, 15, 25), 75, 75, None, 9, None, (0, 3), (0, 3), False, 6, 10, 180),
    2026: ((30, 30, 15, 25), 75, 75, None, 9, None, (0, 3), (0, 3), False, 6, 10, 180),
}


@pytest.mark.parametrize("year", sorted(SUMMARY))
def test_summary_table(year):
    (weights, dc, pt, ept, max_adj, floor, no_bench, dc_fail, bonuses, sp_bonus, cpb,
     pi_days) = SUMMARY[year]
    pack = year_pack(year)
    q, f = pack.quality, pack.final
    assert f.weights == CategoryWeights(*weights)
    assert q.data_completeness_threshold_percent == dc
    assert f.performance_threshold == pt
    assert f.exceptional_performance_threshold == ept
    assert f.max_adjustment_percent == max_adj
    assert q.achievement_floor_points == floor
    assert (q.points_no_benchmark, q.points_no_benchmark_small_practice) == no_bench
    assert (q.points_below_case_minimum, q.points_below_case_minimum_small_practice) == no_bench
    assert (q.points_data_completeness_not_met,
            q.points_data_completeness_not_met_small_practice) == dc_fail
    assert (q.measure_bonus is not None) == bonuses
    assert q.small_practice_bonus_points == sp_bonus
    assert f.complex_patient_bonus_cap == cpb
    assert pack.pi.min_performance_period_days == pi_days
    assert q.case_minimum == 20
    assert q.required_measures == 6
    assert q.max_points_per_measure == 10
    assert q.topped_out_cap_points == 7
    assert q.requires_outcome_or_high_priority


def test_data_completeness_comparison_is_inclusive():
    quality = year_pack(2024).quality
    assert quality.data_completeness_met(75.0)
    assert not quality.data_completeness_met(74.99)
    assert not year_pack(2017).quality.data_completeness_met(49.9)


@pytest.mark.parametrize("year", ALL_YEARS)
def test_quality_year_rules(year):
    q = year_pack(year).quality
    assert (q.mvp_required_measures == 4) == (year >= 2023)
    assert q.improvement_scoring is None if year == 2017 else q.improvement_scoring.max_percentage_points == 10
    if year >= 2022:
        assert (q.new_measure_floor_points.first_year, q.new_measure_floor_points.second_year) == (7, 5)
    else:
        assert q.new_measure_floor_points is None
    assert q.readmission_measure_id == ("458" if year <= 2020 else "479")
    assert (q.defined_topped_out_percentiles is not None) == (year >= 2025)
    assert (q.points_below_first_decile == 1.0) == (year >= 2023)


def test_measure_bonus_values():
    bonus = year_pack(2019).quality.measure_bonus
    assert (bonus.outcome_or_patient_experience_points, bonus.other_high_priority_points,
            bonus.end_to_end_points, bonus.cap_percent_of_denominator) == (2, 1, 1, 10)
    assert year_pack(2021).quality.measure_bonus == bonus


def test_defined_topped_out_benchmark():
    percentiles = year_pack(2025).quality.defined_topped_out_percentiles
    assert [percentiles[k] for k in ("1", "10", "20", "30", "40", "50", "60", "70", "80", "90", "99")] == \
        [84, 86, 88, 90, 92, 94, 96, 98, 99, 100, 100]


# --------------------------------------------------------------------- IA

@pytest.mark.parametrize("year", range(2017, 2025))
def test_ia_weighted_years(year):
    ia = year_pack(year).ia
    assert ia.weighted
    assert (ia.high_weight_points, ia.medium_weight_points, ia.full_credit_points) == (20, 10, 40)
    assert ia.activity_points("high") == 20 and ia.activity_points("medium") == 10
    assert ia.activity_points("high", special_status=True) == 40
    assert ia.activity_points("medium", special_status=True) == 20
    assert set(ia.special_statuses) == {"small_practice", "rural", "hpsa", "non_patient_facing"}
    assert ia.min_activity_days == 90
    assert ia.group_participation_percent == (50 if year >= 2020 else None)
    assert ia.pcmh_credit == "full" and ia.pcmh_activity_id == "IA_PCMH"
    if year >= 2023:  # MVP: 1 high or 2 medium reach 40, whatever the status
        assert ia.activity_points("high", mvp=True) == 40
        assert ia.activity_points("medium", mvp=True) == 20


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_ia_unweighted_years(year):
    ia = year_pack(year).ia
    assert not ia.weighted
    assert ia.activities_for_full_credit == 2
    assert ia.activities_for_full_credit_special_status == 1
    assert ia.mvp_activities_for_full_credit == 1
    assert 2 * ia.activity_points(None) == ia.full_credit_points
    assert ia.activity_points(None, special_status=True) == ia.full_credit_points
    assert ia.activity_points(None, mvp=True) == ia.full_credit_points


def test_ia_app_credit():
    assert year_pack(2020).ia.app_credit is None
    assert year_pack(2024).ia.app_credit == "full"
    assert year_pack(2024).ia.mips_apm_min_credit_percent == 50


# --------------------------------------------------------------------- PI

@pytest.mark.parametrize("year", ALL_YEARS)
def test_pi_model_by_year(year):
    pi = year_pack(year).pi
    assert pi.category_id == ("aci" if year == 2017 else "pi")
    assert pi.scoring_model == ("base-performance-bonus" if year <= 2018 else "points")
    prefix = pi.category_id.upper() + "_"
    for attestation in ("INFBLO_1", "ONCDIR_1"):
        assert prefix + attestation in pi.required_attestations
    if year >= 2019:
        assert "PI_PPHI_1" in pi.required_attestations
        assert "PI_EP_1" in pi.required_measures and "PI_PEA_1" in pi.required_measures
    assert ("PI_PPHI_2" in pi.required_attestations) == (year >= 2022)
    assert ("PI_EP_2" in pi.required_measures) == (year >= 2023)
    assert ("PI_EP_2" in pi.bonus_measures) == (2019 <= year <= 2022)
    assert ("PI_HIE_5" in pi.required_measures) == (year >= 2021)
    assert ("PI_HIE_6" in pi.required_measures) == (year >= 2023)
    assert ("PI_PHCDRR_6" in pi.registry_bonus_measures) == (year >= 2026)
    # SAFER Guides: reported yes or no 2022-2025, "yes" required from 2026 (cms-corrections A.3)
    assert ("PI_PPHI_2" in pi.yes_required) == (year >= 2026)
    assert pi.small_practice_auto_reweighting == (year >= 2022)


def test_pi_points():
    assert dict(year_pack(2019).pi.measure_points) == {
        "PI_EP_1": 10, "PI_HIE_1": 20, "PI_HIE_4": 20, "PI_PEA_1": 40}
    assert year_pack(2019).pi.bonus_measures == {"PI_EP_2": 5, "PI_EP_3": 5}
    assert year_pack(2020).pi.bonus_measures == {"PI_EP_2": 5}
    assert year_pack(2021).pi.bonus_measures["PI_EP_2"] == 10
    pi = year_pack(2024).pi
    assert dict(pi.measure_points) == {"PI_EP_1": 10, "PI_EP_2": 10, "PI_HIE_1": 15, "PI_HIE_4": 15,
                                       "PI_HIE_5": 30, "PI_HIE_6": 30, "PI_PEA_1": 25}
    objectives = {r.name: r for r in pi.requirements}
    assert objectives["public_health"].points == 25
    assert objectives["health_information_exchange"].options == (
        ("PI_HIE_1", "PI_HIE_4"), ("PI_HIE_5",), ("PI_HIE_6",))
    # 100 points available plus the 5-point bonus
    assert sum(r.points or 0 for r in pi.requirements) == 100
    assert pi.bonus_points_max == 5
    assert year_pack(2017).pi.requirements[-1].points == 50  # base score


@pytest.mark.parametrize("year", ALL_YEARS)
def test_pi_ids_exist_in_measures_data(measures_root, year):
    measures = _measures(measures_root, year)
    pi = year_pack(year).pi
    ids = set(pi.required_attestations) | set(pi.required_measures) | set(pi.bonus_measures) \
        | set(pi.measure_points)
    for excluded, receivers in pi.exclusion_redistribution.items():
        ids |= {r for r in receivers if r.startswith(("PI_", "ACI_"))}
        ids |= {excluded} if excluded.startswith(("PI_", "ACI_")) else set()
    ids |= set(pi.registry_bonus_measures)
    for measure_id, exclusions in pi.exclusion_links.items():
        ids |= {measure_id, *exclusions}
    for measure_id, levels in pi.active_engagement.items():
        ids |= {measure_id, *levels}
    missing = sorted(i for i in ids if i not in measures)
    assert not missing, f"{year}: not in measures data: {missing}"
    wrong_category = sorted(i for i in ids if measures[i]["category"] not in ("pi", "aci"))
    assert not wrong_category
    for measure_id in pi.required_attestations:
        assert measures[measure_id].get("isRequired") is True, measure_id


@pytest.mark.parametrize("year", range(2021, 2028))
def test_app_measure_sets_match_measures_data(measures_root, year):
    measures = _measures(measures_root, year)
    quality = year_pack(year).quality
    for program, ids in (("app1", quality.app_measure_ids), ("appPlus", quality.app_plus_measure_ids)):
        for measure_id in ids:
            assert program in measures[measure_id].get("allowedPrograms", []), (program, measure_id)
    assert quality.cahps_measure_id in quality.app_measure_ids


# ------------------------------------------------------------ cost / final

def test_cost():
    assert not year_pack(2017).cost.scored
    assert year_pack(2020).cost.reweighted_for_all and not year_pack(2020).cost.scored
    assert [year_pack(y).cost.weight for y in range(2017, 2027)] == [0, 10, 15, 15, 20, 30, 30, 30, 30, 30]
    assert year_pack(2026).cost.new_measure_informational_years == 2


def weights(*values):
    return CategoryWeights(*values)


def test_redistribution_confirmed_rows():
    py2020 = year_pack(2020)
    assert py2020.category_weights() == weights(55, 0, 15, 30)  # cost off for everyone
    assert py2020.category_weights({"pi"}) == weights(85, 0, 15, 0)
    assert py2020.category_weights({"quality"}) == weights(0, 0, 15, 85)
    assert py2020.category_weights({"ia"}) == weights(70, 0, 0, 30)
    assert year_pack(2019).category_weights({"cost"}) == weights(60, 0, 15, 25)
    for year in range(2022, 2028):
        pack = year_pack(year)
        assert pack.category_weights() == weights(30, 30, 15, 25)
        assert pack.category_weights({"cost"}) == weights(55, 0, 15, 30)
        assert pack.category_weights({"cost"}, small_practice=True) == weights(55, 0, 15, 30)
        assert pack.category_weights({"pi"}, small_practice=True) == weights(40, 30, 30, 0)
        assert pack.category_weights({"cost", "pi"}, small_practice=True) == weights(50, 0, 50, 0)
    py2024 = year_pack(2024)
    assert py2024.category_weights({"pi"}) == weights(55, 30, 15, 0)
    assert py2024.category_weights({"pi", "cost"}) == weights(85, 0, 15, 0)
    assert py2024.category_weights({"pi", "quality"}, small_practice=True) == weights(0, 50, 50, 0)
    assert py2024.category_weights({"pi", "cost", "ia"}) is None  # one category left
    with pytest.raises(ValueError):
        py2024.category_weights({"qualty"})


def test_final_score_parameters():
    assert year_pack(2021).final.app_weights is not None
    assert year_pack(2020).final.app_weights is None
    assert year_pack(2024).final.app_weights.ia == 20
    assert year_pack(2022).final.max_exceptional_adjustment_percent == 10
    assert year_pack(2023).final.max_exceptional_adjustment_percent is None
    assert year_pack(2018).final.small_practice_bonus_points == 5
    assert year_pack(2019).final.small_practice_bonus_points == 0
    assert year_pack(2024).final.min_scored_categories == 2


# ------------------------------------------- periods, identifiers, eligibility

def test_periods():
    assert not year_pack(2017).periods.quality_full_year_required
    assert year_pack(2017).periods.quality_min_days == 90
    assert year_pack(2018).periods.quality_full_year_required


@pytest.mark.parametrize("year, valid, invalid", [
    (2017, ["A014E01O3PE9EAH", "0015E1235689784", "0015H1235689784"], ["0015C1235689784"]),
    (2022, ["0015E1235689784", "0015C1235689784"], ["A014E01O3PE9EAH", "0015C123"]),
    (2024, ["0015C1235689784"], ["0015E1235689784", "2025C1234567890", "0015C12356897845"]),
    (2025, ["0015C1235689784", "2025C1234567890"], ["0015E1235689784", "2024C1234567890", ""]),
    (2027, ["0015C1235689784", "2025C1234567890"], ["0015H1235689784"]),
])
def test_cehrt_id_formats(year, valid, invalid):
    ids = year_pack(year).identifiers
    assert all(ids.is_valid_cehrt_id(v) for v in valid)
    assert not any(ids.is_valid_cehrt_id(v) for v in invalid)
    for example in ids.cehrt_id_formats:  # the documented shapes match the patterns
        assert ids.is_valid_cehrt_id(example.replace("X", "0")), example


def test_program_names_and_entities():
    names = {y: year_pack(y).identifiers.program_names for y in ALL_YEARS}
    assert names[2020] == ("mips",)
    assert names[2021] == names[2024] == ("mips", "app1")
    assert names[2025] == names[2027] == ("mips", "app1", "appPlus")
    assert [y for y in ALL_YEARS if year_pack(y).identifiers.mvp_program_names_allowed][0] == 2023
    entity = {y: year_pack(y).identifiers.entity_types for y in ALL_YEARS}
    assert "virtualGroup" not in entity[2017] and "virtualGroup" in entity[2018]
    assert "subgroup" not in entity[2022] and "subgroup" in entity[2023]
    assert all({"individual", "group", "apm"} <= set(e) for e in entity.values())
    assert year_pack(2025).identifiers.cehrt_id_required_for == ("pi", "quality_ecqm")
    assert year_pack(2024).identifiers.cehrt_id_required_for == ("pi",)


def test_eligibility():
    e2017, e2024 = year_pack(2017).eligibility, year_pack(2024).eligibility
    assert (e2017.low_volume_allowed_charges_usd, e2017.low_volume_beneficiaries,
            e2017.low_volume_covered_services) == (30000, 100, None)
    assert (e2024.low_volume_allowed_charges_usd, e2024.low_volume_beneficiaries,
            e2024.low_volume_covered_services) == (90000, 200, 200)
    assert e2024.claims_small_practice_only and e2024.small_practice_max_clinicians == 15
    assert year_pack(2022).eligibility.web_interface_min_clinicians == 25
    assert year_pack(2022).eligibility.web_interface_for_mips_groups
    assert not year_pack(2025).eligibility.web_interface_available


# ----------------------------------------------------- sources and flags

def _field_paths(pack) -> set[str]:
    paths = set()
    for section in ("quality", "ia", "pi", "cost", "final", "periods", "identifiers", "eligibility"):
        paths.add(section)
        raw = yeardata.year_entry(ALL_YEARS[0]).get(section, {})
        paths |= {f"{section}.{name}" for name in raw}
        paths |= {f"{section}.{f.name}" for f in dataclasses.fields(getattr(pack, section))}
    return paths


@pytest.mark.parametrize("year", ALL_YEARS)
def test_sources_and_flags_point_at_real_fields(year):
    pack = year_pack(year)
    known = _field_paths(pack)
    assert set(pack.sources) <= known, set(pack.sources) - known
    assert set(pack.unconfirmed) <= known, set(pack.unconfirmed) - known
    for keys in pack.sources.values():
        assert keys and all(re.match(r"^(W|MD|SD|SD@\S+|seed|CFR):", k) for k in keys)
    for section in ("quality", "ia", "pi", "cost", "final"):
        assert any(path.split(".")[0] == section for path in pack.sources), section
    assert pack.sources_for("quality.data_completeness_threshold_percent")
    assert pack.sources_for("ia.high_weight_points")  # falls back to the section's sources


def test_unconfirmed_flags_follow_the_rules_notes():
    assert year_pack(2018).is_unconfirmed("final.small_practice_bonus_points")
    assert all(year_pack(y).is_unconfirmed("final.complex_patient_bonus_cap") for y in (2018, 2019))
    assert not year_pack(2020).is_unconfirmed("final.complex_patient_bonus_cap")
    assert not year_pack(2021).is_unconfirmed("final.complex_patient_bonus_cap")
    assert year_pack(2019).is_unconfirmed("final.exceptional_performance_threshold")
    assert year_pack(2021).is_unconfirmed("quality.points_data_completeness_not_met_small_practice")
    assert not year_pack(2022).is_unconfirmed("quality.points_data_completeness_not_met_small_practice")
    assert year_pack(2026).is_unconfirmed("quality.data_completeness_threshold_percent")
    assert not year_pack(2025).is_unconfirmed("quality.data_completeness_threshold_percent")
    assert year_pack(2025).is_unconfirmed("ia.unweighted_activity_points")
    assert not year_pack(2024).is_unconfirmed("identifiers.cehrt_id_patterns")
    assert not year_pack(2024).is_unconfirmed("quality.topped_out_cap_points")


def test_2027_is_carried_forward_from_2026():
    py2026, py2027 = year_pack(2026), year_pack(2027)
    assert py2027.carried_forward_from == 2026 and py2026.carried_forward_from is None
    for section in ("quality", "ia", "pi", "cost", "final", "identifiers", "eligibility"):
        assert getattr(py2027, section) == getattr(py2026, section), section
    assert py2027.periods.start.year == 2027
    assert py2027.is_unconfirmed("final.performance_threshold")


def test_no_year_numbers_in_code_outside_the_data_files():
    year_number = re.compile(r"(?<!\d)20(1[7-9]|2[0-7])(?!\d)")
    offenders = []
    for path in sorted(PROGRAM_DIR.glob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if year_number.search(line):
                offenders.append(f"{path.name}:{number}: {line.strip()}")
    assert not offenders, offenders


def test_readme_lists_every_unconfirmed_value():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    listed = readme.split("## Values not yet confirmed", 1)[1].split("\n## ", 1)[0]
    missing = set()
    for year in ALL_YEARS:
        for path in year_pack(year).unconfirmed:
            section, name = path.split(".", 1)
            if f"`{path}`" not in listed and not re.search(rf"`{section}\.[^`]*`[^|]*`{name}`", listed):
                missing.add(path)
    assert not missing, f"unconfirmed values the README does not list: {sorted(missing)}"


def test_clinical_social_workers_are_reweighted_2022_to_2024():
    # cms-corrections A.21: automatic PI reweighting for clinical social workers, PY2022-PY2024.
    for year in ALL_YEARS:
        assert ("clinical_social_worker" in year_pack(year).pi.auto_reweighting_statuses) == (2022 <= year <= 2024)


def test_the_2018_topped_out_cap_is_no_longer_flagged():
    # cms-corrections A.10 confirms the 2018 cap (42 CFR 414.1380(b)(1)(iv)(A)).
    assert not year_pack(2018).is_unconfirmed("quality.topped_out_cap_points")
    assert year_pack(2018).sources_for("quality.topped_out_cap_points")
