"""Peak memory of a batch run as the number of files grows: flat means it does not grow with them.

    python benchmarks/memory_many.py 10000 100000     # file counts (default: 10000 100000)
    python benchmarks/memory_many.py --jobs 1,2 --no-dask 10000 50000

``--jobs`` lists the process counts the two ``validate`` runs are made with (default: 2);
``--no-dask`` leaves out the ``scale_futures.py`` run.

Writes a few hundred distinct small QPP JSON files (``fake_submission``) once into a temporary
folder and hard-links them into one tree per count (1,000 files per subfolder).  Then it runs, on
each tree:

- ``qppfiles validate -j N DIR`` with text output read from a pipe,
- ``qppfiles validate -j N --format jsonl DIR`` read from a pipe,
- ``python examples/scale_futures.py DIR --dask --jobs 2 --out PARTS`` (reports written per partition),

polling the memory of the command's process tree (``/proc/<pid>/smaps_rollup``, as ``run.py`` does)
and printing the peaks of the tree (RSS, and PSS, which counts a page forked workers share with their
parent once) and of the driver process alone.  Linux only; not
run by the test suite.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import ROOT
from run import _memory
from run import _tree_memory
from run import cli_command
from run import cli_env

MB = 1_000_000
DISTINCT = 300
PER_FOLDER = 1000


def distinct_files(folder: Path) -> list:
    from qppfiles.generate.fake import fake_submission
    from qppfiles.generate.render import to_bytes

    folder.mkdir(parents=True)
    out = []
    for i in range(DISTINCT):
        level = ("individual", "group")[i % 2]
        sub = fake_submission(2024, level, random.Random(i), target="json", n_quality=6, n_ia=4, n_pi=8)
        path = folder / f"{i:04d}-{level}.json"
        path.write_bytes(to_bytes(sub, target="json"))
        out.append(path)
    return out


def tree_of(sources: list, root: Path, count: int) -> Path:
    for i in range(count):
        sub = root / f"{i // PER_FOLDER:03d}"
        if i % PER_FOLDER == 0:
            sub.mkdir(parents=True)
        os.link(sources[i % len(sources)], sub / f"{i:06d}.json")
    return root


def _drain(stream, counter: list) -> None:
    for block in iter(lambda: stream.read(1 << 16), b""):
        counter[0] += len(block)


def peak(cmd: list, poll: float = 0.1) -> dict:
    """Run ``cmd`` with stdout to a pipe that is read and discarded; peaks of its memory."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=cli_env(), cwd=ROOT)
    written = [0]
    reader = threading.Thread(target=_drain, args=(proc.stdout, written), daemon=True)
    reader.start()
    tree = tree_pss = driver = 0
    while proc.poll() is None:
        rss, pss = _tree_memory(proc.pid)
        tree, tree_pss = max(tree, rss), max(tree_pss, pss)
        driver = max(driver, _memory(proc.pid)[0])
        time.sleep(poll)
    reader.join()
    return {"tree": tree, "tree_pss": tree_pss, "driver": driver, "exit": proc.returncode,
            "wall": time.perf_counter() - start, "output": written[0]}


def commands(tree: Path, parts: Path, jobs: list, dask: bool = True) -> list:
    out = []
    for j in jobs:
        out += [
            (f"validate -j {j}, text to a pipe", cli_command() + ["validate", "-j", str(j), str(tree)]),
            (f"validate -j {j} --format jsonl",
             cli_command() + ["validate", "-j", str(j), "--format", "jsonl", str(tree)]),
        ]
    if dask:
        out.append(("scale_futures.py --dask", [sys.executable, str(ROOT / "examples" / "scale_futures.py"),
                                                str(tree), "--dask", "--jobs", "2", "--out", str(parts)]))
    return out


def main(counts: list, jobs: list | None = None, dask: bool = True) -> None:
    with tempfile.TemporaryDirectory(prefix="qppfiles-many-") as tmp:
        work = Path(tmp)
        sources = distinct_files(work / "distinct")
        print(f"{len(sources)} distinct files, {sum(p.stat().st_size for p in sources) / len(sources) / 1000:.1f} kB "
              f"mean; load {os.getloadavg()[0]:.2f}", flush=True)
        print("| command | files | peak RSS, process tree | peak PSS, process tree | peak RSS, driver | wall s | exit "
              "| output |")
        print("|---|---|---|---|---|---|---|---|")
        for count in counts:
            tree = tree_of(sources, work / f"tree-{count}", count)
            for label, cmd in commands(tree, work / f"parts-{count}", jobs or [2], dask):
                got = peak(cmd)
                print(f"| {label} | {count:,} | {got['tree'] / MB:,.0f} MB | {got['tree_pss'] / MB:,.0f} MB | "
                      f"{got['driver'] / MB:,.0f} MB | "
                      f"{got['wall']:,.0f} | {got['exit']} | {got['output'] / MB:,.1f} MB |", flush=True)
        print(f"load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--jobs", default="2", help="comma-separated process counts (default: 2)")
    parser.add_argument("--no-dask", action="store_true", help="leave out the scale_futures.py run")
    args = parser.parse_args()
    main(args.counts, [int(j) for j in args.jobs.split(",")], not args.no_dask)
