"""The score estimate as CMS computes it: one test (or more) per quality, MVP, APP and final-score fact.

Each test names the CMS value and the paragraph (42 CFR part 414 subpart O, or the CMS scoring
engine) it follows.
"""

from __future__ import annotations

import pytest

from qppfiles.program import year_pack
from qppfiles.scoring import score_submission
from qppfiles.scoring.suggest import suggestions

from .test_scoring import rate
from .test_scoring import submission


@pytest.fixture()
def cli_runner():
    from click.testing import CliRunner

    from qppfiles.cli import main

    runner = CliRunner()

    def run(*args):
        result = runner.invoke(main, [str(a) for a in args])
        assert result.exit_code == 0, result.output
        return result
    return run


# ---------------------------------------------------------------- rates and caps

def test_rate_is_rounded_to_two_decimals_before_decile_scoring_cms_engine_047():
    """CMS engine (qpp-submissions-docs guides data.ts): 047 at 120/156 scores with rate 76.92 -> 5.3676
    (the unrounded 76.923 would give 5.3679)."""
    m = score_submission(submission(2022, quality=[("047", rate(120, 36, 156))])).measure("047")
    assert m.performance_rate == 76.92
    assert m.points == 5.3676


def test_2018_cap_names_six_measures_414_1380_b_1_iv_A():
    """§414.1380(b)(1)(iv)(A) (2020 payment year): 021, 023, 052, 224, 262, 359 earn at most 7 points in 2018,
    although the 2018 benchmark file flags none of them."""
    assert year_pack(2018).quality.topped_out_capped_measure_ids == ("021", "023", "052", "224", "262", "359")
    card = score_submission(submission(2018, quality=[("021", rate(60, 0, 60)), ("001", rate(0, 60, 60))]))
    capped = card.measure("021")
    assert capped.points == 7.0 and capped.capped_at == 7.0
    assert capped.to_dict()["cappedAt"] == 7.0
    assert card.measure("001").capped_at is None and "cappedAt" not in card.measure("001").to_dict()
    # 2019 goes back to the benchmark's isToppedOutByProgram flag
    assert year_pack(2019).quality.topped_out_capped_measure_ids is None


def test_suggestion_for_a_capped_measure_reads_the_cap_flag_not_the_wording():
    card = score_submission(submission(2024, quality=[("005", rate(60, 0, 60))]))
    m = card.measure("005")
    assert m.capped_at == 7.0 and m.points == 7.0
    tip = next(s for s in card.suggestions if s.measure_id == "005")
    assert tip.text.startswith("measure 005 is topped out and capped at 7")
    # The advice does not depend on how the reason is worded.
    m.reason = "seven points"
    results = [_result_of(card, "005")]
    again = suggestions(card, results, year_pack(2024), slots=6, denominator=60, chosen=results)
    assert any(s.text.startswith("measure 005 is topped out") for s in again)


def _result_of(card, measure_id):
    from qppfiles.scoring.quality import QualityResult

    score = card.measure(measure_id)
    return QualityResult(score, data_completeness_met=True, case_minimum_met=True)


# ---------------------------------------------------------------- final score and payment

def test_2020_complex_patient_bonus_cap_is_10_414_1380_c_3_iv():
    """§414.1380(c)(3)(iv): the 2020 complex patient bonus (2022 payment year) is doubled, capped at 10."""
    from qppfiles.scoring import score_points

    card = score_points(2020, quality_score=50, ia_score=100, pi_score=50, complex_bonus=12)
    assert year_pack(2020).final.complex_patient_bonus_cap == 10
    assert card.final_score == pytest.approx(0.55 * 50 + 15 + 0.30 * 50 + 10)
    assert any("capped at 10" in r for r in card.reasons)


def test_2019_no_quality_redistribution_is_0_15_40_45_414_1380_c_2_ii_C():
    """§414.1380(c)(2)(ii)(C) (2021 payment year): without quality, cost 15 / IA 40 / PI 45."""
    from qppfiles.scoring import weights_for

    weights, _ = weights_for(year_pack(2019), ["quality"])
    assert weights == {"quality": 0, "cost": 15, "ia": 40, "pi": 45}


@pytest.mark.parametrize("score, value", [
    (37.5, -4.5),      # -9 x (75 - 37.5) / 75
    (60.0, -1.8),      # -9 x 15 / 75
    (18.75, -9.0),     # at a quarter of the threshold: the full -9
])
def test_negative_adjustment_is_one_value_414_1405_b_2(score, value):
    """§414.1405(b)(2): below the threshold, -max x (PT - FS) / PT; at or below PT/4, -max. One value."""
    from qppfiles.scoring import adjustment

    adj = adjustment(score, year_pack(2024))
    assert adj.min == adj.max == value


