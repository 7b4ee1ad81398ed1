"""The ordered process pool: order, lazy reading, workers that die, early stops."""

import multiprocessing
import os
import time
from contextlib import closing

import pytest

from qppfiles.pipeline.workers import AHEAD
from qppfiles.pipeline.workers import ordered_map

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the pool's tests fork workers")


def _square(item, offset):
    return item * item + offset


def _die_on_seven(item, offset):
    if item == 7:
        os._exit(3)
    return item + offset


def _slow_at_the_bound(item, offset):
    # A timing found by a random search: these slow items leave both workers idle at the read-ahead bound
    # at the moment the oldest item comes back, in about one run of five.
    if item in (0, 13, 14, 27):
        time.sleep(0.2)
    return item + offset


def counted_workers(monkeypatch) -> list:
    """A list that gets one entry for each worker process the pool starts."""
    import qppfiles.pipeline.workers as workers

    made = []

    class Counted(workers._Worker):
        def __init__(self, *args):
            made.append(1)
            super().__init__(*args)

    monkeypatch.setattr(workers, "_Worker", Counted)
    return made


def _lost(item, reason):
    return ("lost", item, reason)


@pytest.mark.parametrize("jobs, chunk", [(2, 1), (2, 5), (3, 16), (1, 4)])
def test_results_come_back_in_input_order(jobs, chunk):
    got = list(ordered_map(_square, range(103), 1, jobs, chunk, _lost))
    assert got == [i * i + 1 for i in range(103)]


def test_a_slow_oldest_item_loses_nothing_at_the_read_ahead_bound():
    # When the oldest item comes back, every worker may be idle at the bound: the run must go on with the
    # rest, not end because no worker happens to hold work at that moment (it once ended after 30 of 100).
    items = list(range(100))
    for _ in range(4):
        assert list(ordered_map(_slow_at_the_bound, items, 0, 2, 1, _lost)) == items


def test_no_items_no_results():
    assert list(ordered_map(_square, [], 0, 2, 4, _lost)) == []


def test_items_are_read_only_as_the_workers_need_them():
    pulled = []

    def items():
        for i in range(10_000):
            pulled.append(i)
            yield i

    with closing(ordered_map(_square, items(), 0, 2, 4, _lost)) as results:
        assert next(results) == 0
        # at most AHEAD chunks of 4 per worker beyond the first one not yet yielded, however the
        # workers are scheduled
        assert len(pulled) <= 2 * AHEAD * 4
        assert [next(results) for _ in range(99)] == [i * i for i in range(1, 100)]
        assert len(pulled) <= 100 + 2 * AHEAD * 4


def test_a_dying_worker_costs_only_the_item_that_killed_it():
    got = list(ordered_map(_die_on_seven, range(20), 100, 2, 4, _lost))
    assert len(got) == 20
    assert got[:7] == [i + 100 for i in range(7)]
    assert got[8:] == [i + 100 for i in range(8, 20)]
    tag, item, reason = got[7]
    assert (tag, item) == ("lost", 7)
    assert "exit code 3" in reason


def test_stopping_early_stops_the_workers():
    before = set(multiprocessing.active_children())  # another test's leftovers are not this one's
    results = ordered_map(_square, range(100_000), 0, 2, 1, _lost)
    assert [next(results) for _ in range(3)] == [0, 1, 4]
    results.close()
    assert set(multiprocessing.active_children()) - before == set()


@pytest.mark.parametrize("items, jobs, chunk, started", [
    (3, 8, 1, 3),      # three files, -j 8: three workers
    (1, 4, 1, 1),
    (20, 8, 16, 2),    # two chunks of up to 16
    (100, 2, 4, 2),    # never more than asked
    (0, 4, 1, 0),
])
def test_no_more_workers_than_chunks_of_work(monkeypatch, items, jobs, chunk, started):
    made = counted_workers(monkeypatch)
    assert list(ordered_map(_square, iter(range(items)), 0, jobs, chunk, _lost)) == [i * i for i in range(items)]
    assert len(made) == started


def test_validate_with_more_jobs_than_files_starts_no_more_workers_than_files(monkeypatch, tmp_path):
    from click.testing import CliRunner

    from qppfiles.cli import main

    from .conftest import FIXTURES

    made = counted_workers(monkeypatch)
    files = [str(FIXTURES / "2024" / name) for name in ("group-traditional.json", "individual-traditional.json")]
    result = CliRunner().invoke(main, ["validate", "-j", "8", *files])
    assert result.exit_code == 0, result.output
    assert 1 <= len(made) <= 2
