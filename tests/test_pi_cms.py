"""Promoting Interoperability scored as CMS scores it: each test states the CMS value and where it is written.

"CFR" is 42 CFR part 414; the paragraphs are those named in each test.  The
exclusion ids come from CMS's measures data of the year.
"""

from __future__ import annotations

import itertools
import json

import pytest
from click.testing import CliRunner

from qppfiles.catalog import load_catalog
from qppfiles.cli import main
from qppfiles.formats.qppjson import read
from qppfiles.program import year_pack
from qppfiles.program.pi_exclusions import exclusions_by_measure
from qppfiles.scoring import score_submission

from .conftest import FIXTURES

FULL = {"numerator": 50, "denominator": 50}


def pi_submission(year, measurements, cehrt="0015C0000000001", start=None, end=None, category=None):
    pi = {"category": category or year_pack(year).pi.category_id, "submissionMethod": "registry",
          "programName": "mips", "measurements": [{"measureId": m, "value": v} for m, v in measurements]}
    if cehrt is not None:
        pi["cehrtId"] = cehrt
    pi["performanceStart"] = start or f"{year}-01-01"
    pi["performanceEnd"] = end or f"{year}-12-31"
    doc = {"entityType": "individual", "taxpayerIdentificationNumber": "000000000",
           "nationalProviderIdentifier": "0000000000", "performanceYear": year, "measurementSets": [pi]}
    return read(json.dumps(doc).encode()).submission


def pi_score(year, measurements, **kwargs):
    card = score_submission(pi_submission(year, measurements, **kwargs))
    return card.categories["pi"], card


def full_marks(year, options=None):
    """A PI set earning every point of the year (no bonus): attestations yes, every measure at 100%."""
    pack, catalog = year_pack(year), load_catalog(year)
    out = []
    for requirement in pack.pi.requirements:
        option = (options or {}).get(requirement.name, requirement.options[0])
        for mid in option:
            value = FULL if catalog.pi[mid].metric_type == "proportion" else True
            out.append((mid, value))
            levels = pack.pi.active_engagement.get(mid)
            if levels:
                out.append((levels[-1], True))
    return out


def excluded(year, measurements, *measure_ids):
    """``measurements`` with each of ``measure_ids`` replaced by its first exclusion answered yes."""
    pack, catalog = year_pack(year), load_catalog(year)
    links = exclusions_by_measure(pack.pi, catalog.pi)
    levels = {level for mid in measure_ids for level in pack.pi.active_engagement.get(mid, ())}
    kept = [(m, v) for m, v in measurements if m not in measure_ids and m not in levels]
    return kept + [(links[mid][0], True) for mid in measure_ids]


# -------------------------------------------------------- A.1 exclusions, category out of 100

def test_2019_hie_4_exclusions_are_honoured_and_their_20_points_move():
    # measures/2019 titles PI_LVITC_2 and PI_CUITC_1 "... Receiving and Incorporating Health Information
    # Exclusion" (exclusion field null); CFR 414.1380(b)(4)(ii)(A): the points are redistributed.
    for exclusion in ("PI_LVITC_2", "PI_CUITC_1"):
        measurements = [(m, v) for m, v in full_marks(2019) if m != "PI_HIE_4"] + [(exclusion, True)]
        pi, card = pi_score(2019, measurements)
        assert pi.score == 100.0, pi.reasons
        assert card.measure("PI_HIE_1").max_points == 40.0  # its own 20 + HIE_4's 20


def test_2019_2020_both_public_health_measures_excluded_send_10_points_to_pea():
    # measures/2019 and 2020 define PI_PHCDRR_x_EX_y; two registries excluded -> 10 points to PI_PEA_1
    # (cms-corrections A.1, as 2021).  PEA at 30/60 of 40 + 10 = 25 points; EP 10, HIE 20 + 20 -> 75.
    for year in (2019, 2020):
        measurements = [("PI_PPHI_1", True), ("PI_INFBLO_1", True), ("PI_ONCDIR_1", True),
                        ("PI_EP_1", FULL), ("PI_HIE_1", FULL), ("PI_HIE_4", FULL),
                        ("PI_PEA_1", {"numerator": 30, "denominator": 60}),
                        ("PI_PHCDRR_1_EX_1", True), ("PI_PHCDRR_2_EX_2", True)]
        pi, card = pi_score(year, measurements)
        assert card.measure("PI_PEA_1").max_points == 50.0
        assert pi.score == 75.0, pi.reasons
        # one registry reported and the other excluded: the objective's 10 points are earned
        one = measurements[:-1] + [("PI_PHCDRR_2", True)]
        assert pi_score(year, one)[0].score == 80.0


