"""Runs over many files keep no list of them: the walk streams its paths, the parent spools them by
options, the pool reads them as its workers need them; reports come in the same order, byte for byte."""

from __future__ import annotations

import io
import json
import os
import random
import sys

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.generate import fake_submission
from qppfiles.generate import faults
from qppfiles.generate.render import to_bytes
from qppfiles.intake.discover import Discovery
from qppfiles.intake.discover import discover
from qppfiles.intake.discover import walk_files
from qppfiles.model.options import Options
from qppfiles.pipeline import spool
from qppfiles.pipeline.runner import Grouped
from qppfiles.pipeline.runner import validate_many
from qppfiles.pipeline.spool import PathSpool
from qppfiles.pipeline.workers import AHEAD
from qppfiles.report import per_file

from .conftest import FIXTURES
from .conftest import lock_directories

SMALL = FIXTURES / "2024" / "individual-traditional.json"
needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="-j 2 forks its workers")


def _valid(path, seed=1):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(to_bytes(fake_submission(2024, "group", random.Random(seed)), target="json"))


def _claims(path, seed=1):
    """A file with a B104 warning (claims reporting, not a small practice)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data, applied = faults.inject(fake_submission(2024, "group", random.Random(seed)), ["B104"], random.Random(seed))
    assert applied == ["B104"]
    path.write_bytes(data)


# ------------------------------------------------------------------ the walk is a stream

def test_the_walk_gives_its_first_file_before_listing_the_other_directories(tmp_path, monkeypatch):
    for name in ("c", "a", "b"):
        _valid(tmp_path / name / "x.json")
        _valid(tmp_path / name / "deep" / "y.json")
    (tmp_path / "top.json").write_bytes(b"{}")
    listed: list[str] = []
    real_scandir = os.scandir

    def scandir(path="."):
        listed.append(os.path.relpath(os.fspath(path), tmp_path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    found = Discovery()
    files = walk_files([str(tmp_path)], found)
    assert os.path.relpath(next(files), tmp_path) == "top.json"
    assert listed == ["."]
    assert os.path.relpath(next(files), tmp_path) == os.path.join("a", "x.json")
    assert listed == [".", "a"]  # b and c not listed yet
    rest = [os.path.relpath(f, tmp_path) for f in files]
    # each directory's files sorted, then its subdirectories in name order, depth first
    assert rest == [os.path.join(*p) for p in (("a", "deep", "y.json"), ("b", "x.json"), ("b", "deep", "y.json"),
                                               ("c", "x.json"), ("c", "deep", "y.json"))]
    assert found.files == [] and found.unreadable == []
    assert [os.path.relpath(f, tmp_path) for f in discover([str(tmp_path)]).files] == \
        ["top.json", os.path.join("a", "x.json"), *rest]


def test_a_file_named_twice_is_walked_once_when_unique(tmp_path):
    _valid(tmp_path / "subs" / "a.json")
    _valid(tmp_path / "subs" / "b.json")
    _valid(tmp_path / "other" / "c.json")
    subs, a = str(tmp_path / "subs"), str(tmp_path / "subs" / "a.json")
    other = str(tmp_path / "other")
    got = list(walk_files([a, subs, other, subs], Discovery(), unique=True))
    assert got == [a, str(tmp_path / "subs" / "b.json"), str(tmp_path / "other" / "c.json")]
    assert len(list(walk_files([a, subs, subs], Discovery()))) == 5  # without unique: as named


def test_skipped_files_are_counted_by_reason():
    found = Discovery()
    for i in range(3):
        found.skip(f"p{i}.json", "not a submission")
    found.skip("link.json", "a symbolic link out of the project (--follow-symlinks)")
    assert found.skipped_count == 4
    assert found.summary_line() == ("skipped 4 files: 1 a symbolic link out of the project (--follow-symlinks); "
                                    "3 not a submission")


# ------------------------------------------------------------------ the parent holds a bounded part of the paths

def test_a_spool_gives_back_every_path_in_order_and_holds_only_its_limit(tmp_path):
    names = [str(tmp_path / f"{i:05d}.json") for i in range(2000)]
    names[7] = "odd\nname with a line break.json"
    if sys.platform not in ("win32", "darwin"):
        names[8] = os.fsdecode(b"clinic-\xff.json")  # not UTF-8: kept byte for byte
    held = PathSpool(limit=1000)
    for name in names:
        held.add(name)
        assert len(held._pending) < 1000 + 200
    assert held._file is not None
    assert len(held) == 2000
    assert list(held) == names
    held.close()
    small = PathSpool()
    for name in names[:5]:
        small.add(name)
    assert small._file is None and list(small) == names[:5]


def test_grouping_keeps_first_appearance_order_and_each_groups_order():
    paths = [f"{d}/{i}.json" for i in range(50) for d in ("x", "y", "z")]
    grouped = Grouped(lambda p: Options(small_practice=p.startswith("y"), year=2024 if p[0] == "z" else None),
                      iter(paths))
    assert len(grouped) == 150
    assert [(o.small_practice, o.year) for o in grouped.options()] == [(False, None), (True, None), (False, 2024)]
    assert [list(files) for files in grouped.groups.values()] == \
        [[p for p in paths if p[0] == d] for d in ("x", "y", "z")]


class Counting:
    """An iterable of paths that tells how many were taken."""

    def __init__(self, paths):
        self.paths, self.taken = paths, 0

    def __iter__(self):
        for path in self.paths:
            self.taken += 1
            yield path


@pytest.mark.parametrize("jobs", [1, pytest.param(2, marks=needs_fork)])
def test_the_runner_takes_paths_only_as_it_checks_them(jobs):
    paths = Counting([str(SMALL)] * 600)
    most = done = 0
    for report in validate_many(paths, Options(), jobs, render=per_file("jsonl")):
        done += 1
        most = max(most, paths.taken - done)
        assert report.errors == 0
    assert done == 600
    # one at a time in this process; with workers, AHEAD chunks of 16 per worker at most
    assert most <= (0 if jobs == 1 else jobs * AHEAD * 16)
    assert most < 600 - 16 * jobs


# ------------------------------------------------------------------ the same reports, in the same order

@pytest.fixture
def project(tmp_path, monkeypatch):
    """Files under three sets of options (per-file-ignores, an override) and a directory that cannot be
    listed: reports come grouped by options, not in walk order."""
    _valid(tmp_path / "a" / "1.json", 1)
    _claims(tmp_path / "b" / "1.json", 2)
    _claims(tmp_path / "b" / "2.json", 3)
    _claims(tmp_path / "c" / "1.json", 4)
    _claims(tmp_path / "d" / "1.json", 5)
    _valid(tmp_path / "e" / "locked" / "1.json", 6)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.qppfiles]\n[tool.qppfiles.per-file-ignores]\n"b/**" = ["B104"]\n\n'
        '[[tool.qppfiles.overrides]]\npaths = ["c/**"]\nsmall-practice = true\n')
    lock_directories(monkeypatch)
    monkeypatch.chdir(tmp_path)
    return tmp_path


EXPECTED_ORDER = [os.path.join(*p) for p in (("e", "locked"), ("a", "1.json"), ("d", "1.json"), ("b", "1.json"),
                                             ("b", "2.json"), ("c", "1.json"))]


def _invoke(*args):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", ["validate", "lint"])
@pytest.mark.parametrize("jobs", ["1", pytest.param("2", marks=needs_fork)])
def test_reports_are_grouped_by_options_and_match_single_file_runs(project, monkeypatch, command, jobs):
    whole = _invoke(command, ".", "--format", "jsonl", "-j", jobs)
    assert whole.exit_code == 2, whole.output  # the unlisted directory
    lines = whole.stdout.splitlines()
    files = [json.loads(line) for line in lines[:-1]]
    assert [os.path.normpath(f["path"]) for f in files] == EXPECTED_ORDER
    assert [f["code"] for f in files[0]["findings"]] == ["F040"]
    # B104 is ignored under b/ and not raised under c/ (a small practice); d/ keeps it
    assert ["B104" in {x["code"] for x in f["findings"]} for f in files[1:]] == [False, True, False, False, False]
    # each file's line is what a run on that file alone gives
    for path, line in zip(EXPECTED_ORDER[1:], lines[1:-1], strict=True):
        alone = _invoke(command, os.path.join(".", path), "--format", "jsonl")
        assert alone.stdout.splitlines()[0] == line

    monkeypatch.setattr(spool, "LIMIT", 1)  # every path goes through the temporary file
    for fmt in ("text", "jsonl", "json"):
        kept = _invoke(command, ".", "--format", fmt, "-j", jobs)
        monkeypatch.setattr(spool, "LIMIT", 1 << 20)
        held = _invoke(command, ".", "--format", fmt, "-j", jobs)
        monkeypatch.setattr(spool, "LIMIT", 1)
        assert kept.exit_code == held.exit_code == 2
        assert kept.stdout == held.stdout and kept.stderr == held.stderr
        assert kept.stdout.index("locked") < kept.stdout.index(os.path.join("a", "1.json")) < \
            kept.stdout.index(os.path.join("d", "1.json")) < kept.stdout.index(os.path.join("b", "1.json")) < \
            kept.stdout.index(os.path.join("c", "1.json"))


def test_a_named_directory_with_nothing_to_check_is_still_a_usage_error(project):
    (project / "empty").mkdir()
    (project / "empty" / "notes.txt").write_text("nothing")
    result = _invoke("validate", "a", "empty")
    assert result.exit_code == 2 and "empty: no .json or .xml file in this directory" in result.stderr
    result = _invoke("validate", "a", "-o", os.path.join("a", "out.json"))
    assert result.exit_code == 0, result.output
    result = _invoke("validate", "a", "-o", os.path.join("a", "out.json"), "--force")
    # the output file is the only .json left under a/ besides 1.json: still checked, and not the report
    assert result.exit_code == 0 and "out.json" not in result.stdout


def test_json_lines_keep_counts_not_a_record_per_file():
    from qppfiles.pipeline.runner import Rendered
    from qppfiles.report import exit_code
    from qppfiles.report import render
    from qppfiles.report.tally import Tally

    def reports():
        for i in range(1000):
            yield Rendered(f"{i}.json", i % 2, 1, False, None, f'{{"n": {i}}}\n', i % 2)

    out = io.StringIO()
    seen = render("jsonl", reports(), out)
    assert isinstance(seen, Tally) and (seen.files, seen.errors, seen.warnings, seen.rejected) == (1000, 500, 1000, 500)
    last = json.loads(out.getvalue().splitlines()[-1])
    assert last["summary"] == {"files": 1000, "errors": 500, "warnings": 1000}
    assert exit_code(seen, [], "rejected") == 1 and len(out.getvalue().splitlines()) == 1001
