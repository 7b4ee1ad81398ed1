"""Validate a tree of submission files over many processes, one JSON line per file.

    python examples/scale_futures.py DIR [--jobs N] [--chunk-size N]
    python examples/scale_futures.py DIR --dask [--out PARTS_DIR] [--scheduler ADDRESS]

``validate_path`` (and ``validate_bytes`` under it) is a pure function of the file, so a batch is a
map over paths followed by a reduce over the reports.  The same functions below run on a local
process pool, on dask.bag (local processes or a ``dask.distributed`` cluster), or on any other
engine that can map a Python function over a list.

With dask, each partition writes its reports to its own JSON Lines file and returns only its tally;
the driver reduces the tallies, so its memory does not grow with the number of files.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections import deque
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import reduce

from qppfiles.model.options import Options
from qppfiles.pipeline.validate import validate_path

SUFFIXES = (".json", ".xml")


def find_files(root: str) -> list[str]:
    """Every .json and .xml file under ``root``, in a stable order."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        found.extend(os.path.join(folder, name) for name in sorted(files) if name.lower().endswith(SUFFIXES))
    return found


def validate_chunk(paths: Sequence[str], options: Options | None = None) -> list[dict]:
    """The map step: one plain, picklable dict per file."""
    return [validate_path(path, options).to_dict() for path in paths]


EMPTY = {"files": 0, "valid": 0, "errors": 0, "warnings": 0}


def tally(report: dict) -> dict:
    """One report's contribution to the summary."""
    severities = [f["severity"] for f in report["findings"]]
    return {"files": 1, "valid": int(report["valid"]), "errors": severities.count("error"),
            "warnings": severities.count("warning")}


def merge(a: dict, b: dict) -> dict:
    """The reduce step: associative, so partial sums can be merged in any grouping."""
    return {key: a[key] + b[key] for key in a}


def summarise(reports: Iterable[dict]) -> dict:
    return reduce(merge, map(tally, reports), EMPTY)


def chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def validate_with_futures(paths: Sequence[str], options: Options | None = None, jobs: int = 2,
                          chunk_size: int = 64) -> Iterator[dict]:
    """Reports in input order, as soon as each chunk is done; at most ``2 * jobs`` chunks in flight."""
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque = deque()
        for chunk in chunks(paths, chunk_size):
            pending.append(pool.submit(validate_chunk, chunk, options))
            if len(pending) >= 2 * jobs:  # bounded: memory stays flat however many files there are
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()


def partition_path(out_dir: str, index: int) -> str:
    return os.path.join(out_dir, f"part-{index:06d}.jsonl")


def write_partition(job: tuple[int, Sequence[str]], out_dir: str, options: Options | None = None) -> dict:
    """The map step on a cluster: validate one chunk, write its reports as JSON Lines, return its tally.

    The file appears complete or not at all (written aside, then renamed), so a retried task never
    leaves half a partition behind.
    """
    index, paths = job
    target = partition_path(out_dir, index)
    total = EMPTY
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=f".part-{index:06d}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            for path in paths:
                report = validate_path(path, options).to_dict()
                out.write(json.dumps(report) + "\n")
                total = merge(total, tally(report))
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise
    return total


def validate_with_dask(paths: Sequence[str], out_dir: str, options: Options | None = None, jobs: int = 2,
                       chunk_size: int = 64, scheduler=None) -> tuple[dict, list[str]]:
    """(summary, partition files in input order) with dask.bag.

    ``scheduler`` is a ``dask.distributed.Client`` (``out_dir`` must then be visible to every
    worker), or None for local processes.  Only the tallies come back to this process.
    """
    import dask.bag as db

    os.makedirs(out_dir, exist_ok=True)
    work = list(enumerate(chunks(paths, chunk_size)))
    bag = db.from_sequence(work, npartitions=max(1, len(work)))
    totals = bag.map(write_partition, out_dir, options).fold(merge, initial=EMPTY)
    if scheduler is None:
        summary = totals.compute(scheduler="processes", num_workers=jobs)
    else:
        summary = totals.compute(scheduler=scheduler)
    return summary, [partition_path(out_dir, index) for index, _ in work]


def concatenate(parts: Iterable[str], out) -> None:
    """Copy partition files to ``out`` in order, a block at a time."""
    for part in parts:
        with open(part, encoding="utf-8") as handle:
            shutil.copyfileobj(handle, out)


def main(argv: Sequence[str] | None = None, out=None) -> int:
    parser = argparse.ArgumentParser(description="Validate a directory of submissions in parallel.")
    parser.add_argument("root", help="directory walked for .json and .xml files")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunk-size", type=int, default=64)
    parser.add_argument("--dask", action="store_true", help="use dask.bag instead of a process pool")
    parser.add_argument("--out", metavar="DIR", help="with --dask: keep the partition files in DIR and print "
                        "only the summary")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="with --dask: a dask.distributed scheduler")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    paths = find_files(args.root)
    if args.dask:
        return _main_dask(args, paths, out)
    total = EMPTY
    for report in validate_with_futures(paths, jobs=args.jobs, chunk_size=args.chunk_size):
        out.write(json.dumps(report) + "\n")  # each line as soon as its chunk is done
        total = merge(total, tally(report))
    out.write(json.dumps({"summary": total}) + "\n")
    return 1 if total["errors"] else 0


def _main_dask(args, paths: Sequence[str], out) -> int:
    client = None
    if args.scheduler:
        from distributed import Client

        client = Client(args.scheduler)
    try:
        with tempfile.TemporaryDirectory(prefix="qppfiles-parts-") as scratch:
            summary, parts = validate_with_dask(paths, args.out or scratch, jobs=args.jobs,
                                                chunk_size=args.chunk_size, scheduler=client)
            if not args.out:
                concatenate(parts, out)
    finally:
        if client is not None:
            client.close()
    out.write(json.dumps({"summary": summary}) + "\n")
    return 1 if summary["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