def test_2019_one_exclusion_alone_does_not_void_public_health():
    measurements = [(m, v) for m, v in full_marks(2019) if not m.startswith("PI_PHCDRR")]
    pi, _ = pi_score(2019, measurements + [("PI_PHCDRR_1_EX_1", True)])
    assert pi.score == 0.0  # one registry excluded, nothing reported: the objective is not met


def test_2023_hie_exclusion_keeps_the_points():
    # CFR 414.1380(b)(4)(ii)(A): an HIE exclusion (PI_LVOTC_1, PI_LVITC_2) redistributes, it does not drop.
    for year in (2023, 2024, 2025, 2026):
        for gone in (("PI_HIE_1",), ("PI_HIE_4",), ("PI_HIE_1", "PI_HIE_4")):
            pi, card = pi_score(year, excluded(year, full_marks(year), *gone))
            assert pi.score == 100.0, (year, gone, pi.reasons)
        pi, card = pi_score(2024, excluded(2024, full_marks(2024), "PI_HIE_1", "PI_HIE_4"))
        assert card.measure("PI_PEA_1").max_points == 55.0  # 25 + 15 + 15


def test_2023_e_prescribing_and_pdmp_excluded_send_their_points_to_hie_not_to_each_other():
    # PDMP's exclusion sends its 10 points to e-Prescribing; when e-Prescribing is excluded too they must not be
    # lost in the excluded measure: the 20 points go to the HIE objective (cms-corrections A.1).
    both = excluded(2024, full_marks(2024), "PI_EP_1", "PI_EP_2")
    pi, card = pi_score(2024, both)
    assert pi.score == 100.0, pi.reasons
    assert card.measure("PI_HIE_1").max_points == 25.0 and card.measure("PI_HIE_4").max_points == 25.0
    # the same with the bi-directional exchange option: HIE_5 carries 30 + 20
    hie5 = excluded(2024, full_marks(2024, {"health_information_exchange": ("PI_HIE_5",)}), "PI_EP_1", "PI_EP_2")
    pi, card = pi_score(2024, hie5)
    assert pi.score == 100.0 and card.measure("PI_HIE_5").max_points == 50.0
    # PDMP excluded alone: its 10 points go to e-Prescribing (20 points at 50/50)
    pi, card = pi_score(2024, excluded(2024, full_marks(2024), "PI_EP_2"))
    assert pi.score == 100.0 and card.measure("PI_EP_1").max_points == 20.0


@pytest.mark.parametrize("year", range(2019, 2028))
def test_the_category_is_out_of_100_whatever_is_excluded(year):
    # CFR 414.1380(b)(4)(ii)(A): every exclusion's points are redistributed, so full performance is 100 points
    # under every combination of exclusions the year defines.
    pack = year_pack(year)
    links = exclusions_by_measure(pack.pi, load_catalog(year).pi)
    hie_options = {r.name: r.options for r in pack.pi.requirements}["health_information_exchange"]
    for hie in hie_options:
        base = full_marks(year, {"health_information_exchange": hie})
        excludable = [m for m, _ in base if m in links]
        assert excludable, year
        for n in range(1, len(excludable) + 1):
            for gone in itertools.combinations(excludable, n):
                pi, _ = pi_score(year, excluded(year, base, *gone))
                assert pi.score == 100.0, (year, hie, gone, pi.reasons)


# -------------------------------------------------------- A.2 2017 ACI base score

ACI_2017 = [("ACI_INFBLO_1", True), ("ACI_ONCDIR_1", True), ("ACI_PPHI_1", True),
            ("ACI_PEA_1", {"numerator": 10, "denominator": 100}), ("ACI_HIE_2", {"numerator": 10, "denominator": 100})]


def test_2017_aci_base_score_is_earned_with_exclusions():
    # CFR 414.1380(b)(4)(i)(A) (2017 text): a numerator and denominator, a yes/no statement, "or an exclusion"
    # for each base measure.  ACI_LVPP_1 and ACI_LVOTC_1 exclude e-Prescribing and Send a Summary of Care.
    pi, _ = pi_score(2017, ACI_2017 + [("ACI_LVPP_1", True), ("ACI_LVOTC_1", True)])
    assert "base score 50" in pi.reasons
    # base 50 + performance: PEA 10% -> 1, HIE_2 10% -> 1
    assert pi.score == 52.0
    with_lvitc = [m for m in ACI_2017 if m[0] != "ACI_HIE_2"] + [
        ("ACI_EP_1", FULL), ("ACI_HIE_1", FULL), ("ACI_LVITC_1", True)]
    assert "base score 50" in pi_score(2017, with_lvitc)[0].reasons
    # without the exclusion the base (and the category) is 0
    assert pi_score(2017, ACI_2017 + [("ACI_LVPP_1", True)])[0].score == 0.0


