#!/usr/bin/env python3
"""The qppfiles performance harness.

    python benchmarks/run.py                 # full run, writes benchmarks/RESULTS.md
    python benchmarks/run.py --quick --no-write --skip-strict

It builds synthetic corpora with the project's own generator, measures the
library against the bare parsers on the same bytes, the command line at scale
(wall time, speed-up with -j 2, peak memory of the process tree), cold start,
and the strict profile on CMS's sample files when ../shared is present.  Every
number is printed with its target and written to RESULTS.md.  The harness only
measures: it exits 0 whether targets are met or not.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

YEAR = 2024
LEVELS = ("individual", "group")
JSON_SHAPE = dict(n_quality=6, n_ia=4, n_pi=8)
# One eCQM per file: the writer spends ~25 kB or more on each measure's populations
# and supplemental data, so this is the smallest shape, 50-85 kB depending on strata.
QRDA_SHAPE = dict(n_quality=1, n_ia=4, n_pi=8)
MB = 1_000_000


@dataclass(frozen=True)
class Scale:
    json_files: int
    qrda_files: int
    large_bytes: int
    repeats: int            # passes over a corpus; the best one counts
    jsonschema_files: int   # the pure-Python validator is ~100x slower: a subset
    cli_repeats: int
    cold_runs: int


FULL = Scale(10_000, 1_000, 5 * MB, 3, 300, 3, 10)
QUICK = Scale(300, 30, 1 * MB, 2, 30, 1, 3)


# ---------------------------------------------------------------- results


@dataclass
class Row:
    section: str
    name: str
    value: float
    unit: str
    target: str = ""
    ok: bool | None = None  # None: recorded for information, no target

    @property
    def status(self) -> str:
        return "info" if self.ok is None else ("PASS" if self.ok else "FAIL")

    def shown(self) -> str:
        v = self.value
        if self.unit in ("files/s", "lines", "files", ""):
            text = f"{v:,.0f}"
        elif self.unit == "µs/file":
            text = f"{v:,.1f}"
        elif self.unit == "×":
            text = f"{v:.2f}"
        elif self.unit in ("s", "s/file"):
            text = f"{v:.3f}"
        else:
            text = f"{v:,.1f}"
        return f"{text} {self.unit}".rstrip()


def table(rows: Sequence[Row]) -> str:
    lines = ["| section | measurement | value | target | status |", "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r.section} | {r.name} | {r.shown()} | {r.target or '—'} | {r.status} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- corpora


@dataclass
class Corpus:
    root: Path
    json_dir: Path
    qrda_dir: Path
    large: Path
    notes: list[str]


def build_corpus(root: Path, scale: Scale) -> Corpus:
    """Write the corpora under ``root``; an existing corpus of the same shape is reused."""
    manifest = {"scale": dataclasses.asdict(scale), "year": YEAR, "json": JSON_SHAPE, "qrda3": QRDA_SHAPE}
    corpus = Corpus(root, root / "json", root / "qrda3", root / "large" / "group-large.xml", [])
    stamp = root / "manifest.json"
    if stamp.is_file():
        saved = json.loads(stamp.read_text())
        if saved.get("shape") == manifest:
            corpus.notes = saved["notes"]
            return corpus
    for sub in ("json", "qrda3", "large"):
        shutil.rmtree(root / sub, ignore_errors=True)
        (root / sub).mkdir(parents=True)

    from qppfiles.generate.fake import fake_submission
    from qppfiles.generate.render import to_bytes

    for i in range(scale.json_files):
        level = LEVELS[i % 2]
        sub = fake_submission(YEAR, level, random.Random(i), target="json", **JSON_SHAPE)
        (corpus.json_dir / f"{i:05d}-{level}.json").write_bytes(to_bytes(sub, target="json"))
    for i in range(scale.qrda_files):
        level = LEVELS[i % 2]
        sub = fake_submission(YEAR, level, random.Random(100_000 + i), target="qrda3", **QRDA_SHAPE)
        (corpus.qrda_dir / f"{i:05d}-{level}.xml").write_bytes(to_bytes(sub, target="qrda3"))
    data, note = large_qrda3(scale.large_bytes)
    corpus.large.write_bytes(data)
    corpus.notes = [note]
    stamp.write_text(json.dumps({"shape": manifest, "notes": corpus.notes}, indent=1))
    return corpus


def large_qrda3(target_bytes: int):
    """A group file with every eCQM of the year, repeated when one of each is not enough."""
    from qppfiles.generate import pools
    from qppfiles.generate.fake import fake_submission
    from qppfiles.generate.render import to_bytes

    available = len(pools.quality_pool(YEAR, pools.EHR, "mips", None, True))
    shape = dict(n_quality=available, n_ia=4, n_pi=8, target="qrda3")
    base = fake_submission(YEAR, "group", random.Random(1), **shape)
    quality, *rest = base.measurement_sets
    per_measure = len(to_bytes(base, target="qrda3")) / available
    wanted = max(1, math.ceil(target_bytes / per_measure))
    measurements = list(quality.measurements)
    seed = 2
    while len(measurements) < wanted:  # more copies of every measure, with other counts
        more = fake_submission(YEAR, "group", random.Random(seed), **shape).measurement_sets[0]
        measurements.extend(more.measurements)
        seed += 1
    measurements = measurements[:wanted]
    quality = dataclasses.replace(quality, measurements=tuple(measurements))
    data = to_bytes(dataclasses.replace(base, measurement_sets=(quality, *rest)), target="qrda3")
    distinct = len({m.measure_id for m in measurements})
    note = (f"large QRDA III group file: {len(data):,} bytes, {len(measurements)} measure entries, "
            f"{distinct} distinct eCQMs")
    if len(measurements) > distinct:
        note += (f" (the {YEAR} catalog has {available} eCQMs, about {len(data) * available // wanted:,} bytes "
                 f"with one entry each; entries repeat, with other counts, to reach the size)")
    return data, note


def load_files(folder: Path) -> list[tuple]:
    return [(str(p), p.read_bytes()) for p in sorted(folder.iterdir())]


# ---------------------------------------------------------------- timing


def best_per_item(cases: Sequence[tuple], repeats: int) -> tuple:
    """``cases`` = (name, fn, items); ({name: wall s/item}, {name: CPU s/item}) of the best passes.

    Passes are interleaved so that a noisy moment hits every case alike.  CPU time is this
    process's own, so it moves less than wall time when other processes share the cores.
    """
    wall = {name: math.inf for name, _, _ in cases}
    cpu = dict(wall)
    for _ in range(repeats):
        for name, fn, items in cases:
            start, start_cpu = time.perf_counter(), time.process_time()
            for item in items:
                fn(item)
            wall[name] = min(wall[name], (time.perf_counter() - start) / len(items))
            cpu[name] = min(cpu[name], (time.process_time() - start_cpu) / len(items))
    return wall, cpu


def throughput_rows(section: str, label: str, seconds: float, cpu: float, mean_bytes: float,
                    files_target: float | None = None) -> list[Row]:
    rows = [Row(section, f"{label}: time per file", seconds * 1e6, "µs/file"),
            Row(section, f"{label}: CPU time per file", cpu * 1e6, "µs/file")]
    if files_target is None:
        rows.append(Row(section, f"{label}: throughput", 1 / seconds, "files/s"))
    else:
        rows.append(Row(section, f"{label}: throughput", 1 / seconds, "files/s", f"≥ {files_target:,.0f} files/s",
                        1 / seconds >= files_target))
    rows.append(Row(section, f"{label}: throughput", mean_bytes / seconds / MB, "MB/s"))
    return rows


def size_rows(section: str, files: list[tuple]) -> list[Row]:
    sizes = [len(data) for _, data in files]
    rows = [Row(section, "corpus mean file size", statistics.fmean(sizes) / 1000, "kB")]
    if len(sizes) > 1:
        rows += [Row(section, "corpus smallest file", min(sizes) / 1000, "kB"),
                 Row(section, "corpus largest file", max(sizes) / 1000, "kB")]
    return rows


def bench_json(corpus: Corpus, scale: Scale) -> list[Row]:
    from qppfiles.checks.schema import _validator
    from qppfiles.model.options import Options
    from qppfiles.pipeline.validate import validate_bytes

    files = load_files(corpus.json_dir)
    options = Options()
    docs = [json.loads(data) for _, data in files]
    rs, py = _validator("jsonschema_rs"), _validator("jsonschema")
    reports = [validate_bytes(data, path, options) for path, data in files]  # also warms every lazy import
    subset = docs[: scale.jsonschema_files]
    times, cpu = best_per_item([
        ("qppfiles", lambda f: validate_bytes(f[1], f[0], options), files),
        ("json.loads", lambda f: json.loads(f[1]), files),
        ("jsonschema-rs", lambda d: list(rs.iter_errors(d)), docs),
    ], scale.repeats)
    times.update(best_per_item([("jsonschema", lambda d: list(py.iter_errors(d)), subset)], 1)[0])
    mean = statistics.fmean(len(d) for _, d in files)
    s = "QPP JSON"
    rows = [
        Row(s, "corpus files", len(files), "files"),
        *size_rows(s, files),
        Row(s, "files without error (sanity)", sum(r.valid for r in reports), "files",
            f"= {len(files):,}", all(r.valid for r in reports)),
    ]
    rows += throughput_rows(s, "qppfiles validate_bytes", times["qppfiles"], cpu["qppfiles"], mean, 2000)
    rows += throughput_rows(s, "json.loads", times["json.loads"], cpu["json.loads"], mean)
    rows.append(Row(s, "jsonschema-rs on the parsed document: time per file", times["jsonschema-rs"] * 1e6,
                    "µs/file"))
    rows.append(Row(s, f"jsonschema (Python) on the parsed document, {len(subset)} files: time per file",
                    times["jsonschema"] * 1e6, "µs/file"))
    ratio = times["qppfiles"] / times["json.loads"]
    rows.append(Row(s, "ratio qppfiles / json.loads", ratio, "×", "≤ 16×", ratio <= 16))
    rows.append(Row(s, "ratio qppfiles / json.loads, CPU time", cpu["qppfiles"] / cpu["json.loads"], "×"))
    rows.append(Row(s, "ratio qppfiles / jsonschema-rs", times["qppfiles"] / times["jsonschema-rs"], "×"))
    rows.append(Row(s, "ratio qppfiles / jsonschema (Python)", times["qppfiles"] / times["jsonschema"], "×"))
    return rows


def bench_qrda(corpus: Corpus, scale: Scale) -> list[Row]:
    from lxml import etree

    from qppfiles.model.options import Options
    from qppfiles.pipeline.validate import validate_bytes

    options = Options()
    rows: list[Row] = []
    small = load_files(corpus.qrda_dir)
    large = [(str(corpus.large), corpus.large.read_bytes())]
    for label, files, repeats in (("QRDA III ~50 kB", small, scale.repeats), ("QRDA III large", large,
                                                                              max(3, scale.repeats))):
        reports = [validate_bytes(data, path, options) for path, data in files]
        if files is large:
            codes = Counter(f.code for f in reports[0].findings)
            corpus.notes.append("findings on the large file: " + (", ".join(
                f"{code} ×{count}" for code, count in sorted(codes.items())) or "none"))
        times, cpu = best_per_item([
            ("qppfiles", lambda f: validate_bytes(f[1], f[0], options), files),
            ("lxml", lambda f: etree.fromstring(f[1]), files),
        ], repeats)
        mean = statistics.fmean(len(d) for _, d in files)
        rows += [Row(label, "corpus files", len(files), "files"),
                 *size_rows(label, files),
                 Row(label, "files without error (sanity)", sum(r.valid for r in reports), "files")]
        rows += throughput_rows(label, "qppfiles validate_bytes", times["qppfiles"], cpu["qppfiles"], mean)
        rows += throughput_rows(label, "lxml.etree.fromstring", times["lxml"], cpu["lxml"], mean)
        ratio = times["qppfiles"] / times["lxml"]
        limit = 2.5 if files is small else 3.0
        rows.append(Row(label, "ratio qppfiles / lxml.etree.fromstring", ratio, "×", f"≤ {limit:g}×",
                        ratio <= limit))
        rows.append(Row(label, "ratio qppfiles / lxml.etree.fromstring, CPU time", cpu["qppfiles"] / cpu["lxml"],
                        "×"))
    return rows


# ---------------------------------------------------------------- command line


def cli_command() -> list[str]:
    """The console script next to this interpreter, else ``python -m qppfiles``."""
    script = Path(sys.executable).with_name("qppfiles")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "qppfiles"]


def cli_env(**extra) -> dict:
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return env


def _children(pid: int) -> list[int]:
    """Direct children of ``pid``: from /proc/<pid>/task/*/children, else by scanning every process."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    try:
        for tid in tasks:
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                found.extend(int(child) for child in fh.read().split())
        return found
    except FileNotFoundError:  # a kernel without CONFIG_PROC_CHILDREN
        pass
    except OSError:
        return found
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                parent = int(fh.read().rsplit(b")", 1)[1].split()[1])
        except OSError:
            continue
        if parent == pid:
            found.append(int(entry.name))
    return found


def _memory(pid: int) -> tuple:
    """(RSS, PSS) in bytes of one process, from /proc/<pid>/smaps_rollup."""
    values = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    values[key] = int(rest.split()[0]) * 1024
    except OSError:
        pass  # the process ended while we looked
    return values.get("Rss", 0), values.get("Pss", 0)


def _tree_memory(root_pid: int) -> tuple:
    """(RSS sum, PSS sum) in bytes of ``root_pid`` and all its descendants."""
    rss = pss = 0
    seen, frontier = set(), [root_pid]
    while frontier:
        pid = frontier.pop()
        if pid in seen:
            continue
        seen.add(pid)
        one_rss, one_pss = _memory(pid)
        rss, pss = rss + one_rss, pss + one_pss
        frontier.extend(_children(pid))
    return rss, pss


@dataclass
class CliRun:
    wall: float
    returncode: int
    peak_rss: int
    peak_pss: int
    first_output: float | None  # seconds after start when the output file first grew
    last_output: float | None   # ... and when it last grew while the process ran
    output: Path
    cpu: float | None = None    # user + system seconds of the process and the children it waited for

    @property
    def streamed(self) -> bool:
        """Results were written over a good part of the run, not in one burst at the end."""
        if self.first_output is None or self.last_output is None:
            return False
        return self.last_output - self.first_output >= 0.25 * self.wall


def run_cli(args: list[str], output: Path, env: dict | None = None, poll: float = 0.02,
            memory: bool = True) -> CliRun:
    """Run the CLI with stdout to ``output``, polling the memory of its process tree (``memory``).

    Reading smaps_rollup for every process 50 times a second costs the harness ~15% of a core,
    taken from the workers of a -j 2 run on two cores; timed runs therefore leave it off.
    """
    can_poll = memory and Path("/proc/self/smaps_rollup").exists()
    with open(output, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cli_command() + args, stdout=out, stderr=subprocess.DEVNULL,
                                env=env or cli_env(), cwd=ROOT)
        peak_rss = peak_pss = size = 0
        first = last = cpu = None
        while True:
            if hasattr(os, "wait4"):
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    cpu = usage.ru_utime + usage.ru_stime
                    break
            elif proc.poll() is not None:
                break
            if can_poll:
                rss, pss = _tree_memory(proc.pid)
                peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            grown = output.stat().st_size
            if grown != size:
                size, last = grown, time.perf_counter() - start
                first = last if first is None else first
            time.sleep(poll)
        wall = time.perf_counter() - start
    if memory and not can_poll:  # largest single process only; better than nothing off Linux
        import resource

        peak_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    return CliRun(wall, proc.returncode, peak_rss, peak_pss, first, last, output, cpu)


def jsonl_check(path: Path) -> tuple:
    """(lines naming a file, summary's file count) of a --format jsonl output."""
    files, summary_files = 0, None
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if "path" in record:
                files += 1
            elif "summary" in record:
                summary_files = record["summary"]["files"]
    return files, summary_files


def bench_cli(corpus: Corpus, scale: Scale, work: Path) -> list[Row]:
    n = sum(1 for _ in corpus.json_dir.iterdir())
    runs = {1: [], 2: []}
    sampled = {}

    def command(jobs: int) -> list[str]:
        return ["validate", "-j", str(jobs), "--format", "jsonl", str(corpus.json_dir)]

    for i in range(scale.cli_repeats):
        for jobs in (1, 2):
            runs[jobs].append(run_cli(command(jobs), work / f"cli-j{jobs}-{i}.jsonl", memory=False))
    for jobs in (1, 2):  # memory in runs of their own, so that sampling it slows no timed run
        sampled[jobs] = run_cli(command(jobs), work / f"cli-j{jobs}-memory.jsonl")
    s = f"CLI, {n:,} JSON files"
    rows: list[Row] = []
    best = {}
    for jobs in (1, 2):
        run = min(runs[jobs], key=lambda r: r.wall)
        best[jobs] = run
        peak_rss = sampled[jobs].peak_rss / 2**20
        peak_pss = sampled[jobs].peak_pss / 2**20
        files, summary_files = jsonl_check(run.output)
        rows += [
            Row(s, f"-j {jobs}: exit code", run.returncode, "", "0", run.returncode == 0),
            Row(s, f"-j {jobs}: wall time", run.wall, "s"),
            Row(s, f"-j {jobs}: rate", n / run.wall, "files/s"),
            *([Row(s, f"-j {jobs}: CPU time of the process tree (user + system)", run.cpu, "s")]
              if run.cpu is not None else []),
            Row(s, f"-j {jobs}: peak memory, RSS summed over the process tree", peak_rss, "MiB", "< 200 MiB",
                peak_rss < 200),
            Row(s, f"-j {jobs}: peak memory, PSS summed over the process tree", peak_pss, "MiB"),
            Row(s, f"-j {jobs}: jsonl lines naming a file", files, "lines", f"= {n:,} (one per file)",
                files == n and summary_files == n),
        ]
        span = (run.last_output or 0) - (run.first_output or 0)
        rows.append(Row(s, f"-j {jobs}: results written over (first to last write, of {run.wall:.1f} s)",
                        span, "s", "≥ 25% of the wall time (streamed)", run.streamed))
    speedup = best[1].wall / best[2].wall
    rows.append(Row(s, "speed-up -j 2 over -j 1", speedup, "×", "≥ 1.8×", speedup >= 1.8))
    median = statistics.median(r.wall for r in runs[1]) / statistics.median(r.wall for r in runs[2])
    rows.append(Row(s, f"speed-up of the median wall times ({scale.cli_repeats} runs each)", median, "×"))
    return rows


def bench_cold_start(corpus: Corpus, scale: Scale, work: Path) -> list[Row]:
    one = str(next(iter(sorted(corpus.json_dir.iterdir()))))
    env = cli_env()

    def median_wall(cmd: list[str]) -> float:
        walls = []
        for _ in range(scale.cold_runs):
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
            walls.append(time.perf_counter() - start)
        return statistics.median(walls)

    s = f"cold start (median of {scale.cold_runs})"
    interpreter = median_wall([sys.executable, "-c", "pass"])
    help_wall = median_wall(cli_command() + ["--help"])
    one_wall = median_wall(cli_command() + ["validate", one])
    return [
        Row(s, "python -c pass (the interpreter alone)", interpreter, "s"),
        Row(s, "qppfiles --help", help_wall, "s", "≤ 0.25 s", help_wall <= 0.25),
        Row(s, "qppfiles validate one.json", one_wall, "s", "≤ 0.5 s", one_wall <= 0.5),
    ]


# ---------------------------------------------------------------- text report to a pipe


def _pipe_wall(args: list[str], env: dict) -> tuple:
    """(wall seconds, bytes read, exit code) of the CLI with its standard output read from a pipe."""
    start = time.perf_counter()
    proc = subprocess.Popen(cli_command() + args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env, cwd=ROOT)
    size = 0
    while True:
        chunk = proc.stdout.read(1 << 16)
        if not chunk:
            break
        size += len(chunk)
    proc.wait()
    return time.perf_counter() - start, size, proc.returncode


def bench_text_pipe(corpus: Corpus, scale: Scale, work: Path) -> list[Row]:
    """The text report written to a pipe (plain text, no markup) against --format jsonl, same files,
    -j 1, best of a few runs each; and the text run's peak memory."""
    n = sum(1 for _ in corpus.json_dir.iterdir())
    env = cli_env()
    variants = {"text": ["--format", "text"], "text --show-info": ["--format", "text", "--show-info"],
                "jsonl": ["--format", "jsonl"]}
    best = {}
    for _ in range(max(3, scale.cli_repeats)):
        for name, extra in variants.items():
            wall, size, code = _pipe_wall(["validate", "-j", "1", *extra, str(corpus.json_dir)], env)
            if name not in best or wall < best[name][0]:
                best[name] = (wall, size, code)
    s = f"text report to a pipe, {n:,} JSON files, -j 1"
    rows: list[Row] = []
    for name, (wall, size, _code) in best.items():
        rows += [Row(s, f"{name}: wall time (best of {max(3, scale.cli_repeats)})", wall, "s"),
                 Row(s, f"{name}: output", size / 1000, "kB")]
    for name in ("text", "text --show-info"):
        ratio = best[name][0] / best["jsonl"][0]
        rows.append(Row(s, f"ratio {name} / jsonl", ratio, "×", "≤ 1.2×", ratio <= 1.2))
    sampled = run_cli(["validate", "-j", "1", "--format", "text", str(corpus.json_dir)], work / "text-memory.txt")
    rows.append(Row(s, "text: peak memory, RSS of the process", sampled.peak_rss / 2**20, "MiB"))
    return rows


# ---------------------------------------------------------------- strict profile


def bench_strict(shared: Path, quick: bool, work: Path):
    """Rows, and one line per sample file for the detailed table."""
    ig = shared / "cms" / "qrda3-ig"
    samples = sorted((shared / "cms" / "qrda3-samples").glob("*/*.xml"))
    if quick:
        samples = [p for p in samples if p.stat().st_size < 600_000]
    cache = work / "cache"
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(cache)  # an empty cache: the first pass compiles every schematron
    try:
        from qppfiles.model.options import Options
        from qppfiles.pipeline.validate import validate_bytes

        options = Options(profile="strict", ig_dir=str(ig))
        files = [(p, p.read_bytes()) for p in samples]
        details, cold, warm = [], [], []
        for path, data in files:
            start = time.perf_counter()
            report = validate_bytes(data, str(path), options)
            cold.append(time.perf_counter() - start)
            details.append([f"{path.parent.name}/{path.name}", len(data), cold[-1], None, report.errors,
                            report.warnings, None, None, None])
        for i, (path, data) in enumerate(files):
            start = time.perf_counter()
            validate_bytes(data, str(path), options)
            warm.append(time.perf_counter() - start)
            details[i][3] = warm[-1]
        reference, ours, differences = strict_against_reference(ig, files, options, repeats=1 if quick else 2)
        for i in range(len(files)):
            details[i][6:] = reference[i], ours[i], differences[i]
        # A new process whose disk cache is warm, two files at a time.
        run = run_cli(["validate", "--profile", "strict", "--ig", str(ig), "-j", "2", "--format", "jsonl",
                       *map(str, samples)], work / "strict.jsonl", env=cli_env(XDG_CACHE_HOME=str(cache)))
    finally:
        if previous is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = previous
    s = f"strict profile, {len(files)} CMS sample files"
    speed_up = statistics.fmean(reference) / statistics.fmean(ours)
    rows = [
        Row(s, "first pass, schematron cache empty: mean time per file", statistics.fmean(cold), "s/file"),
        Row(s, "first pass: total", sum(cold), "s"),
        Row(s, "second pass, compiled schematron in memory: mean time per file", statistics.fmean(warm), "s/file"),
        Row(s, "second pass: total", sum(warm), "s"),
        Row(s, "reference pipeline (lxml XMLSchema + isoschematron as compiled), warm: mean time per file",
            statistics.fmean(reference), "s/file"),
        Row(s, "qppfiles strict validate_bytes, same passes: mean time per file", statistics.fmean(ours), "s/file"),
        Row(s, "speed-up of qppfiles over the reference pipeline (mean per file)", speed_up, "×", "≥ 10×",
            speed_up >= 10),
        Row(s, "fired rules and failed asserts that differ from the reference", sum(differences), "", "= 0",
            sum(differences) == 0),
        Row(s, "new process, disk cache warm, CLI -j 2: wall time", run.wall, "s"),
        Row(s, "CLI -j 2 speed-up over the second pass total", sum(warm) / run.wall, "×"),
        Row(s, "CLI -j 2: peak memory, RSS summed over the process tree", run.peak_rss / 2**20, "MiB"),
    ]
    return rows, details


