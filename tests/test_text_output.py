"""The text report: plain and byte-identical off a terminal, colour through rich on one; counts kept
instead of reports; --quiet and --show-info; progress bars only on a terminal; a closed pipe is quiet."""

from __future__ import annotations

import gc
import io
import os
import re
import subprocess
import sys
import weakref
from itertools import groupby

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.cli import progress
from qppfiles.intake.discover import discover
from qppfiles.model.options import Options
from qppfiles.pipeline.runner import validate_many
from qppfiles.pipeline.validate import validate_bytes
from qppfiles.report import text

from .conftest import FIXTURES
from .conftest import ROOT


def _renderer_before_the_plain_path(reports, out):
    """The text renderer as it was before plain output (every line through rich's markup): the oracle."""
    from rich.markup import escape as rich_escape

    from qppfiles.report.inert import inert

    def escape(value):
        return rich_escape(inert(value))

    console = text._console(out)
    seen = []
    for r in reports:
        seen.append(r)
        year = f" · {r.performance_year}" if r.performance_year else ""
        verdict = "[green]valid[/]" if r.valid else "[bold red]invalid[/]"
        console.print(f"[bold]{escape(str(r.path))}[/] ({r.format}{year}): {verdict}"
                      f" — {r.errors} error(s), {r.warnings} warning(s)")
        for layer, by_layer in groupby(r.findings, key=lambda f: f.layer):
            console.print(f"  [dim]{text._LAYER_TITLE.get(layer, layer)}[/]")
            for measure, items in groupby(by_layer, key=lambda f: f.measure_id):
                indent = "    "
                if measure:
                    console.print(f"    measure [bold]{escape(measure)}[/]")
                    indent = "      "
                for f in items:
                    where = f.location.describe()
                    where = f" [dim]{escape(where)}[/]" if where else ""
                    console.print(f"{indent}[{text._STYLE.get(f.severity, '')}]{f.code} {f.severity}[/]"
                                  f"{text._CONSEQUENCE.get(f.consequence, '')}{where}: {escape(f.message)}")
    errors = sum(r.errors for r in seen)
    style = "bold red" if errors else "green"
    console.print(f"[{style}]{len(seen)} file(s) checked: {sum(1 for r in seen if not r.valid)} invalid, "
                  f"{errors} error(s), {sum(r.warnings for r in seen)} warning(s)[/]")


@pytest.fixture(scope="module")
def fixture_reports():
    reports = list(validate_many(discover([str(FIXTURES)]).files, Options()))
    assert len(reports) > 50 and any(r.findings for r in reports)
    return reports


def test_plain_text_is_byte_identical_to_the_rich_renderer(fixture_reports):
    before, after = io.StringIO(), io.StringIO()
    _renderer_before_the_plain_path(fixture_reports, before)
    text.render(fixture_reports, after)
    assert after.getvalue() == before.getvalue()
    assert after.getvalue().count("\n") > 500


def test_plain_text_of_the_fixture_tree_through_the_command_line(fixture_reports):
    expected = io.StringIO()
    _renderer_before_the_plain_path(fixture_reports, expected)
    result = CliRunner().invoke(main, ["validate", str(FIXTURES), "--show-info"])
    assert result.exit_code == 1
    assert result.stdout == expected.getvalue()


def test_plain_text_does_not_parse_markup_or_emoji_codes(tmp_path):
    data = (FIXTURES / "2024" / "group-traditional.json").read_bytes()
    report = validate_bytes(data, "clinic:thumbs_up:[bold]x[/].json")
    plain = io.StringIO()
    text.render([report], plain, terminal=False)
    assert plain.getvalue().startswith("clinic:thumbs_up:[bold]x[/].json (qpp-json · 2024): valid")
    coloured = io.StringIO()
    text.render([report], coloured, terminal=True)
    assert "\x1b[" in coloured.getvalue() and "\N{THUMBS UP SIGN}" in coloured.getvalue()  # rich on a terminal


def test_text_keeps_counts_not_reports():
    data = (FIXTURES / "2024" / "group-traditional.json").read_bytes().replace(b'"performanceYear": 2024',
                                                                              b'"performanceYear": "2024"')
    alive = []

    def reports():
        for i in range(200):
            report = validate_bytes(data, f"f{i}.json")
            alive.append(weakref.ref(report))
            yield report

    tally = text.render(reports(), io.StringIO())
    gc.collect()
    assert len(alive) == 200 and all(ref() is None for ref in alive)
    assert (tally.files, tally.invalid) == (200, 200)
    assert tally.errors == sum(tally.by_code[c] for c, s in tally.severity.items() if s == "error")
    assert tally.files_by_code["S002"] == 200