# -------------------------------------------------------- A.3 SAFER Guides

def test_safer_guides_no_is_accepted_2022_to_2025_and_yes_is_required_from_2026():
    # measures/2022-2025: PI_PPHI_2 must be reported, yes or no, not scored; measures/2026 re-specifies it and
    # requires "yes" (cms-corrections A.3).
    for year in (2022, 2023, 2024, 2025):
        answered_no = [(m, False if m == "PI_PPHI_2" else v) for m, v in full_marks(year)]
        assert pi_score(year, answered_no)[0].score == 100.0, year
        missing = [(m, v) for m, v in full_marks(year) if m != "PI_PPHI_2"]
        assert pi_score(year, missing)[0].score == 0.0, year
    answered_no = [(m, False if m == "PI_PPHI_2" else v) for m, v in full_marks(2026)]
    pi, _ = pi_score(2026, answered_no)
    assert pi.score == 0.0 and "PI_PPHI_2" in pi.reasons[0]


def test_safer_guides_no_validates_clean_in_2024_and_is_an_error_in_2026(tmp_path):
    doc = json.loads((FIXTURES / "invalid" / "rules" / "P101-no-safer-guides-2024.json").read_text())
    doc["measurements"].append({"measureId": "PI_PPHI_2", "value": False})
    path = tmp_path / "safer-no-2024.json"
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["files"][0]["valid"] is True
    no_guides = FIXTURES / "invalid" / "rules" / "P102-safer-guides-no-2026.json"
    result = CliRunner().invoke(main, ["validate", str(no_guides), "--format", "json"])
    assert result.exit_code == 1
    assert [f["code"] for f in json.loads(result.output)["files"][0]["findings"]] == ["P102"]


# -------------------------------------------------------- A.4 registry bonus 5 in total

@pytest.mark.parametrize("year, registries", [
    (2017, ("ACI_PHCDRR_2", "ACI_PHCDRR_3", "ACI_PHCDRR_4")),
    (2018, ("PI_PHCDRR_1_MULTI", "PI_PHCDRR_2_MULTI", "PI_PHCDRR_4_MULTI")),
    (2022, ("PI_PHCDRR_2", "PI_PHCDRR_4", "PI_PHCDRR_5")),
])
def test_registry_bonus_is_5_in_total(year, registries):
    # CFR 414.1380(b)(4)(i)(C)(1) (2017-2018): "a bonus score of 5 percentage points for reporting to one or
    # more additional public health agencies or clinical data registries"; 2022 likewise.
    if year <= 2018:
        measurements = ACI_2017 if year == 2017 else [(m.replace("ACI_", "PI_"), v) for m, v in ACI_2017]
        prefix = "ACI_" if year == 2017 else "PI_"
        measurements = measurements + [(prefix + "EP_1", {"numerator": 10, "denominator": 100}),
                                       (prefix + "HIE_1", {"numerator": 10, "denominator": 100})]
        cehrt = "0015H0000000001"  # hybrid edition: no 2015 Edition bonus
    else:
        measurements, cehrt = full_marks(year), "0015C0000000001"
    without = pi_score(year, measurements, cehrt=cehrt)[0].score
    one = pi_score(year, measurements + [(registries[0], True)], cehrt=cehrt)[0].score
    three = pi_score(year, measurements + [(r, True) for r in registries], cehrt=cehrt)[0].score
    if year == 2022:
        assert without == 100.0 and one == three == 100.0  # capped
        half = [(m, {"numerator": 25, "denominator": 50} if isinstance(v, dict) else v) for m, v in measurements]
        without, one = pi_score(year, half)[0].score, pi_score(year, half + [(registries[0], True)])[0].score
        three = pi_score(year, half + [(r, True) for r in registries])[0].score
    assert one == without + 5
    assert three == one


# -------------------------------------------------------- A.5 2018 registries and 2015 Edition bonus