def strict_against_reference(ig: Path, files, options, repeats: int):
    """(reference s/file, qppfiles s/file, differing SVRL records per file), side by side in this process.

    The reference pipeline is what a user of lxml alone would run: parse, the CDA XMLSchema, then both
    schematron phases exactly as isoschematron compiles them (compiled once, warm).  Differences
    count the fired rules and failed asserts that the two stylesheets do not report alike, in order.
    """
    from lxml import etree

    from qppfiles.formats.qrda3 import strict
    from qppfiles.pipeline.validate import validate_bytes

    schema = strict._schema(ig / strict.XSD_RELATIVE)
    jobs, differences = [], []
    for _, data in files:
        root = etree.fromstring(data)
        extension = next(iter(strict._REPORT_TEMPLATE(root, root=strict.T.QRDA3_REPORT_CMS)), None)
        package = strict.choose_package(ig, strict._document_year(root, extension), extension)[0]
        stylesheets = [(strict.compiled_schematron(package, phase, reference=True),
                        strict.compiled_schematron(package, phase, reference=False))
                       for phase in ("errors", "warnings")]
        jobs.append(stylesheets)
        differing = 0
        for reference, fast in stylesheets:  # untimed: warms both and compares their reports
            expected, got = _svrl_records(reference(root)), _svrl_records(fast(root))
            differing += (sum((Counter(expected) - Counter(got)).values())
                          + sum((Counter(got) - Counter(expected)).values()))
            differing += int(not differing and expected != got)  # same records, another order
        differences.append(differing)

    def reference_pipeline(i):
        tree = etree.fromstring(files[i][1]).getroottree()
        schema.validate(tree)
        for reference, _ in jobs[i]:
            reference(tree)

    reference_times, our_times = [math.inf] * len(files), [math.inf] * len(files)
    for _ in range(repeats):
        for i, (path, data) in enumerate(files):  # interleaved, file by file
            start = time.perf_counter()
            reference_pipeline(i)
            reference_times[i] = min(reference_times[i], time.perf_counter() - start)
            start = time.perf_counter()
            validate_bytes(data, str(path), options)
            our_times[i] = min(our_times[i], time.perf_counter() - start)
    return reference_times, our_times, differences


