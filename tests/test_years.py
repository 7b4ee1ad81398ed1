"""Every supported year works from its data alone: packs, catalog, fixtures, generation, validation, scoring.

The year list comes from the year packs, so a year added as ``qppfiles/program/years/<year>.toml`` and
to the catalog is checked here without touching the tests; ``test_a_synthetic_year_works_from_data_alone``
adds a year that exists nowhere but in data made by the test, as ``docs/adding-a-year.md`` describes.
"""

from __future__ import annotations

import json
import random
import shutil

import pytest

from qppfiles.catalog import load_catalog
from qppfiles.catalog import loader as catalog_loader
from qppfiles.formats import qppjson
from qppfiles.generate import fake_submission
from qppfiles.generate import levels_for
from qppfiles.generate.template import template
from qppfiles.pipeline.validate import validate_bytes
from qppfiles.pipeline.validate import validate_path
from qppfiles.program import packs
from qppfiles.program import supported_years
from qppfiles.program import year_pack
from qppfiles.program import yeardata
from qppfiles.scoring import score_submission

from .conftest import FIXTURES
from .conftest import ROOT

PROGRAM_YEARS = ROOT / "qppfiles" / "program" / "years"

YEARS = supported_years()


def error_codes(report) -> list:
    return [(f.code, f.message) for f in report.findings if f.severity == "error"]


def check_year(year: int) -> None:
    """What every supported year must give: a pack, a catalog of that year, and clean generated files."""
    pack = year_pack(year)
    assert pack.year == year
    catalog = load_catalog(year)
    assert catalog.year == year and catalog.quality
    levels = levels_for(year)
    assert levels == pack.identifiers.entity_types and "individual" in levels
    for level in levels:
        sub = fake_submission(year, level, random.Random(year))
        assert (sub.performance_year, sub.entity_type) == (year, level)
        data = qppjson.write(sub)
        assert error_codes(validate_bytes(data)) == [], (year, level)
        card = score_submission(qppjson.read(data).submission)
        assert 0 <= card.final_score <= 100, (year, level)
        starter = template(year, level, fmt="yaml")
        assert f"year: {year}" in starter, (year, level)


@pytest.mark.parametrize("year", YEARS)
def test_every_supported_year_passes_the_year_checks(year):
    check_year(year)


@pytest.mark.parametrize("year", YEARS)
def test_every_year_has_a_valid_fixture_for_each_level_it_allows(year):
    folder = FIXTURES / str(year)
    by_level: dict = {}
    for path in sorted(folder.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        submission = doc.get("data", {}).get("submission", doc)
        level = submission.get("entityType")
        if level is None:  # a bare measurement set, not a whole submission
            continue
        assert error_codes(validate_path(str(path))) == [], path
        by_level.setdefault(level, []).append(path.name)
    missing = [level for level in year_pack(year).identifiers.entity_types if level not in by_level]
    assert missing == [], f"{year}: no valid fixture for {missing}"


def test_the_year_lists_of_packs_and_catalog_agree():
    assert tuple(catalog_loader.available_years()) == YEARS


@pytest.fixture
def synthetic_year(tmp_path, monkeypatch):
    """A performance year one past the last, made only of data: a year file and a catalog file."""
    last = YEARS[-1]
    year = last + 1
    data_dir = tmp_path / "catalog"
    shutil.copytree(catalog_loader.DATA_DIR, data_dir)
    text = (data_dir / f"{last}.json").read_text(encoding="utf-8")
    header = f'"year":{last},'
    assert header in text
    (data_dir / f"{year}.json").write_text(text.replace(header, f'"year":{year},', 1), encoding="utf-8")
    monkeypatch.setattr(catalog_loader, "DATA_DIR", data_dir)
    years_dir = tmp_path / "years"
    shutil.copytree(PROGRAM_YEARS, years_dir)
    (years_dir / f"{year}.toml").write_text(f"carried_forward_from = {last}\n", encoding="utf-8")
    monkeypatch.setattr(yeardata, "DATA_DIR", years_dir)
    caches = (catalog_loader.available_years.cache_clear, catalog_loader._load.cache_clear,
              packs.year_pack.cache_clear, packs._resolve.cache_clear, yeardata.clear_caches)
    for clear in caches:
        clear()
    yield year
    monkeypatch.undo()
    for clear in caches:
        clear()


def test_a_synthetic_year_works_from_data_alone(synthetic_year):
    assert synthetic_year in supported_years()
    check_year(synthetic_year)


def test_the_default_year_is_this_year_within_the_supported_ones():
    import datetime

    from qppfiles.program import default_year
    from qppfiles.program import supported_years

    years = supported_years()
    assert default_year(datetime.date(years[1], 6, 1)) == years[1]
    assert default_year(datetime.date(2001, 6, 1)) == years[0]
    assert default_year(datetime.date(2999, 6, 1)) == years[-1]
