"""An ordered process pool for batch runs: chunks of items out, results back in input order.

Why not ``multiprocessing.Pool``: its worker-maintenance thread wakes each time a result is
waiting in the shared queue and spins until the result thread has read it, which cost the parent
about a tenth of the workers' CPU time on a batch of small files, and a worker killed by the
system (out of memory, say) leaves ``imap`` waiting forever.  Here the parent has no threads:
it sends each worker a chunk at a time over its own pipe, keeps two chunks in flight per worker
so that none waits for the parent, and reorders what comes back.  A worker that dies is
replaced; the items it held are tried again one at a time, and an item that kills a worker on its
own becomes ``on_lost(item, reason)``.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from itertools import chain
from itertools import islice
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import DefaultContext
    from multiprocessing.context import ForkContext

IN_FLIGHT = 2  # chunks sent to a worker ahead of its results
# Chunks per worker that may be read beyond the oldest one not yet yielded: however slow one worker
# is, the others never read (and hold results of) more than this, so memory stays bounded.
AHEAD = 8
Key = tuple[int, int]


def _serve(conn: Connection, work: Callable[[Any, Any], Any], setting: Any) -> None:
    """Worker loop: receive (key, items), send back (key, results); None ends it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the workers
    for name in ("SIGTERM", "SIGHUP"):  # not the parent's handlers, which guard its output file
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        key, items = message
        conn.send((key, [work(item, setting) for item in items]))


class _Worker:
    __slots__ = ("process", "conn", "chunks")

    def __init__(self, ctx: ForkContext | DefaultContext, work: Callable[[Any, Any], Any], setting: Any) -> None:
        parent_end, child_end = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child_end, work, setting), daemon=True)
        self.process.start()
        child_end.close()
        self.conn = parent_end
        self.chunks: deque[Key] = deque()  # keys of the messages sent and not yet answered


def ordered_map(work: Callable[[Any, Any], Any], items: Iterable[Any], setting: Any, jobs: int,
                chunk_size: int, on_lost: Callable[[Any, str], Any]) -> Iterator[Any]:
    """Yield ``work(item, setting)`` for each item, in order, computed by ``jobs`` processes.

    ``work`` and ``setting`` go to each worker once; ``items`` is read only as fast as the workers
    need it, so a generator of millions of paths is fine.
    """
    import multiprocessing
    from multiprocessing.connection import wait

    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else multiprocessing.get_context()
    source = iter(items)
    # A message is keyed (chunk id, part): part 0 is a whole chunk; parts 1.. are its items sent
    # again one by one after a worker died holding it.
    sent: dict[Key, list[Any]] = {}
    pieces: dict[int, dict[int, list[Any]]] = {}  # chunk id -> {part: results}, until yielded
    missing: dict[int, int] = {}                   # chunk id -> parts not answered yet
    resend: deque[tuple[Key, list[Any]]] = deque()
    next_id = next_out = 0

    def feed(worker: _Worker) -> None:
        nonlocal next_id
        while len(worker.chunks) < IN_FLIGHT:
            if not resend and next_id - next_out >= AHEAD * jobs:
                return
            if resend:
                # An item sent again goes alone to an idle worker, so that if it kills that worker
                # too, nothing else is lost with it.
                if worker.chunks:
                    return
                key, chunk = resend.popleft()
            elif worker.chunks and worker.chunks[-1][1]:
                return
            else:
                chunk = list(islice(source, chunk_size))
                if not chunk:
                    return
                key, next_id = (next_id, 0), next_id + 1
                pieces[key[0]], missing[key[0]] = {}, 1
            sent[key] = chunk
            worker.chunks.append(key)
            try:
                worker.conn.send((key, chunk))
            except OSError:  # the worker is gone; waiting on it shows the end of its pipe
                return

    def answer(key: Key, results: list[Any]) -> None:
        pieces[key[0]][key[1]] = results
        missing[key[0]] -= 1

    def replace(worker: _Worker) -> _Worker:
        """A new worker for a dead one; what it held is sent again item by item, or reported lost."""
        worker.conn.close()
        worker.process.join()
        reason = f"the worker process checking it stopped (exit code {worker.process.exitcode})"
        for key in worker.chunks:
            chunk = sent.pop(key)
            if key[1]:
                answer(key, [on_lost(chunk[0], reason)])
            else:
                missing[key[0]] += len(chunk) - 1
                resend.extend(((key[0], part), [item]) for part, item in enumerate(chunk, 1))
        return _Worker(ctx, work, setting)

    # No more workers than the first chunks fill: three files never start eight processes.
    first = [chunk for chunk in (list(islice(source, chunk_size)) for _ in range(jobs)) if chunk]
    source = chain(chain.from_iterable(first), source)
    workers = [_Worker(ctx, work, setting) for _ in first]
    try:
        while True:
            # Fed here, after the results were yielded: fed only before, a worker at the read-ahead bound
            # would stay idle, and with every worker idle the run would end with items still unread.
            for worker in workers:
                feed(worker)
            busy = [w.conn for w in workers if w.chunks]
            if not busy:
                return
            ready = wait(busy)
            for i, worker in enumerate(workers):
                if worker.conn not in ready:
                    continue
                try:
                    key, results = worker.conn.recv()
                except (EOFError, OSError):
                    workers[i] = worker = replace(worker)
                else:
                    worker.chunks.popleft()
                    del sent[key]
                    answer(key, results)
            for worker in workers:
                feed(worker)
            while missing.get(next_out) == 0:
                del missing[next_out]
                for _, results in sorted(pieces.pop(next_out).items()):
                    yield from results
                next_out += 1
    finally:
        _stop(workers)


def _stop(workers: list[_Worker]) -> None:
    for worker in workers:
        try:
            worker.conn.send(None)
        except OSError:
            pass
    for worker in workers:
        worker.process.join(timeout=1)
        if worker.process.is_alive():  # busy with a long item: its result is not wanted any more
            worker.process.terminate()
            worker.process.join()
        if worker.process.is_alive():  # left early (an error, Ctrl-C) with work still running
            worker.process.terminate()
            worker.process.join()
        worker.conn.close()
