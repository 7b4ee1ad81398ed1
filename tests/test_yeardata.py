"""The year files: read as the packs expect them, shared blocks in place, and clear errors for a broken file."""

from __future__ import annotations

import shutil

import pytest

from qppfiles.program import packs
from qppfiles.program import supported_years
from qppfiles.program import year_pack
from qppfiles.program import yeardata
from qppfiles.program.yeardata import YearDataError

from .conftest import ROOT

YEARS_DIR = ROOT / "qppfiles" / "program" / "years"


def test_every_year_file_is_a_supported_year_and_the_first_one_holds_every_section():
    files = sorted(int(p.stem) for p in YEARS_DIR.glob("*.toml") if p.stem.isdigit())
    assert tuple(files) == supported_years() == yeardata.available_years()
    first = yeardata.year_entry(files[0])
    assert set(yeardata.SECTIONS) <= set(first)
    assert yeardata.year_entry(2027) == {"carried_forward_from": 2026, "unconfirmed": {
        "quality.data_completeness_threshold_percent": "75% believed kept through 2028",
        "final.performance_threshold": "no threshold published for 2027"}}


def test_the_files_are_the_package_resources():
    from importlib.resources import files

    assert yeardata.DATA_DIR is None
    assert str(yeardata._folder()) == str(files("qppfiles.program") / "years")


def test_arrays_are_tuples_but_weight_rows_and_citations_stay_lists():
    entry = yeardata.year_entry(2017)
    assert entry["ia"]["special_statuses"] == ("small_practice", "rural", "hpsa", "non_patient_facing")
    assert entry["pi"]["requirements"][0]["options"] == (("ACI_INFBLO_1",),)
    assert entry["pi"]["exclusion_links"]["ACI_EP_1"] == ("ACI_LVPP_1",)
    assert entry["final"]["weights"] == [60, 0, 15, 25]
    assert entry["final"]["redistribution"][1] == {"without": ("cost", "pi"), "weights": [85, 0, 15, 0]}
    assert all(type(cited) is list for cited in entry["sources"].values())


def test_none_lists_give_none_values_and_clear_inherited_flags():
    assert yeardata.year_entry(2017)["quality"]["mvp_required_measures"] is None
    assert yeardata.year_entry(2017)["pi"]["requirements"][0]["points"] is None
    assert yeardata.year_entry(2024)["unconfirmed"]["identifiers.cehrt_id_patterns"] is None
    assert not year_pack(2024).is_unconfirmed("identifiers.cehrt_id_patterns")
    assert year_pack(2023).is_unconfirmed("identifiers.cehrt_id_patterns")


def test_shared_blocks_stand_where_a_year_names_them():
    blocks = yeardata.blocks()
    row = {"name": "security_risk_analysis", "kind": "attestation", "points": None, "options": (("PI_PPHI_1",),)}
    assert blocks["security_risk_analysis"] == row
    assert yeardata.year_entry(2023)["pi"]["requirements"][0] == row
    assert year_pack(2023).pi.requirements[0].options == (("PI_PPHI_1",),)
    links = blocks["public_health_exclusion_links"]
    assert yeardata.year_entry(2020)["pi"]["exclusion_links"] == links
    merged = yeardata.year_entry(2019)["pi"]["exclusion_links"]  # its own link first, then the shared ones
    assert list(merged) == ["PI_HIE_4", *links]
    assert merged["PI_HIE_4"] == ("PI_LVITC_2", "PI_CUITC_1")
    assert year_pack(2019).pi.exclusion_links["PI_PHCDRR_3_MULTI"] == (
        "PI_PHCDRR_3_EX_1", "PI_PHCDRR_3_EX_2", "PI_PHCDRR_3_EX_3")


def test_a_year_changing_a_shared_block_does_not_change_it_for_others():
    yeardata.year_entry(2023)["pi"]["requirements"][0]["kind"] = "changed"
    try:
        assert yeardata.blocks()["security_risk_analysis"]["kind"] == "attestation"
        assert yeardata.year_entry(2026)["pi"]["requirements"][0]["kind"] == "attestation"
    finally:
        yeardata.year_entry.cache_clear()
        packs._resolve.cache_clear()


