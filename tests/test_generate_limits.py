"""`generate from` keeps resources bounded: no YAML aliases, no absurd nesting, numbers or cells.

Each hostile table is refused with exit 2 and one line naming the problem, never an internal error.
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from qppfiles.cli import main

HEADER = "year: 2024\nentity_type: group\ntin: '123456789'\n"
MEASURES = "quality:\n  submission_method: registry\n  measures:\n"
CSV_HEADER = "measureId,performanceMet,performanceNotMet,eligiblePopulation\n"


def billion_laughs() -> str:
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        prev, name = chr(96 + i), chr(97 + i)
        levels.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return HEADER + "\n".join(levels) + "\n"


CASES = {
    "aliases.yaml": (billion_laughs(), "line 4: YAML anchors and aliases"),
    "anchor.yaml": (HEADER + MEASURES + "    - &m {measureId: '236', performanceMet: 1, performanceNotMet: 1, "
                    "eligiblePopulation: 40}\n    - *m\n", "line 7: YAML anchors and aliases"),
    "deep.yaml": (HEADER + "x: " + "[" * 50000 + "]" * 50000 + "\n", "nested deeper than 32 levels"),
    "deep.toml": ("year = 2024\nx = " + "[" * 50000 + "]" * 50000 + "\n", "nested deeper than 32 levels"),
    "huge.yaml": (HEADER + MEASURES + "    - {measureId: '236', performanceMet: " + "9" * 5000
                  + ", performanceNotMet: 1, eligiblePopulation: 40}\n", "a number of 5,000 digits is too large"),
    "huge-year.yaml": ("year: " + "2" * 5000 + "\n", "line 1: a number of 5,000 digits is too large"),
    "huge.toml": ("year = 2024\nentity_type = 'group'\ntin = '123456789'\n[quality]\nsubmission_method = "
                  "'registry'\nmeasures = [{measureId = '236', performanceMet = " + "9" * 5000
                  + ", performanceNotMet = 1, eligiblePopulation = 40}]\n",
                  "line 6: a number is too large for a table of counts"),
    "over-csv-limit.csv": (CSV_HEADER + "236," + "1" * 200000 + ",1,40\n", "line 2: not a valid CSV row"),
    "long-cell.csv": (CSV_HEADER + "x" * 5000 + ",1,1,40\n", "line 2: a cell holds 5,000 characters"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_tables_exit_2_with_one_clear_line(tmp_path, name):
    text, expected = CASES[name]
    path = tmp_path / name
    path.write_text(text)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["generate", "from", str(path), "--year", "2024", "--entity-type", "group",
                                       "--tin", "123456789", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1 and len(result.output) < 400
    assert not out.exists()


def test_plain_yaml_still_builds(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text(HEADER + MEASURES + "    - {measureId: '236', performanceMet: 30, performanceNotMet: 10, "
                    "eligiblePopulation: 40}\n")
    result = CliRunner().invoke(main, ["generate", "from", str(path), "--allow-errors"])
    assert result.exit_code == 0 and '"performanceMet": 30' in result.stdout
