"""Batch runner: order, chunking across workers."""

from pathlib import Path

from qppfiles.options import Options
from qppfiles.runner import _chunk_size, validate_many
from qppfiles.validate import validate_path

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