PI_2018 = [("PI_INFBLO_1", True), ("PI_ONCDIR_1", True), ("PI_PPHI_1", True),
           ("PI_EP_1", {"numerator": 1, "denominator": 10}), ("PI_PEA_1", {"numerator": 1, "denominator": 10}),
           ("PI_HIE_1", {"numerator": 1, "denominator": 10}),
           ("PI_HIE_2", {"numerator": 1, "denominator": 10})]


def test_2018_each_registry_measure_earns_10_performance_points_and_multi_is_the_bonus():
    # measures/2018: PI_PHCDRR_2..5 weight 10 (performance), the _MULTI variants weight 5 (isBonus).
    base = pi_score(2018, PI_2018, cehrt="0015H0000000001")[0].score
    assert base == 50 + 1 + 1 + 1  # base 50; PEA, HIE_1, HIE_2 at 10% -> 1 each
    two = pi_score(2018, PI_2018 + [("PI_PHCDRR_2", True), ("PI_PHCDRR_4", True)], cehrt="0015H0000000001")
    assert two[0].score == base + 20
    assert two[1].measure("PI_PHCDRR_4").points == 10.0
    multi = pi_score(2018, PI_2018 + [("PI_PHCDRR_2_MULTI", True)], cehrt="0015H0000000001")[0].score
    assert multi == base + 5


def test_2018_bonus_for_data_solely_from_2015_edition_cehrt():
    # CFR 414.1380(b)(4)(i)(C)(3): +10 for data solely from 2015 Edition CEHRT (2018).  The CMS EHR
    # Certification ID says the edition in characters 3-5: 15E is 2015 Edition only, 15H a 2014/2015 mix.
    hybrid = pi_score(2018, PI_2018, cehrt="0015H0000000001")[0]
    only_2015 = pi_score(2018, PI_2018, cehrt="0015E0000000001")[0]
    assert only_2015.score == hybrid.score + 10
    assert any("2015 Edition" in r for r in only_2015.reasons)
    # the user can state it when the ID does not tell
    sub = pi_submission(2018, PI_2018, cehrt="0015H0000000001")
    assert score_submission(sub, cehrt_2015_only=True).categories["pi"].score == hybrid.score + 10
    # not in 2019 (the bonus ended)
    assert year_pack(2019).pi.cehrt_2015_only_bonus_points is None


def test_score_cli_takes_the_2015_edition_statement(tmp_path):
    doc = {"entityType": "individual", "taxpayerIdentificationNumber": "000000000",
           "nationalProviderIdentifier": "0000000000", "performanceYear": 2018,
           "measurementSets": [{"category": "pi", "submissionMethod": "registry", "programName": "mips",
                                "cehrtId": "0015H0000000001", "performanceStart": "2018-01-01",
                                "performanceEnd": "2018-12-31",
                                "measurements": [{"measureId": m, "value": v} for m, v in PI_2018]}]}
    path = tmp_path / "pi-2018.json"
    path.write_text(json.dumps(doc))
    plain = CliRunner().invoke(main, ["score", str(path), "--format", "json"])
    stated = CliRunner().invoke(main, ["score", str(path), "--format", "json", "--cehrt-2015-only"])
    assert plain.exit_code == 0 and stated.exit_code == 0, stated.output
    assert json.loads(stated.output)["categories"]["pi"]["score"] == \
        json.loads(plain.output)["categories"]["pi"]["score"] + 10


# -------------------------------------------------------- A.6 active engagement

def test_2023_public_health_without_its_engagement_level_is_not_credited():
    # measures/2023+: PI_PHCDRR_x_PRE / _PROD are isRequired; the registry measure counts only with one.
    full = full_marks(2024)
    assert pi_score(2024, full)[0].score == 100.0
    no_level = [(m, v) for m, v in full if m != "PI_PHCDRR_1_PROD"]
    pi, _ = pi_score(2024, no_level)
    assert pi.score == 0.0 and "PI_PHCDRR_1" in pi.reasons[0]
    # a bonus registry without its level earns no bonus
    half = [(m, {"numerator": 25, "denominator": 50} if isinstance(v, dict) else v) for m, v in full]
    plain = pi_score(2024, half)[0].score
    assert pi_score(2024, half + [("PI_PHCDRR_2", True)])[0].score == plain
    assert pi_score(2024, half + [("PI_PHCDRR_2", True), ("PI_PHCDRR_2_PRE", True)])[0].score == plain + 5