def test_positive_adjustment_stays_a_range_414_1405_b_3():
    """Above the threshold the budget-neutrality scaling factor is unknown before CMS publishes it."""
    from qppfiles.scoring import adjustment

    adj = adjustment(87.5, year_pack(2024))
    assert adj.min == 0 and adj.max == pytest.approx(13.5)


# ---------------------------------------------------------------- quality category

def _ids(card):
    return {m.measure_id: m for m in card.measures if m.category == "quality"}


def test_improvement_score_needs_full_participation_414_1380_b_1_vi_C_5():
    """§414.1380(b)(1)(vi)(C)(5) and (F): without every required measure submitted and meeting data
    completeness, the improvement percent score is 0."""
    ids = ["001", "236", "047", "130", "134", "317"]
    full = [(i, rate(40, 10, 55)) for i in ids]
    with_prior = score_submission(submission(2024, quality=full), prior_quality=30)
    without = score_submission(submission(2024, quality=full))
    assert with_prior.categories["quality"].score > without.categories["quality"].score
    short = full[:5] + [("317", rate(10, 10, 55))]          # 20 of 55 reported: data completeness not met
    a = score_submission(submission(2024, quality=short), prior_quality=30)
    b = score_submission(submission(2024, quality=short))
    assert a.categories["quality"].score == b.categories["quality"].score
    assert any(r.startswith("improvement score 0") for r in a.categories["quality"].reasons)


def test_no_end_to_end_bonus_for_claims_414_1380_b_1_v_B():
    """§414.1380(b)(1)(v)(B): end-to-end electronic reporting bonus never goes to claims measures."""
    q = [("236", rate(40, 10, 55, e2e=True)), ("047", rate(40, 10, 55, e2e=True))]
    registry = score_submission(submission(2019, quality=q, method="registry"))
    claims = score_submission(submission(2019, quality=q, method="claims"))
    assert any("end-to-end" in n for n in registry.measure("047").notes)
    assert not any("end-to-end" in n for m in claims.measures for n in m.notes)
    # 047 (high priority) still earns its +1 on claims; 236 is the required outcome measure.
    assert claims.categories["quality"].bonus == 1
    assert registry.categories["quality"].bonus == 1 + 2


def test_inverse_measure_at_0_percent_earns_bonuses_cms_engine_2017_192():
    """CMS engine PY2017 example: measure 192 (inverse) at 0% gets the outcome bonus (+2) and the end-to-end
    bonus (+1)."""
    q = [("236", rate(95, 5, 100)), ("192", rate(0, 40, 40, e2e=True))]   # both 10 points; 236 is required
    card = score_submission(submission(2017, quality=q))
    notes = card.measure("192").notes
    assert "+2 outcome/patient experience bonus" in notes and "+1 end-to-end bonus" in notes


def test_required_outcome_measure_is_one_that_counts_cms_engine():
    """The required outcome/high-priority measure (which earns no bonus) is never one that failed data
    completeness: the complete outcome measure keeps the requirement, the other outcome earns nothing."""
    # 236: 15 of 55 reported, below 60%: 3 points for a small practice; 001 at 91% (inverse): the 3-point floor.
    # Both score 3 and 236 comes first, but it cannot be the required measure.
    q = [("236", rate(10, 5, 55)), ("001", rate(50, 5, 55))]
    card = score_submission(submission(2019, quality=q), small_practice=True)
    assert card.measure("236").points == card.measure("001").points == 3
    assert "satisfies the outcome/high-priority requirement: no bonus for it" in card.measure("001").notes
    assert not any("requirement" in n for n in card.measure("236").notes)
    assert not any(r.startswith("measure bonus points") for r in card.categories["quality"].reasons)


# ---------------------------------------------------------------- measures CMS computes, Web Interface

def _quality_reason(card, prefix):
    return next((r for r in card.categories["quality"].reasons if r.startswith(prefix)), None)


