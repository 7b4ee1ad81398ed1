"""Fault injection: every rule code has an injector, and every injected fault is caught (rule mutation testing)."""

from __future__ import annotations

import random

import click
import pytest
from click.testing import CliRunner

from qppfiles.cli.generate import generate
from qppfiles.formats import qppjson
from qppfiles.generate import fake_submission
from qppfiles.generate import faults
from qppfiles.generate import levels_for
from qppfiles.pipeline.validate import validate_bytes

# Bases tried in order; most faults apply to the first one.
_PREFERRED = [2024, 2019, 2017, 2025, 2018, 2020, 2021, 2022, 2023, 2026]


def _bases():
    for year in _PREFERRED:
        for level in levels_for(year):
            mvps = [None, "random"] if year >= 2023 and level in ("individual", "group") else [None]
            for mvp in mvps:
                yield year, level, fake_submission(year, level, random.Random(5), mvp=mvp)


@pytest.fixture(scope="module")
def bases():
    return [(y, lv, sub, {f.code for f in validate_bytes(qppjson.write(sub)).findings}) for y, lv, sub in _bases()]


def _codes(data: bytes) -> set:
    return {f.code for f in validate_bytes(data).findings}


def test_every_rule_code_has_an_injector():
    missing = [code for code in faults.rule_codes() if code not in faults.INJECTORS]
    assert missing == [], f"rule codes without a fault injector: {missing}"


@pytest.mark.parametrize("code", sorted(set(faults.rule_codes()) | set(faults.INJECTORS)))
def test_injected_fault_is_detected(code, bases):
    if code not in faults.INJECTORS:
        pytest.fail(f"{code} has no fault injector")
    for year, level, sub, before in bases:
        if code in before:
            continue  # the fault must be what makes the code appear
        result = faults.apply(qppjson.to_dict(sub), code, faults.Env(year, level, random.Random(1)))
        if result is None:
            continue
        data = result if isinstance(result, bytes) else faults.to_bytes(result)
        if code in _codes(data):
            return
    pytest.fail(f"no generated submission could be broken so that {code} is reported")


def test_inject_verifies_and_reports_the_codes():
    sub = fake_submission(2024, "individual", random.Random(2))
    data, applied = faults.inject(sub, ["I103", "Q101", "P102"], random.Random(2))
    assert applied == ["I103", "Q101", "P102"]
    assert set(applied) <= _codes(data)
    with pytest.raises(faults.FaultError):
        faults.inject(sub, ["I106"], random.Random(2))  # an individual has no entityId


@click.group()
def cli():
    pass


cli.add_command(generate)


def test_fake_with_faults_writes_expected_files(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["generate", "fake", "--year", "2024", "--level", "group", "--count", "3",
                                 "--seed", "4", "--faults", "2", "-o", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 3
    for path in files:
        expected = path.with_suffix(".expected").read_text().split()
        assert len(expected) == 2
        assert set(expected) <= _codes(path.read_bytes())


def test_fake_with_a_chosen_fault(tmp_path):
    result = CliRunner().invoke(cli, ["generate", "fake", "--year", "2024", "--level", "individual", "--seed", "1",
                                      "--fault", "i103", "-o", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (path,) = tmp_path.glob("*.json")
    assert path.with_suffix(".expected").read_text() == "I103\n"
    assert "I103" in _codes(path.read_bytes())
    bad = CliRunner().invoke(cli, ["generate", "fake", "--year", "2024", "--level", "group", "--seed", "1",
                                   "--fault", "I102", "-o", str(tmp_path / "x")])
    assert bad.exit_code == 2 and "does not apply" in bad.output
    unknown = CliRunner().invoke(cli, ["generate", "fake", "--year", "2024", "--level", "group",
                                       "--fault", "Z999", "-o", str(tmp_path / "y")])
    assert unknown.exit_code == 2 and "no fault injector" in unknown.output


# Combinations that crashed before: a fault taking away what a later one works on (an NPI cut to nine
# digits then given a check digit, counts set to zero then given a rate, a period made impossible).
@pytest.mark.parametrize("year, level, seed, count", [
    (2017, "individual", 0, 20),
    (2018, "individual", 1, 100),
    (2018, "apm", 1, 20),
    (2026, "apm", 2, 20),
])
def test_many_faults_never_crash(tmp_path, year, level, seed, count):
    result = CliRunner().invoke(generate, ["fake", "--year", str(year), "--level", level, "--seed", str(seed),
                                           "--faults", str(count), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    expected = list(tmp_path.glob("*.expected"))
    assert len(expected) == 1 and expected[0].read_text().split()


def test_faults_over_every_year_and_level_never_crash():
    from qppfiles.program import supported_years

    tried = 0
    for year in supported_years():
        for level in levels_for(year):
            rng = random.Random(year * 31 + len(level))
            sub = fake_submission(year, level, rng)
            data, applied = faults.inject(sub, [c for c in faults.rule_codes() if c in faults.INJECTORS], rng,
                                          count=100)
            assert applied and set(applied) <= _codes(data)
            tried += 1
    assert tried >= 40