def test_missing_engagement_level_is_a_finding_through_the_cli():
    path = FIXTURES / "invalid" / "rules" / "P110-immunization-without-engagement-level-2024.json"
    result = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 1
    findings = json.loads(result.output)["files"][0]["findings"]
    assert [(f["code"], f["measureId"]) for f in findings] == [("P110", "PI_PHCDRR_1")]


# -------------------------------------------------------- A.7 no credit without CEHRT ID or period

def test_no_pi_credit_without_a_cehrt_id():
    # The PI category needs a CEHRT ID (QPP JSON measurementSets.cehrtId; validation P105).
    pi, _ = pi_score(2024, full_marks(2024), cehrt=None)
    assert pi.score == 0.0 and "CEHRT ID" in pi.reasons[0]


@pytest.mark.parametrize("year, start, end, days, minimum", [
    (2023, "2023-10-03", "2023-12-31", 90, None),
    (2023, "2023-10-04", "2023-12-31", 89, 90),
    (2024, "2024-07-05", "2024-12-31", 180, None),
    (2024, "2024-07-06", "2024-12-31", 179, 180),
])
def test_no_pi_credit_below_the_minimum_period(year, start, end, days, minimum):
    # 90 continuous days to 2023, 180 from 2024 (validation Y104).
    pi, _ = pi_score(year, full_marks(year), start=start, end=end)
    if minimum is None:
        assert pi.score == 100.0
    else:
        assert pi.score == 0.0 and f"is {days} days" in pi.reasons[0] and f"at least {minimum}" in pi.reasons[0]


def test_score_and_validate_agree_on_the_cehrt_and_period_fixtures():
    for name, code in (("P105-no-cehrt-id.json", "P105"), ("Y104-pi-92-days-in-2024.json", "Y104")):
        path = FIXTURES / "invalid" / "rules" / name
        validated = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
        assert code in {f["code"] for f in json.loads(validated.output)["files"][0]["findings"]}
        scored = CliRunner().invoke(main, ["score", str(path), "--format", "json"])
        assert json.loads(scored.output)["categories"]["pi"]["score"] == 0.0, name


# -------------------------------------------------------- A.8 minimum of 1 point

def test_proportion_measure_with_a_numerator_earns_at_least_1_point():
    # CMS scoring engine output (qpp-submissions-docs scoring-example-output-aci.json): mipsMinimumScore 1 on
    # each proportion measure.  EP at 1/1000 of 10 points rounds to 0; CMS gives 1.
    tiny = [(m, {"numerator": 1, "denominator": 1000} if m == "PI_EP_1" else v) for m, v in full_marks(2024)]
    pi, card = pi_score(2024, tiny)
    assert card.measure("PI_EP_1").points == 1.0
    assert pi.score == 91.0


def test_2019_exclusions_validate_clean_and_score_as_claimed(tmp_path):
    # Validation and scoring read the same exclusion links: a 2019 file claiming PI_LVITC_2 for PI_HIE_4 and the
    # two public health exclusions is complete (no P101) and its PI score keeps 100 points available.
    doc = json.loads((FIXTURES / "2019" / "individual-traditional.json").read_text())
    pi = next(s for s in doc["measurementSets"] if s["category"] == "pi")
    pi["measurements"] = [m for m in pi["measurements"]
                          if m["measureId"] not in ("PI_HIE_4", "PI_PHCDRR_1", "PI_PHCDRR_2")]
    pi["measurements"] += [{"measureId": "PI_LVITC_2", "value": True}, {"measureId": "PI_PHCDRR_1_EX_1", "value": True},
                           {"measureId": "PI_PHCDRR_2_EX_3", "value": True}]
    path = tmp_path / "exclusions-2019.json"
    path.write_text(json.dumps(doc))
    validated = CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
    assert validated.exit_code == 0, validated.output
    card = json.loads(CliRunner().invoke(main, ["score", str(path), "--format", "json"]).output)
    by_id = {m["measureId"]: m for m in card["measures"] if m["category"] == "pi"}
    assert by_id["PI_HIE_1"]["maxPoints"] == 40 and by_id["PI_PEA_1"]["maxPoints"] == 50
    # the same exclusion next to its measure is refused (P103), as CMS's Submissions API does
    pi["measurements"].append({"measureId": "PI_HIE_4", "value": {"numerator": 5, "denominator": 10}})
    path.write_text(json.dumps(doc))
    codes = [f["code"] for f in json.loads(CliRunner().invoke(main, ["validate", str(path), "--format", "json"])
                                          .output)["files"][0]["findings"]]
    assert "P103" in codes