def test_readmission_measure_adds_10_to_the_denominator_when_given_414_1380_b_1_vii():
    """Readmission (479 from 2021): groups of 16+ clinicians meeting 200 cases add 10 points to the quality
    denominator; CMS computes it from claims, so its points are an option and the estimate says so."""
    ids = ["001", "236", "047", "130", "134", "317"]
    sub = submission(2024, quality=[(i, rate(40, 10, 55)) for i in ids], entity="group")
    plain = score_submission(sub)
    given = score_submission(sub, cms_measures={"479": 6.0})
    points = sum(m.points for m in plain.measures if m.category == "quality" and m.picked)
    assert plain.categories["quality"].score == pytest.approx(100 * points / 60, abs=1e-4)
    assert given.categories["quality"].score == pytest.approx(100 * (points + 6) / 70, abs=1e-4)
    assert any(a.startswith("readmission measure 479 not given") for a in plain.assumptions)
    assert any(a.startswith("readmission measure 479: 6 points as given") for a in given.assumptions)
    assert given.to_dict()["assumptions"] == given.assumptions


@pytest.mark.parametrize("others, denominator", [(5, 50), (6, 60)])
def test_cahps_sampling_shortfall_414_1380_b_1_vii_B(others, denominator):
    """§414.1380(b)(1)(vii)(B): a CAHPS sampling shortfall takes 10 points off the denominator of a group
    with 5 or fewer other measures."""
    ids = ["001", "236", "047", "130", "134", "317"][:others]
    sub = submission(2024, quality=[(i, rate(40, 10, 55)) for i in ids], entity="group")
    card = score_submission(sub, cahps_shortfall=True)
    points = sum(m.points for m in card.measures if m.category == "quality" and m.picked)
    assert card.categories["quality"].score == pytest.approx(100 * points / denominator, abs=1e-4)
    assert any(a.startswith("CAHPS sampling shortfall") for a in card.assumptions)


def test_web_interface_specifics_cms_2017_2024():
    """Web Interface: a measure failing data completeness scores 0 (not the year's 1 point), a measure
    without a benchmark leaves the numerator and the denominator, every other measure counts."""
    q = [("112", rate(85, 15, 100)), ("236", rate(70, 30, 100)), ("110", rate(60, 20, 80)),
         ("113", rate(20, 10, 100))]                          # 113: 30 of 100 reported, below 60%
    card = score_submission(submission(2019, quality=q, method="cmsWebInterface", entity="group"))
    assert card.measure("113").points == 0 and card.measure("113").picked
    assert "left out of the numerator and the denominator" in card.measure("110").reason
    assert not card.measure("110").picked
    assert _quality_reason(card, "Web Interface") == "Web Interface: every reported measure counts, denominator 30"
    points = card.measure("112").points + card.measure("236").points
    assert card.categories["quality"].score == pytest.approx(100 * points / 30, abs=1e-4)


# ---------------------------------------------------------------- MVP and APP

def test_mvp_population_health_measure_is_an_option_414_1365_c_4_ii(cli_runner, fixtures_dir):
    """§414.1365(c)(4)(ii), (d)(3)(i)(A): the MVP population-health measure counts (denominator 50) when CMS
    scores it; it leaves the denominator otherwise (40). The estimate says which it assumed."""
    import json

    path = fixtures_dir / "2024" / "subgroup-mvp.json"
    without = json.loads(cli_runner("score", path, "--format", "json").output)
    given = json.loads(cli_runner("score", path, "--format", "json", "--cms-measure", "479=5").output)
    assert "MVP reporting: 4 measures, denominator 40" in without["categories"]["quality"]["reasons"]
    assert "MVP reporting: 4 measures, denominator 50" in given["categories"]["quality"]["reasons"]
    assert any(x["text"].startswith("MVP population-health measure (479, 484) not given")
               for x in without["assumptions"])
    assert any(x["text"].startswith("MVP population-health measure 479: 5 points as given")
               for x in given["assumptions"])
    text = cli_runner("score", path, "--cms-measure", "479=5").output
    assert "what the estimate assumed:" in text and "population-health measure 479" in text


def test_app_measures_cms_computes_leave_the_denominator_unless_given_414_1367_c_1_i(cli_runner, fixtures_dir):
    """§414.1367(c)(1)(i): an APP measure without a benchmark or the case minimum -- CAHPS 321 and 479 when
    not given -- leaves the numerator and the denominator."""
    import json

    path = fixtures_dir / "2025" / "apm-entity-app-plus.json"
    without = json.loads(cli_runner("score", path, "--format", "json").output)
    given = json.loads(cli_runner("score", path, "--format", "json", "--cms-measure", "321=8",
                                  "--cms-measure", "479=7").output)
    assert _reason(without, "4 measures counted").endswith("of 40 points")
    assert _reason(given, "6 measures counted").endswith("of 60 points")
    assert any("321, 479 computed by CMS not given" in a for a in (x["text"] for x in without["assumptions"]))