@pytest.fixture
def broken(tmp_path, monkeypatch):
    """A copy of the year files to break one at a time; the loader and the packs read it, then the real ones."""
    folder = tmp_path / "years"
    shutil.copytree(YEARS_DIR, folder)
    monkeypatch.setattr(yeardata, "DATA_DIR", folder)
    caches = (yeardata.clear_caches, packs.year_pack.cache_clear, packs._resolve.cache_clear)
    for clear in caches:
        clear()

    def edit(name: str, old: str, new: str) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    yield edit
    monkeypatch.undo()
    for clear in caches:
        clear()


@pytest.mark.parametrize(("name", "old", "new", "message"), [
    ("2019.toml", "small_practice_bonus_points = 6", "small_practice_bonus_points = ",
     "2019.toml: not valid TOML (Invalid value (at line 4, column 31))"),
    ("2022.toml", "[cost]", "[costs]", "2022.toml: costs: unknown key (known: "),
    ("2023.toml", '"shared:hie_2023"', '"shared:hie_2030"',
     "2023.toml: pi.requirements[6]: 'shared:hie_2030' names no [blocks.<name>] of shared.toml"),
    ("2019.toml", '"<<" = "shared:public_health_exclusion_links"', '"<<" = "shared:nothing"',
     "2019.toml: pi.exclusion_links.<<: 'shared:nothing' names no [blocks.<name>] of shared.toml"),
    ("2024.toml", '"mymips-2024-pi", ', '"mymips-2042-pi", ',
     "2024.toml: sources.pi.min_performance_period_days: unknown reference 'mymips-2042-pi'"),
    ("2019.toml", 'none = ["topped_out_capped_measure_ids"]', 'none = ["small_practice_bonus_points"]',
     "2019.toml: quality.small_practice_bonus_points: both given a value and listed in 'none'"),
    ("2027.toml", "carried_forward_from = 2026", "carried_forward_from = 2030",
     "2027.toml: carried_forward_from: 2030 is not a year with a file"),
    ("2024.toml", "data_completeness_threshold_percent = 75.0", "data_completness_threshold_percent = 75.0",
     "2024.toml: quality.data_completness_threshold_percent: no such field in [quality] of 2017.toml"),
    ("2026.toml", "# 2026", 'eligibility = "none"\n# 2026', "2026.toml: eligibility: must be a table"),
])
def test_a_broken_year_file_is_named_with_its_key(broken, name, old, new, message):
    broken(name, old, new)
    year = int(name.split(".")[0])
    with pytest.raises(YearDataError) as caught:
        year_pack(year)
    assert str(caught.value).startswith(message), str(caught.value)
    assert caught.value.file == name


def test_a_missing_shared_file_is_named(broken, tmp_path):
    (tmp_path / "years" / "shared.toml").unlink()
    with pytest.raises(YearDataError, match=r"^shared\.toml: cannot be read"):
        year_pack(2024)


def test_the_year_file_of_the_guide_for_a_new_year_works(broken, tmp_path):
    guide = (ROOT / "docs" / "adding-a-year.md").read_text(encoding="utf-8")
    section = guide.split("## 2. The year pack", 1)[1]
    example = section.split("```toml\n", 1)[1].split("```", 1)[0]
    last = supported_years()[-1]
    (tmp_path / "years" / f"{last + 1}.toml").write_text(example, encoding="utf-8")
    yeardata.available_years.cache_clear()
    pack = year_pack(last + 1)
    assert pack.final.performance_threshold == 75.0 and pack.carried_forward_from is None
    assert pack.final.weights == year_pack(last).final.weights
    assert pack.sources_for("final.performance_threshold") == (yeardata.refs()["cfr-414-1405"],)
    assert pack.is_unconfirmed("quality.data_completeness_threshold_percent")
