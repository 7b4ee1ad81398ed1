"""The measures catalog: build reproducibility, fidelity to the source, loader behaviour."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from qppfiles.catalog import Activity
from qppfiles.catalog import Benchmark
from qppfiles.catalog import CostMeasure
from qppfiles.catalog import Mvp
from qppfiles.catalog import PIMeasure
from qppfiles.catalog import QualityMeasure
from qppfiles.catalog import UnknownYear
from qppfiles.catalog import available_years
from qppfiles.catalog import build
from qppfiles.catalog import load_catalog
from qppfiles.catalog.loader import DATA_DIR
from qppfiles.program import supported_years

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SHARED = PROJECT_ROOT.parent / "shared"
YEARS = supported_years()


@pytest.fixture(scope="module")
def source() -> Path:
    """qpp-measures-data in ../shared; skipped when absent unless CI requires it."""
    path = SHARED / "cms" / "measures-data"
    if not (path / "measures").is_dir():
        reason = f"{path} is not available"
        if os.environ.get("QPPFILES_REQUIRE_SHARED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


def _source_measures(source: Path, year: int) -> list[dict]:
    return json.loads((source / "measures" / str(year) / "measures-data.json").read_text(encoding="utf-8"))


# --- build -----------------------------------------------------------------


def test_rebuild_is_byte_identical_to_committed_files(source, tmp_path):
    written = build.build(source, tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in DATA_DIR.glob("*.json"))
    for path in written:
        assert path.read_bytes() == (DATA_DIR / path.name).read_bytes(), f"{path.name} is stale: rerun the build"


def test_build_command_line_writes_requested_year(source, tmp_path):
    assert build.main(["--source", str(source), "--out", str(tmp_path), "--year", "2020"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["2020.json"]


def test_committed_files_are_plain_json_with_header_and_no_free_text():
    for year in YEARS:
        text = (DATA_DIR / f"{year}.json").read_text(encoding="utf-8")
        document = json.loads(text)
        assert document["year"] == year
        assert document["format"] == build.FORMAT_VERSION
        assert len(document["source_commit"]) == 40
        assert '"description"' not in text and "measureSpecification" not in text
        assert text.count("\n") > len(document["quality"])  # one record per line


# --- fidelity to the source -------------------------------------------------


@pytest.mark.parametrize("year", YEARS)
def test_counts_per_category_match_source(source, year):
    counts = Counter(m["category"] for m in _source_measures(source, year))
    catalog = load_catalog(year)
    assert len(catalog.quality) == counts["quality"]
    assert len(catalog.ia) == counts["ia"]
    assert len(catalog.pi) == counts[catalog.pi_category]
    assert len(catalog.cost) == counts["cost"]

    benchmarks_path = source / "benchmarks" / f"{year}.json"
    expected = len(json.loads(benchmarks_path.read_text())) if benchmarks_path.exists() else 0
    assert sum(len(catalog.benchmarks_for(m)) for m in _benchmark_ids(benchmarks_path)) == expected

    mvp_path = source / "mvp" / str(year) / "mvp.json"
    expected_mvps = len(json.loads(mvp_path.read_text())) if mvp_path.exists() else 0
    assert len(catalog.mvps) == expected_mvps


def _benchmark_ids(path: Path) -> set[str]:
    return {b["measureId"] for b in json.loads(path.read_text())} if path.exists() else set()


@pytest.mark.parametrize("year", YEARS)
def test_ecqm_uuids_match_source(source, year):
    catalog = load_catalog(year)
    for raw in _source_measures(source, year):
        if raw["category"] != "quality":
            continue
        measure = catalog.quality[raw["measureId"]]
        assert measure.emeasure_uuid == raw.get("eMeasureUuid")
        assert measure.emeasure_id == raw.get("eMeasureId")
        raw_strata = raw.get("strata") or []
        assert len(measure.strata) == len(raw_strata)
        for stratum, raw_stratum in zip(measure.strata, raw_strata, strict=True):
            assert stratum.name == raw_stratum.get("name")
            uuids = raw_stratum.get("eMeasureUuids") or {}
            expected = {k[: -len("Uuid")]: v for k, v in uuids.items() if k.endswith("Uuid")}
            assert (stratum.population_uuids or {}) == expected
            assert stratum.stratification_uuids == tuple(uuids.get("strata", ()))


def test_benchmark_fields_match_source(source):
    raw = json.loads((source / "benchmarks" / "2022.json").read_text())
    catalog = load_catalog(2022)
    for entry in raw:
        benchmark = catalog.benchmark(entry["measureId"], entry["submissionMethod"])
        assert benchmark.deciles == tuple(entry["deciles"])
        assert benchmark.is_topped_out == entry.get("isToppedOut")
        assert benchmark.is_topped_out_by_program == entry.get("isToppedOutByProgram")
        assert benchmark.benchmark_year == entry["benchmarkYear"]


# --- explicit facts, from the committed data ---------------------------------


def test_every_supported_year_has_a_catalog():
    assert available_years() == YEARS and YEARS[0] == 2017 and 2027 in YEARS


def test_known_counts():
    c2024 = load_catalog(2024)
    assert (len(c2024.quality), len(c2024.ia), len(c2024.pi), len(c2024.cost)) == (413, 106, 38, 29)
    assert c2024.pi_category == "pi"
    c2017 = load_catalog(2017)
    assert c2017.pi_category == "aci"
    assert len(c2017.pi) == 35 and len(c2017.quality) == 894
    assert all(m.category == "aci" and m.measure_id.startswith("ACI_") for m in c2017.pi.values())
    assert not c2017.mvps and len(load_catalog(2023).mvps) == 12


def test_known_quality_measure():
    measure = load_catalog(2024).quality["001"]
    assert isinstance(measure, QualityMeasure)
    assert measure.is_inverse and measure.is_high_priority and measure.is_outcome and measure.is_ecqm
    assert measure.measure_type == "intermediateOutcome"
    assert measure.metric_type == "singlePerformanceRate"
    assert measure.emeasure_id == "CMS122v12"
    assert measure.emeasure_uuid == "2c928084-83d3-1b44-0183-eb75dc8a03db"
    assert measure.population_uuids["numerator"] == "95BCB9D4-86A8-43C1-BE29-7440A2ECE294"
    assert set(measure.population_uuids) == {"initialPopulation", "denominator", "numerator", "denominatorExclusion"}
    assert "electronicHealthRecord" in measure.submission_methods and "mips" in measure.allowed_programs
    assert measure.first_performance_year == 2017 and measure.last_performance_year is None


def test_multi_rate_measure_has_named_strata_and_no_single_population_set():
    measure = load_catalog(2024).quality["009"]
    assert measure.metric_type == "multiPerformanceRate"
    assert measure.overall_algorithm == "simpleAverage"
    assert [s.name for s in measure.strata] == ["84Days", "180Days"]
    assert all(s.population_uuids["numerator"] for s in measure.strata)
    assert measure.population_uuids is None


def test_other_categories():
    catalog = load_catalog(2024)
    activity = catalog.ia["IA_EPA_1"]
    assert isinstance(activity, Activity)
    assert (activity.weight, activity.subcategory) == ("high", "expandedPracticeAccess")
    pi = catalog.pi["PI_PPHI_1"]
    assert isinstance(pi, PIMeasure) and pi.is_required and pi.metric_type == "boolean"
    assert catalog.pi["PI_EP_1"].exclusion == ("PI_LVPP_1",)
    # 2019 gives a single exclusion as a bare string; it is a tuple in the catalog.
    assert load_catalog(2019).pi["PI_EP_1"].exclusion == ("PI_LVPP_1",)
    cost = catalog.cost["MSPB_1"]
    assert isinstance(cost, CostMeasure) and cost.submission_methods == ("administrativeClaims",)
    assert catalog.measure("IA_EPA_1") is activity and catalog.measure("MSPB_1") is cost
    assert catalog.measure("001") is catalog.quality["001"] and catalog.measure("NOPE") is None


def test_benchmark_with_deciles():
    benchmark = load_catalog(2019).benchmark("001", "claims")
    assert isinstance(benchmark, Benchmark)
    assert benchmark.deciles == (100, 44.44, 29.03, 19.51, 14.71, 11.11, 8.33, 5.56, 2.78)
    assert benchmark.percentiles is None
    assert (benchmark.benchmark_year, benchmark.performance_year) == (2017, 2019)
    assert benchmark.is_topped_out is False
    assert load_catalog(2019).benchmark("001", "certifiedSurveyVendor") is None


def test_benchmark_with_percentiles_and_status():
    catalog = load_catalog(2024)
    benchmark = catalog.benchmark("001", "electronicHealthRecord")
    assert benchmark.deciles is None
    assert list(benchmark.percentiles) == [1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 99]
    assert benchmark.percentiles[50] == 34.15
    assert benchmark.is_inverse and benchmark.average_performance_rate == 43.53
    assert {b.submission_method for b in catalog.benchmarks_for("001")} >= {"claims", "registry"}
    assert catalog.benchmark("052", "registry").status == "removed"
    assert benchmark.status is None
    assert catalog.benchmarks_for("NOPE") == []


def test_mvp():
    mvp = load_catalog(2024).mvps["G0053"]
    assert isinstance(mvp, Mvp)
    assert mvp.title == "Advancing Rheumatology Patient Care"
    assert mvp.quality_ids[:3] == ("130", "134", "176") and "ACR12" in mvp.quality_ids
    assert mvp.foundation_quality_ids == ("479", "484")
    assert mvp.cost_ids == ("TPCC_1",) and "IA_EPA_1" in mvp.ia_ids and "PI_PPHI_1" in mvp.foundation_pi_ids


def test_quality_by_emeasure_uuid_ignores_case():
    catalog = load_catalog(2024)
    assert catalog.quality_by_emeasure_uuid("2C928084-83D3-1B44-0183-EB75DC8A03DB") is catalog.quality["001"]
    assert catalog.quality_by_emeasure_uuid("2c928084-83d3-1b44-0183-eb75dc8a03db").measure_id == "001"
    assert catalog.quality_by_emeasure_uuid("00000000-0000-0000-0000-000000000000") is None
    assert load_catalog(2017).quality_by_emeasure_uuid("40280381-51f0-825b-0152-229afff616ee").measure_id == "001"


def test_unknown_year():
    with pytest.raises(UnknownYear) as caught:
        load_catalog(2016)
    assert isinstance(caught.value, KeyError)
    assert "2016" in str(caught.value) and "2017-2027" in str(caught.value)
    with pytest.raises(KeyError):
        load_catalog("next year")


def test_catalog_and_records_are_cached():
    assert load_catalog(2024) is load_catalog(2024)
    assert load_catalog("2024") is load_catalog(2024)
    catalog = load_catalog(2024)
    assert catalog.quality["001"] is catalog.quality["001"]
    assert catalog.benchmark("001", "claims") is catalog.benchmark("001", "claims")


def test_records_are_immutable_and_hashable():
    measure = load_catalog(2024).quality["001"]
    with pytest.raises(AttributeError):
        measure.title = "changed"
    assert isinstance(measure.submission_methods, tuple)
    assert len({measure, load_catalog(2024).quality["005"]}) == 2


@pytest.mark.parametrize("year", YEARS)
def test_lazy_index_agrees_with_a_full_json_parse(year):
    """Records read through the line index equal those from parsing the whole file."""
    document = json.loads((DATA_DIR / f"{year}.json").read_text(encoding="utf-8"))
    catalog = load_catalog(year)
    tables = (("quality", catalog.quality), ("ia", catalog.ia), ("pi", catalog.pi), ("cost", catalog.cost))
    for section, table in tables:
        assert list(table) == list(document[section])
        for key, record in document[section].items():
            measure = table[key]
            assert measure.measure_id == key and measure.title == record.get("title")
    assert list(catalog.mvps) == list(document["mvps"])
    for measure_id, records in document["benchmarks"].items():
        assert [b.submission_method for b in catalog.benchmarks_for(measure_id)] == [
            r["submission_method"] for r in records
        ]


def test_loading_imports_nothing_heavy():
    code = (
        "import sys; from qppfiles.catalog import load_catalog; load_catalog(2024).quality['001'];"
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'lxml','jsonschema','jsonschema_rs','click','rich','yaml'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