def _reason(data, prefix):
    return next(r for r in data["categories"]["quality"]["reasons"] if r.startswith(prefix))


def test_app_has_no_topped_out_cap_414_1367_c_1_ii():
    """§414.1367(c)(1)(ii): under the APP a topped-out measure is not capped at 7 points."""
    from qppfiles.catalog import load_catalog
    from qppfiles.model.measure_math import topped_out_cap
    from qppfiles.scoring.quality import achievement

    pack, bench = year_pack(2024), load_catalog(2024).benchmark("005", "registry")
    assert bench.is_topped_out_by_program
    assert topped_out_cap(pack.quality, bench, "005", "registry") == 7
    assert topped_out_cap(pack.quality, bench, "005", "registry", app=True) is None
    assert topped_out_cap(pack.quality, bench, "005", "cmsWebInterface") is None   # Web Interface: no cap either
    assert achievement(100.0, bench, None, pack)[0] == 7
    assert achievement(100.0, bench, None, pack, app=True)[0] == 10


@pytest.mark.parametrize("reweighted, expected", [
    ("pi", {"quality": 75, "cost": 0, "ia": 25, "pi": 0}),
    ("quality", {"quality": 0, "cost": 0, "ia": 25, "pi": 75}),
])
def test_app_reweighting_75_25_414_1367_d_2(reweighted, expected):
    """§414.1367(d)(2): under the APP, PI reweighted -> quality 75% / IA 25%; quality reweighted -> PI 75% /
    IA 25%."""
    from qppfiles.scoring import weights_for

    weights, _ = weights_for(year_pack(2024), [reweighted], app=True)
    assert weights == expected


def test_complex_organization_adjustment_2025_414_1380_b_1_vii_C():
    """§414.1380(b)(1)(vii)(C), from 2025: an APM entity or a virtual group gets 1 point per submitted eCQM
    meeting data completeness and the case minimum, capped at 10% of the available points."""
    q = [(i, rate(40, 10, 55)) for i in ("001", "236", "134")] + [("130", rate(10, 5, 55))]  # 130 incomplete
    for entity, points in (("virtualGroup", 3), ("apm", 3), ("group", 0), ("individual", 0)):
        card = score_submission(submission(2025, quality=q, method="electronicHealthRecord", entity=entity))
        note = _quality_reason(card, "complex organization adjustment")
        assert (note is not None) == bool(points), entity
        if points:
            assert note.startswith("complex organization adjustment: 3 eCQMs") and note.endswith("+3 points")
    # not before 2025
    card = score_submission(submission(2024, quality=q, method="electronicHealthRecord", entity="virtualGroup"))
    assert _quality_reason(card, "complex organization adjustment") is None
    # capped at 10% of a 60-point denominator: 6
    many = [(i, rate(40, 10, 55)) for i in ("001", "005", "007", "008", "012", "019", "065", "112")]
    card = score_submission(submission(2025, quality=many, method="electronicHealthRecord", entity="virtualGroup"))
    assert _quality_reason(card, "complex organization adjustment").endswith("+6 points (capped at 6)")


@pytest.mark.parametrize("bad", ["479", "479=11", "=5", "479=nan"])
def test_cms_measure_option_rejects_what_is_not_id_equals_points(bad, fixtures_dir):
    from click.testing import CliRunner

    from qppfiles.cli import main

    result = CliRunner().invoke(main, ["score", str(fixtures_dir / "2024" / "subgroup-mvp.json"), "--cms-measure", bad])
    assert result.exit_code == 2 and "expected ID=POINTS" in result.output


# ---------------------------------------------------------------- suppressed measures

def test_suppressed_measure_leaves_numerator_and_denominator_414_1380_b_1_vii_A():
    """§414.1380(b)(1)(vii)(A): a suppressed measure (benchmark exclusion reason BR-022, e.g. 389 registry in
    2024) leaves the numerator and the denominator: it never scores 0 in a 60-point denominator."""
    from qppfiles.catalog import load_catalog

    assert load_catalog(2024).benchmark_exclusion("389", "registry") == ("BR-022",)
    ids = ["001", "236", "047", "130", "134", "389"]
    card = score_submission(submission(2024, quality=[(i, rate(40, 10, 55)) for i in ids]))
    m = card.measure("389")
    assert not m.picked and "suppressed for registry in 2024 (CMS benchmark exclusion BR-022)" in m.reason
    points = sum(x.points for x in card.measures if x.category == "quality" and x.picked)
    assert card.categories["quality"].score == pytest.approx(100 * points / 50, abs=1e-4)
    assert any(p.startswith("quality 389: measure 389 is suppressed") for p in card.not_scored)
    # with a seventh measure the six others fill the 60 points
    more = score_submission(submission(2024, quality=[(i, rate(40, 10, 55)) for i in ids + ["317"]]))
    points = sum(x.points for x in more.measures if x.category == "quality" and x.picked)
    assert more.categories["quality"].score == pytest.approx(100 * points / 60, abs=1e-4)


