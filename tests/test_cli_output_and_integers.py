"""Options every command reads alike: ``-o -`` is standard output, and integers are written with the
ASCII digits 0-9 only."""

from __future__ import annotations

import json

import click
import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.cli.common import AsciiInt
from qppfiles.cli.common import AsciiIntRange

from .conftest import FIXTURES

VALID = FIXTURES / "2024" / "group-traditional.json"


def _invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("args, check", [
    (["validate", VALID, "--format", "json"], lambda out: json.loads(out)["summary"]["files"] == 1),
    (["lint", VALID, "--format", "jsonl", "-j", "1"], lambda out: json.loads(out.splitlines()[-1])["summary"]),
    (["convert", FIXTURES / "qrda3" / "2024-group-mips.xml", "--to", "json"],
     lambda out: json.loads(out)["performanceYear"] == 2024),
    (["score", VALID, "--format", "json"], lambda out: "final" in json.dumps(json.loads(out))),
    (["generate", "template", "--year", "2024", "--level", "group"], lambda out: "2024" in out),
])
def test_output_dash_is_standard_output(tmp_path, monkeypatch, args, check):
    monkeypatch.chdir(tmp_path)
    to_stdout = _invoke(*args, "-o", "-")
    plain = _invoke(*args)
    assert to_stdout.exit_code == plain.exit_code, to_stdout.output
    assert check(to_stdout.stdout)
    assert list(tmp_path.iterdir()) == []  # no file named "-"
    assert to_stdout.stdout == plain.stdout


def test_output_dash_with_an_existing_file_named_dash_leaves_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "-").write_text("keep")
    result = _invoke("validate", VALID, "-o", "-")
    assert result.exit_code == 0 and "1 file(s) checked" in result.stdout
    assert (tmp_path / "-").read_text() == "keep"


@pytest.mark.parametrize("args", [
    ["validate", VALID, "--year", "２０２４"],
    ["validate", VALID, "--jobs", "２"],
    ["validate", VALID, "--max-findings", "١٠"],
    ["lint", VALID, "-j", "２"],
    ["lint", VALID, "--year", "2０24"],
    ["score", VALID, "--year", "２０２４"],
    ["eligibility", "--beneficiaries", "２００", "--allowed-charges", "100"],
    ["eligibility", "--beneficiaries", "200", "--allowed-charges", "１００"],
    ["measures", "--year", "２０２４"],
    ["generate", "fake", "--year", "2024", "--count", "２"],
    ["generate", "template", "--year", "２０２４"],
])
def test_integer_options_refuse_digits_other_than_ascii(args):
    result = _invoke(*args)
    assert result.exit_code == 2
    assert ("is not a valid integer" in result.stderr or "is not a valid float" in result.stderr)
    assert "ASCII digits 0-9" in result.stderr


@pytest.mark.parametrize("args", [
    ["validate", VALID, "--year", "2024", "--jobs", "1", "--max-findings", "10"],
    ["lint", VALID, "-j", "1", "--year", " 2024 "],
])
def test_integer_options_still_read_ascii_digits(args):
    assert _invoke(*args).exit_code == 0


def test_ascii_integer_types_keep_ranges_and_help():
    @click.command()
    @click.option("--n", type=AsciiIntRange(min=1), show_default=True, default=1)
    @click.option("--k", type=AsciiInt())
    def cmd(n, k):
        click.echo(f"{n} {k}")

    runner = CliRunner()
    assert runner.invoke(cmd, ["--n", "+3", "--k", "-7"]).output == "3 -7\n"
    low = runner.invoke(cmd, ["--n", "0"])
    assert low.exit_code == 2 and "0 is not in the range x>=1" in low.output
    assert "'x' is not a valid integer" in runner.invoke(cmd, ["--k", "x"]).output
    assert "x>=1" in runner.invoke(cmd, ["--help"]).output
    assert "'²' is not one of the ASCII digits" in runner.invoke(cmd, ["--k", "2²"]).output
