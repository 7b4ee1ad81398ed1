"""The ordered process pool: order, lazy reading, workers that die, early stops."""

import multiprocessing
import os
from contextlib import closing

import pytest

from qppfiles.workers import AHEAD, ordered_map

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the pool's tests fork workers")


def _square(item, offset):
    return item * item + offset


def _die_on_seven(item, offset):
    if item == 7:
        os._exit(3)
    return item + offset


def _lost(item, reason):
    return ("lost", item, reason)


@pytest.mark.parametrize("jobs, chunk", [(2, 1), (2, 5), (3, 16), (1, 4)])
def test_results_come_back_in_input_order(jobs, chunk):
    got = list(ordered_map(_square, range(103), 1, jobs, chunk, _lost))
    assert got == [i * i + 1 for i in range(103)]


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