def test_suppressed_measure_check_says_it_leaves_the_denominator():
    import json as _json

    from qppfiles.pipeline.validate import validate_bytes

    doc = {"entityType": "individual", "taxpayerIdentificationNumber": "000000000",
           "nationalProviderIdentifier": "0000000000", "performanceYear": 2024,
           "measurementSets": [{"category": "quality", "submissionMethod": "registry", "programName": "mips",
                                "performanceStart": "2024-01-01", "performanceEnd": "2024-12-31",
                                "measurements": [{"measureId": "389", "value": rate(40, 10, 55)}]}]}
    report = validate_bytes(_json.dumps(doc).encode())
    [hit] = [f for f in report.findings if f.code == "Q105"]
    assert "suppressed for 'registry' in 2024 (CMS benchmark exclusion BR-022)" in hit.message


# ---------------------------------------------------------------- clinician type

@pytest.mark.parametrize("year, reweighted", [(2021, False), (2022, True), (2023, True), (2024, True),
                                              (2025, False)])
def test_clinical_social_workers_pi_reweighting_2022_2024(cli_runner, fixtures_dir, tmp_path, year, reweighted):
    """Clinical social workers: automatic PI reweighting for PY2022-PY2024. A file cannot say the clinician
    type, so it is an option of score; the estimate says it assumed it."""
    import json

    doc = json.loads((fixtures_dir / "2024" / "individual-traditional.json").read_text())
    doc["performanceYear"] = year
    doc["measurementSets"] = [s for s in doc["measurementSets"] if s["category"] not in ("pi", "aci")]
    for s in doc["measurementSets"]:
        s.pop("performanceStart", None), s.pop("performanceEnd", None)
    path = tmp_path / "no-pi.json"
    path.write_text(json.dumps(doc))
    data = json.loads(cli_runner("score", path, "--format", "json", "--clinician-type",
                                 "clinical_social_worker").output)
    assert data["categories"]["pi"]["reweighted"] is reweighted
    assert any(x["text"].startswith("clinician type clinical_social_worker")
               for x in data["assumptions"]) is reweighted


def test_clinician_type_must_be_known(fixtures_dir):
    from click.testing import CliRunner

    from qppfiles.cli import main

    result = CliRunner().invoke(main, ["score", str(fixtures_dir / "2024" / "individual-traditional.json"),
                                       "--clinician-type", "astronaut"])
    assert result.exit_code == 2 and "clinical_social_worker" in result.output


def test_checks_say_what_the_web_interface_and_app_do():
    """The checks and the estimate share the Web Interface and APP rules: data completeness not met scores 0
    on the Web Interface; below the case minimum, the measure leaves the denominator."""
    import json as _json

    from qppfiles.pipeline.validate import validate_bytes

    def findings(method, program, value):
        doc = {"entityType": "group", "taxpayerIdentificationNumber": "000000000", "performanceYear": 2019,
               "measurementSets": [{"category": "quality", "submissionMethod": method, "programName": program,
                                    "performanceStart": "2019-01-01", "performanceEnd": "2019-12-31",
                                    "measurements": [{"measureId": "236", "value": value}]}]}
        return {f.code: f.message for f in validate_bytes(_json.dumps(doc).encode()).findings}

    wi = findings("cmsWebInterface", "mips", rate(20, 10, 100))
    assert "the measure scores 0 points (Web Interface)" in wi["Q101"]
    registry = findings("registry", "mips", rate(20, 10, 100))
    assert "the measure scores 1 point" in registry["Q101"]
    few = findings("cmsWebInterface", "mips", rate(8, 2, 10))
    assert "scores nothing and leaves the quality numerator and denominator" in few["Q102"]
    card = score_submission(submission(2019, quality=[("236", rate(20, 10, 100))], method="cmsWebInterface",
                                       entity="group"))
    assert card.measure("236").points == 0