def _svrl_records(report) -> list:
    svrl = "{http://purl.oclc.org/dsdl/svrl}"
    return [(node.tag, node.get("id"), node.get("context"), node.get("location"), node.get("test"))
            for node in report.getroot().iter(f"{svrl}fired-rule", f"{svrl}failed-assert",
                                              f"{svrl}successful-report")]


def strict_table(details) -> str:
    lines = ["| file | size | first pass | second pass | reference pipeline | qppfiles beside it | speed-up | "
             "differences | errors | warnings |", "|---|---|---|---|---|---|---|---|---|---|"]
    for name, size, cold, warm, errors, warnings, reference, ours, differing in details:
        lines.append(f"| {name} | {size / 1000:,.0f} kB | {cold:.2f} s | {warm:.3f} s | {reference:.2f} s | "
                     f"{ours:.3f} s | {reference / ours:.1f}× | {differing} | {errors} | {warnings} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- machine and report


def _first_line(path: str, prefix: str) -> str | None:
    try:
        with open(path) as fh:
            return next((line.split(":", 1)[1].strip() for line in fh if line.startswith(prefix)), None)
    except OSError:
        return None


def machine() -> dict:
    mem_kb = _first_line("/proc/meminfo", "MemTotal")
    os_name = None
    try:
        with open("/etc/os-release") as fh:
            os_name = next((line.split("=", 1)[1].strip().strip('"') for line in fh
                            if line.startswith("PRETTY_NAME=")), None)
    except OSError:
        pass
    return {
        "CPU": _first_line("/proc/cpuinfo", "model name") or platform.processor() or "unknown",
        "cores": os.cpu_count(),
        "RAM": f"{int(mem_kb.split()[0]) / 2**20:.1f} GiB" if mem_kb else "unknown",
        "OS": f"{os_name or platform.system()} (kernel {platform.release()})",
        "Python": f"{platform.python_version()} ({platform.python_implementation()})",
    }


def versions() -> dict:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version

    import qppfiles

    found = {"qppfiles": qppfiles.__version__}
    for dist in ("lxml", "jsonschema", "jsonschema-rs", "orjson", "click"):
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = "not installed"
    return found


def source_state() -> str:
    """The checkout's commit, and whether files differ from it (read-only git queries)."""
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (no git)"
    return f"{commit or 'unknown'}{' with uncommitted changes' if dirty else ''}"


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


METHOD = """\
- In-process numbers: the files are read into memory first; each function runs over the whole
  corpus in turn, passes interleaved, and the best pass counts (time per file = pass time / files).
  Targets are judged on wall time; the CPU time of the same passes is given beside it, because it
  moves less when other processes share the cores.
  One untimed pass first loads every lazily imported module, the catalog and the compiled schemas.
  `jsonschema` and `jsonschema-rs` validate the already parsed document against the shipped
  `document.json` schema (the validators qppfiles builds in `qppfiles.checks.schema`), collecting every
  error as qppfiles does; the pure-Python one runs over a subset, once. `lxml.etree.fromstring` uses
  lxml's default parser.
- CLI numbers: `qppfiles validate -j N --format jsonl DIR` as a subprocess, standard output to a file,
  wall time from start to exit (interpreter start-up included), best of the repeats; CPU time is the
  user + system time `wait4` reports for the CLI process and the workers it reaped. Peak memory is
  taken in one more run per `-j`, not in the timed ones, because sampling it costs the harness CPU
  that a `-j 2` run on two cores would lose: every 20 ms the harness walks the process tree from the CLI process
  (`/proc/<pid>/task/*/children`)
  and sums the resident set size (RSS, from `/proc/<pid>/smaps_rollup`) of every process in it; PSS
  is summed too, since RSS counts pages that forked workers share with their parent once per process.
  The output must have one JSON line per file plus the summary line. Streamed means that the output
  file kept growing over at least a quarter of the run, rather than appearing in one burst at the end.
- Cold start: the median wall time of fresh subprocesses, after the others, with the page cache warm.
- The package is byte-compiled before anything is measured, as `pip install` leaves it, so that no
  process (nor a worker importing a module after the fork) compiles source code.
- Strict profile: `validate_bytes` with `Options(profile="strict", ig_dir=...)` in this process, with
  an empty schematron cache directory (`XDG_CACHE_HOME`) for the first pass; the second pass reuses
  the compiled schematron held in memory; then the CLI in a new process, with the disk cache warm.
  Beside it, in the same process and file by file, the reference pipeline: `lxml.etree.fromstring`,
  the CDA `XMLSchema`, and both schematron phases as `isoschematron` compiles them (compiled once,
  warm), against qppfiles' `validate_bytes` (which also reads the file and runs its own checks); the best
  of the repeated passes counts, and the speed-up is the ratio of the mean times per file. Differences
  are the fired rules and failed asserts (id, context, location, test) of the rewritten stylesheet that
  are not those of the reference, in the same order, over both phases of every file.
- The machine may be shared: the load average before and after the run is given above.
"""


def report(rows: list[Row], info: dict, corpus: Corpus, strict_details, command: str) -> str:
    failed = [r for r in rows if r.ok is False]
    judged = [r for r in rows if r.ok is not None]
    parts = [
        "# Benchmark results",
        "",
        f"- Date: {info['date']}",
        f"- Command: `{command}` (from the project root), {info['seconds']:.0f} s",
        f"- Source: {info['source']}",
        "- Machine: " + ", ".join(f"{k} {v}" for k, v in info["machine"].items()),
        f"- Load average (1, 5, 15 min) before: {info['load_before']}; after: {info['load_after']}",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()),
        f"- CLI launched as: `{' '.join(cli_command())}` with `PYTHONPATH` set to the project root",
        "",
        "## Corpora",
        "",
        f"Generated with `qppfiles.generate.fake.fake_submission` and `qppfiles.generate.render.to_bytes`, "
        f"performance year {YEAR}, levels alternating individual and group, seeded by file number:",
        "",
        f"- QPP JSON: {JSON_SHAPE['n_quality']} quality measures, {JSON_SHAPE['n_ia']} improvement activities, "
        f"{JSON_SHAPE['n_pi']} PI measures per file.",
        f"- QRDA III ~50 kB: {QRDA_SHAPE['n_quality']} eCQM, {QRDA_SHAPE['n_ia']} improvement activities, "
        f"{QRDA_SHAPE['n_pi']} PI measures per file (one quality measure, so each file has a warning for "
        f"reporting fewer than the required measures; that is part of what is measured).",
    ]
    parts += [f"- {note}." for note in corpus.notes]
    parts += ["", "## Results", "",
              f"{len(judged) - len(failed)} of {len(judged)} targets met"
              + (f"; not met: {', '.join(f'{r.section} / {r.name}' for r in failed)}." if failed else "."),
              "", table(rows), ""]
    if strict_details:
        parts += ["## Strict profile, per file", "", strict_table(strict_details), ""]
    elif info.get("strict_note"):
        parts += ["## Strict profile", "", info["strict_note"], ""]
    parts += ["## Method", "", METHOD]
    return "\n".join(parts)


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Measure qppfiles against its performance targets.")
    parser.add_argument("--quick", action="store_true", help="small corpora, for a smoke run")
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "RESULTS.md"), help="results file")
    parser.add_argument("--no-write", action="store_true", help="print only, write no results file")
    parser.add_argument("--skip-cli", action="store_true", help="skip the command-line and cold-start runs")
    parser.add_argument("--skip-strict", action="store_true", help="skip the strict profile")
    parser.add_argument("--corpus", metavar="DIR",
                        help="keep the corpora in DIR and reuse them next time (e.g. benchmarks/.corpus)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    scale = QUICK if args.quick else FULL
    started = time.perf_counter()
    info = {"date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
            "load_before": load(), "machine": machine(), "versions": versions(), "source": source_state()}
    command = "python benchmarks/run.py" + "".join(f" {a}" for a in (argv if argv is not None else sys.argv[1:]))

    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="qppfiles-bench-") as tmp:
        work = Path(tmp)
        corpus_root = Path(args.corpus).resolve() if args.corpus else work / "corpus"
        step = _stepper()
        step("building corpora")
        corpus = build_corpus(corpus_root, scale)
        step("QPP JSON in process")
        rows = bench_json(corpus, scale)
        step("QRDA III in process")
        rows += bench_qrda(corpus, scale)
        if not args.skip_cli:
            step("command line at scale")
            rows += bench_cli(corpus, scale, work)
            step("cold start")
            rows += bench_cold_start(corpus, scale, work)
            step("text report to a pipe")
            rows += bench_text_pipe(corpus, scale, work)
        details = None
        shared = ROOT.parent / "shared"
        if args.skip_strict:
            info["strict_note"] = "Skipped (--skip-strict)."
        elif not (shared / "cms" / "qrda3-ig").is_dir():
            info["strict_note"] = f"Skipped: {shared} is absent (it holds the IG packages and CMS sample files)."
            print(f"note: strict profile skipped, {shared} is absent", file=sys.stderr)
        else:
            step("strict profile")
            strict_rows, details = bench_strict(shared, args.quick, work)
            rows += strict_rows
        step(None)

    info["load_after"] = load()
    info["seconds"] = time.perf_counter() - started
    print(table(rows))
    for note in corpus.notes:
        print(f"note: {note}")
    if not args.no_write:
        Path(args.output).write_text(report(rows, info, corpus, details, command), encoding="utf-8")
        print(f"written: {args.output}")
    return 0


def compile_bytecode() -> None:
    """Byte-compile the package, as installing it does.  Run from the source tree with
    PYTHONDONTWRITEBYTECODE set, every new process (and every module a forked worker imports)
    would otherwise be compiled from source again."""
    import compileall

    compileall.compile_dir(str(ROOT / "qppfiles"), quiet=1)


def _stepper() -> Callable[[str | None], None]:
    """Progress on stderr, with the time each step took."""
    state = {"name": None, "start": 0.0}

    def step(name: str | None) -> None:
        if state["name"]:
            print(f" {time.perf_counter() - state['start']:.1f} s", file=sys.stderr, flush=True)
        if name:
            print(f"{name} ...", end="", file=sys.stderr, flush=True)
        state["name"], state["start"] = name, time.perf_counter()

    return step


if __name__ == "__main__":
    sys.exit(main())
