"""Validate a tree of submission files over many processes, one JSON line per file.

    python examples/scale_futures.py DIR [--jobs N] [--chunk-size N] [--dask]

``validate_path`` (and ``validate_bytes`` under it) is a pure function of the file, so a batch is a
map over paths followed by a reduce over the reports.  The same two functions below run on a local
process pool, on dask.bag, or on any other engine that can map a Python function over a list.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from functools import reduce
from typing import Iterable, Iterator, List, Optional, Sequence

from qppfiles.options import Options
from qppfiles.validate import validate_path

SUFFIXES = (".json", ".xml")


def find_files(root: str) -> List[str]:
    """Every .json and .xml file under ``root``, in a stable order."""
    found = []
    for folder, dirs, files in os.walk(root):
        dirs.sort()
        found.extend(os.path.join(folder, name) for name in sorted(files) if name.lower().endswith(SUFFIXES))
    return found


def validate_chunk(paths: Sequence[str], options: Optional[Options] = None) -> List[dict]:
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


def validate_with_futures(paths: Sequence[str], options: Optional[Options] = None, jobs: int = 2,
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


def validate_with_dask(paths: Sequence[str], options: Optional[Options] = None, jobs: int = 2,
                       chunk_size: int = 64):
    """(reports in input order, summary) with dask.bag on the local process scheduler."""
    import dask
    import dask.bag as db

    partitions = max(1, -(-len(paths) // chunk_size))
    reports = db.from_sequence(paths, npartitions=partitions).map_partitions(validate_chunk, options)
    totals = reports.map(tally).fold(merge, initial=EMPTY)
    # One graph: the reports and their summary are computed in a single pass over the files.
    return dask.compute(reports, totals, scheduler="processes", num_workers=jobs)


def main(argv: Optional[Sequence[str]] = None, out=None) -> int:
    parser = argparse.ArgumentParser(description="Validate a directory of submissions in parallel.")
    parser.add_argument("root", help="directory walked for .json and .xml files")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--chunk-size", type=int, default=64)
    parser.add_argument("--dask", action="store_true", help="use dask.bag instead of a process pool")
    args = parser.parse_args(argv)
    out = out or sys.stdout
    paths = find_files(args.root)
    if args.dask:
        reports, summary = validate_with_dask(paths, jobs=args.jobs, chunk_size=args.chunk_size)
    else:
        reports, summary = validate_with_futures(paths, jobs=args.jobs, chunk_size=args.chunk_size), None
    total = EMPTY
    for report in reports:  # each line is written as soon as its chunk is done
        out.write(json.dumps(report) + "\n")
        total = merge(total, tally(report))
    out.write(json.dumps({"summary": summary or total}) + "\n")
    return 1 if total["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
