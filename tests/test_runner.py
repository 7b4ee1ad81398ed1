"""Batch runner: order, chunking across workers."""

from pathlib import Path

from qppfiles.model.options import Options
from qppfiles.pipeline.runner import _chunk_size
from qppfiles.pipeline.runner import validate_many
from qppfiles.pipeline.validate import validate_path

FIXTURES = sorted(str(p) for p in (Path(__file__).resolve().parents[1] / "fixtures" / "2024").glob("*.json"))


def test_parallel_results_equal_sequential_in_order():
    assert len(FIXTURES) >= 4
    parallel = [r.to_dict() for r in validate_many(FIXTURES, Options(), jobs=2)]
    assert parallel == [validate_path(p).to_dict() for p in FIXTURES]


def test_chunks_spread_few_or_slow_files_over_every_worker():
    assert _chunk_size(["a"] * 13, Options(profile="strict"), 2) == 1  # seconds per file: one at a time
    assert _chunk_size(["a"] * 13, Options(), 2) == 1
    assert _chunk_size(["a"] * 10_000, Options(), 2) == 16
    assert _chunk_size(iter(["a"] * 5), Options(), 2) == 16  # unknown length: the batch default


def test_a_file_that_kills_its_worker_is_reported_and_the_batch_goes_on(monkeypatch):
    import os

    import pytest

    if not hasattr(os, "fork"):
        pytest.skip("needs fork: the replaced check reaches the workers by inheritance")
    from qppfiles.pipeline import runner

    victim = FIXTURES[1]
    real = runner.check_file

    def crashing(path, options):
        if path == victim:
            os._exit(9)
        return real(path, options)

    monkeypatch.setattr(runner, "check_file", crashing)
    reports = list(validate_many(FIXTURES, Options(), jobs=2))
    assert [r.path for r in reports] == FIXTURES
    lost = reports[1]
    assert [f.code for f in lost.findings] == ["F012"]
    assert "exit code 9" in lost.findings[0].message
    others = [r.to_dict() for r in reports if r.path != victim]
    assert others == [validate_path(p).to_dict() for p in FIXTURES if p != victim]


def test_rendered_in_the_worker_matches_the_report_and_keeps_the_problems(tmp_path):
    from qppfiles.pipeline.runner import Rendered
    from qppfiles.report.json_report import line

    missing = str(tmp_path / "gone.json")
    paths = FIXTURES + [missing]
    for jobs in (1, 2):
        problems = []
        got = list(validate_many(paths, Options(), jobs, problems, render=line))
        assert all(isinstance(r, Rendered) for r in got)
        expected = [validate_path(p) for p in FIXTURES]
        assert [r.text for r in got[:-1]] == [line(r) for r in expected]
        assert [(r.errors, r.warnings) for r in got[:-1]] == [(r.errors, r.warnings) for r in expected]
        assert got[-1].problem is not None and "F011" in got[-1].text
        assert problems == [f"{missing}: {got[-1].problem}"]