def _info_tree(tmp_path):
    """Two files: one valid with info findings (topped-out measures), one whose report stops at the
    findings limit (F013, info)."""
    (tmp_path / "good.json").write_bytes((FIXTURES / "2024" / "group-traditional.json").read_bytes())
    (tmp_path / "bad.json").write_bytes(b'{"performanceYear": "x", "entityType": 1, "taxpayerIdentificationNumber": 2}')
    return tmp_path


def test_info_findings_hidden_unless_asked_but_the_limit_notice(tmp_path):
    tree = _info_tree(tmp_path)
    hidden = CliRunner().invoke(main, ["validate", str(tree), "--max-findings", "1"])
    shown = CliRunner().invoke(main, ["validate", str(tree), "--max-findings", "1", "--show-info"])
    assert hidden.exit_code == shown.exit_code == 1
    assert "F013 info" in shown.stdout and "F013 info" in hidden.stdout  # the report is incomplete: always said
    info_lines = re.findall(r"(?m)^ +([A-Z]+[0-9]+) info[ :]", shown.stdout)
    others = [code for code in info_lines if code != "F013"]
    assert others and all(f"{code} info" not in hidden.stdout for code in others)
    assert f"; {len(others)} info finding(s) not shown (--show-info)\n" in hidden.stdout
    assert "not shown" not in shown.stdout


def test_quiet_shows_only_files_with_findings(tmp_path):
    tree = _info_tree(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(tree), "--quiet"])
    assert result.exit_code == 1
    assert "bad.json" in result.stdout and "good.json" not in result.stdout
    assert "2 file(s) checked: 1 invalid" in result.stdout


def test_lint_quiet(tmp_path, monkeypatch):
    tree = _info_tree(tmp_path)
    monkeypatch.chdir(tree)
    result = CliRunner().invoke(main, ["lint", "-q", "-j", "1"])
    assert "bad.json" in result.stdout and "good.json" not in result.stdout


def test_progress_bar_only_when_wanted():
    shown = io.StringIO()
    items = list(progress.track(range(5), 5, "validating", enabled=True, stream=shown, delay=0))
    assert items == [0, 1, 2, 3, 4]
    assert "validating" in shown.getvalue() and "5/5" in shown.getvalue()
    for kwargs in ({"enabled": False, "delay": 0}, {"enabled": True, "delay": 3600}):
        quiet = io.StringIO()
        assert list(progress.track(range(5), 5, "validating", stream=quiet, **kwargs)) == items
        assert quiet.getvalue() == ""


def test_progress_bar_is_decided_by_the_terminal():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    assert progress.wanted(Tty()) and not progress.wanted(io.StringIO())


@pytest.mark.parametrize("command, label", [("validate", "validating"), ("lint", "linting"),
                                            ("generate", "generating")])
def test_commands_show_a_bar_when_the_terminal_decision_says_so(tmp_path, monkeypatch, command, label):
    monkeypatch.setattr(progress, "wanted", lambda stream=None: True)
    monkeypatch.setattr(progress, "DELAY", 0.0)
    monkeypatch.chdir(tmp_path)
    args = {"validate": ["validate", str(FIXTURES / "2024"), "-o", "report.txt"],
            "lint": ["lint", str(FIXTURES / "2024"), "-j", "1", "-o", "report.txt"],
            "generate": ["generate", "fake", "--year", "2024", "--level", "group", "--count", "3", "--seed", "1",
                         "-o", "out"]}[command]
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    assert label in result.stderr
    total = 3 if command == "generate" else len(list((FIXTURES / "2024").glob("*.json")))
    assert f"{total}/{total}" in result.stderr


def test_no_progress_bar_off_a_terminal(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(FIXTURES)])
    assert result.exit_code == 1 and result.stderr == ""
    result = CliRunner().invoke(main, ["generate", "fake", "--year", "2024", "--level", "group", "--count", "3",
                                       "--seed", "1", "-o", str(tmp_path)])
    assert result.exit_code == 0 and result.stderr == f"qppfiles: wrote 3 file(s) to {tmp_path}\n"


@pytest.mark.parametrize("fmt", ["text", "jsonl", "json"])
def test_closed_pipe_exits_quietly(fmt):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line, as with `| head -0`
    try:
        child = subprocess.run([sys.executable, "-m", "qppfiles", "validate", str(FIXTURES), "--format", fmt],
                               stdout=write_end, stderr=subprocess.PIPE, env=dict(os.environ, PYTHONPATH=str(ROOT)),
                               timeout=300)
    finally:
        os.close(write_end)
    assert child.returncode in (0, 1, 141)
    assert child.stderr == b""
