"""QRDA III writer: conformance of its output, its refusals, and the model round trip."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import datetime
from datetime import timezone

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from qppfiles.catalog import load_catalog
from qppfiles.formats.qrda3 import QrdaWriteError
from qppfiles.formats.qrda3 import _catalog as C
from qppfiles.formats.qrda3 import read
from qppfiles.formats.qrda3 import strict
from qppfiles.formats.qrda3 import write
from qppfiles.model.submission import BooleanValue
from qppfiles.model.submission import Counts
from qppfiles.model.submission import Measurement
from qppfiles.model.submission import MeasurementSet
from qppfiles.model.submission import MultiRateValue
from qppfiles.model.submission import ProportionValue
from qppfiles.model.submission import SingleRateValue
from qppfiles.model.submission import Stratum
from qppfiles.model.submission import Submission

CREATED = datetime(2025, 1, 15, 12, 0, tzinfo=timezone.utc)
CEHRT = "0015EUK17H3DCM9"


def ecqm_value(measure, met: int, extra: int):
    """A consistent value for an eCQM: counts for every population the catalog defines."""
    groups = C.population_groups(measure)

    defined = set().union(*(u for _, u in groups))

    def counts(uuids, summed=False):
        # Summed sub-populations always report every field (zero for a population none defines).
        excl = (extra if "DENEX" in defined else 0) if summed else (extra if "DENEX" in uuids else None)
        exc = (extra if "DENEXCEP" in defined else 0) if summed else (extra if "DENEXCEP" in uuids else None)
        denom = met + 2 * extra + 3
        return Counts(met, denom - met - (excl or 0) - (exc or 0), denom, excl, exc)

    if C.is_multi_rate(measure):
        return MultiRateValue(
            # A stratum the file cannot carry comes back as CMS writes it: zeros, no exception count.
            tuple(Stratum(name, counts(u) if u else Counts(0, 0, 0, 0, None)) for name, u in groups),
            is_end_to_end=True,
        )
    return SingleRateValue(counts(groups[0][1], summed=len(groups) > 1), is_end_to_end=True)


def ecqms(year):
    return [m for m in load_catalog(year).quality.values() if m.emeasure_uuid and C.population_groups(m)]


def submission(year, entity="group", program="mips", measures=None, met=40, extra=2):
    cat = load_catalog(year)
    chosen = measures if measures is not None else _variety(year)
    quality = tuple(Measurement(m.measure_id, ecqm_value(m, met, extra)) for m in chosen)
    pi_ids = sorted(cat.pi)[:2]
    ia_ids = sorted(cat.ia)[:2]
    start, end = f"{year}-01-01", f"{year}-12-31"
    # CMS's 2024 conversion puts the CEHRT id on the PI set only.
    quality_cehrt = None if year == 2024 else CEHRT
    sets = (
        MeasurementSet("quality", "electronicHealthRecord", program, quality_cehrt, start, end, quality),
        MeasurementSet("pi", "electronicHealthRecord", program, CEHRT, start, end,
                       (Measurement(pi_ids[0], ProportionValue(30, 40)), Measurement(pi_ids[1], BooleanValue(True)))),
        MeasurementSet("ia", "electronicHealthRecord", program, None, start, end,
                       tuple(Measurement(i, BooleanValue(True)) for i in ia_ids)),
    )
    return Submission(
        year, entity,
        "123456789" if entity in ("individual", "group", "virtualGroup") else None,
        "1234567893" if entity == "individual" else None,
        {"apm": "A1234", "subgroup": "SG-00012345", "virtualGroup": "VG-0001"}.get(entity),
        sets,
    )


def _variety(year):
    """A few eCQMs covering single-rate, summed sub-populations and multi-rate."""
    all_ = ecqms(year)
    single = [m for m in all_ if not C.is_multi_rate(m) and len(C.population_groups(m)) == 1][:2]
    summed = [m for m in all_ if not C.is_multi_rate(m) and len(C.population_groups(m)) > 1][:1]
    multi = [m for m in all_ if C.is_multi_rate(m)][:2]
    return single + summed + multi


def without_refs(obj):
    """The model without its positions, and without the "qrda3" marker reading adds to each set."""
    if dataclasses.is_dataclass(obj):
        return type(obj)(**{f.name: ("" if f.name == "ref" else None if f.name == "source"
                                     else without_refs(getattr(obj, f.name)))
                            for f in dataclasses.fields(obj)})
    if isinstance(obj, tuple):
        return tuple(without_refs(x) for x in obj)
    return obj


@pytest.fixture(scope="session")
def ig_dir(shared_dir):
    return shared_dir / "cms/qrda3-ig"


@pytest.mark.parametrize("year, entity, program", [
    (2022, "individual", "mips"),
    (2023, "group", "app1"),
    (2024, "apm", "M0001"),
    (2025, "subgroup", "G0053"),
])
def test_written_files_pass_xsd_and_schematron(ig_dir, year, entity, program):
    sub = submission(year, entity, program)
    data = write(sub, created=CREATED)
    findings = strict.validate(data, ig_dir)
    errors = [f for f in findings if f.severity == "error"]
    assert errors == []
    assert not [f for f in findings if f.code == "X203"]  # written to the year's own guide version
    assert Counter(f.layer for f in findings) <= Counter(schematron=len(findings))


@pytest.mark.parametrize("year", [2022, 2023, 2024, 2025])
@pytest.mark.parametrize("entity", ["individual", "group", "virtualGroup", "apm", "subgroup"])
def test_round_trip_per_year_and_entity(year, entity):
    sub = submission(year, entity)
    result = read(write(sub, created=CREATED))
    assert result.findings == []
    assert without_refs(result.submission) == without_refs(sub)


def test_output_is_deterministic_for_a_given_time():
    sub = submission(2024)
    assert write(sub, created=CREATED) == write(sub, created=CREATED)


@st.composite
def ecqm_submissions(draw):
    year = draw(st.sampled_from([2022, 2023, 2024, 2025]))
    pool = ecqms(year)
    chosen = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique_by=lambda m: m.measure_id))
    cat = load_catalog(year)
    quality = tuple(
        Measurement(m.measure_id, ecqm_value(m, draw(st.integers(0, 10_000)), draw(st.integers(0, 50))))
        for m in chosen
    )
    entity = draw(st.sampled_from(["individual", "group", "apm", "subgroup", "virtualGroup"]))
    program = draw(st.sampled_from(["mips", "app1"] if entity in ("individual", "group", "apm") else ["mips"]))
    pi = tuple(
        Measurement(pid, ProportionValue(n, n + d) if draw(st.booleans()) else BooleanValue(draw(st.booleans())))
        for pid, n, d in zip(draw(st.lists(st.sampled_from(sorted(cat.pi)), max_size=3, unique=True)),
                             draw(st.lists(st.integers(0, 500), min_size=3, max_size=3)),
                             draw(st.lists(st.integers(0, 500), min_size=3, max_size=3)),
                             strict=False)
    )
    start = f"{year}-{draw(st.integers(1, 6)):02d}-01"
    quality_cehrt = None if year == 2024 else CEHRT  # 2024: CMS puts it on the PI set only
    sets = [MeasurementSet("quality", "electronicHealthRecord", program, quality_cehrt, f"{year}-01-01",
                           f"{year}-12-31", quality)]
    if pi:
        sets.append(MeasurementSet("pi", "electronicHealthRecord", program, CEHRT, start, f"{year}-12-31", pi))
    return Submission(
        year, entity,
        "000123456" if entity in ("individual", "group", "virtualGroup") else None,
        "1234567893" if entity == "individual" else None,
        {"apm": "APM-7", "subgroup": "SG-1", "virtualGroup": "VG-2"}.get(entity),
        tuple(sets),
    )


def test_source_date_epoch_dates_the_document(monkeypatch):
    sub = submission(2024)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01T00:00:00Z
    pinned = write(sub)
    assert b'<effectiveTime value="20250101000000"/>' in pinned and write(sub) == pinned
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")  # ignored, as build tools do
    assert b"20250101000000" not in write(sub)



@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ecqm_submissions())
def test_model_to_qrda_to_model_is_identity(sub):
    result = read(write(sub, created=CREATED))
    assert [f.code for f in result.findings] == []
    assert without_refs(result.submission) == without_refs(sub)


# -- refusals ------------------------------------------------------------------------------


def test_2026_says_the_catalog_has_no_population_uuids_yet():
    measure = next(m for m in load_catalog(2026).quality.values() if m.emeasure_id)
    assert measure.emeasure_uuid is None
    sub = dataclasses.replace(
        submission(2025, measures=ecqms(2025)[:1]), performance_year=2026
    )
    sub = dataclasses.replace(sub, measurement_sets=(
        dataclasses.replace(sub.measurement_sets[0], measurements=(
            Measurement(measure.measure_id, SingleRateValue(Counts(1, 1, 2), is_end_to_end=True)),)),
    ))
    with pytest.raises(QrdaWriteError) as raised:
        write(sub)
    message = str(raised.value)
    assert "2026 measures catalog has no" in message and "population UUIDs" in message
    assert measure.measure_id in message and measure.emeasure_id in message


def test_a_catalog_with_uuids_makes_2026_writable_without_code_change():
    stand_in = load_catalog(2025)  # any catalog that carries GUIDs and UUIDs
    base = submission(2025)
    sub = dataclasses.replace(base, performance_year=2026, measurement_sets=tuple(
        dataclasses.replace(s, performance_start="2026-01-01", performance_end="2026-12-31")
        for s in base.measurement_sets))
    data = write(sub, catalog=stand_in, created=CREATED)
    assert b'extension="2025-05-01"' in data
    result = read(data, catalog=stand_in)
    assert result.findings == []
    assert without_refs(result.submission) == without_refs(sub)


def test_non_ecqm_measure_is_refused_by_name():
    cat = load_catalog(2024)
    registry_only = next(m for m in cat.quality.values() if not m.emeasure_uuid and not m.emeasure_id)
    sub = submission(2024, measures=[])
    quality = dataclasses.replace(sub.measurement_sets[0], measurements=(
        Measurement(registry_only.measure_id, SingleRateValue(Counts(1, 1, 2))),))
    with pytest.raises(QrdaWriteError, match=f"measure {registry_only.measure_id} is not an eCQM"):
        write(dataclasses.replace(sub, measurement_sets=(quality,)))


def test_unwritable_year_and_unknown_stratum_are_refused():
    with pytest.raises(QrdaWriteError, match="2019"):
        write(dataclasses.replace(submission(2024), performance_year=2019))
    multi = next(m for m in ecqms(2024) if C.is_multi_rate(m))
    sub = submission(2024, measures=[])
    bad = Measurement(multi.measure_id, MultiRateValue((Stratum("nope", Counts(1, 0, 1)),)))
    quality = dataclasses.replace(sub.measurement_sets[0], measurements=(bad,))
    with pytest.raises(QrdaWriteError, match="no stratum named 'nope'"):
        write(dataclasses.replace(sub, measurement_sets=(quality,)))
