"""Peak memory of `qppfiles validate` on one large file, as a multiple of the file's size.

    python benchmarks/memory_large.py 50 200      # sizes in MB

Builds a QPP JSON and a QRDA III group file of about each size (every measure of the year, repeated
with other counts), then runs `qppfiles validate --format jsonl FILE` in a subprocess and reads its
peak resident set size (ru_maxrss from wait4). Not run by the test suite.
"""

from __future__ import annotations

import dataclasses
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import large_qrda3

MB = 1_000_000


def large_json(target_bytes: int) -> bytes:
    from qppfiles.formats import qppjson
    from qppfiles.generate.fake import fake_submission

    base = fake_submission(2024, "group", random.Random(1), n_quality=6, target="json")
    quality, *rest = base.measurement_sets
    one = dataclasses.replace(quality, measurements=quality.measurements * 100)
    per_measure = len(qppjson.write(dataclasses.replace(base, measurement_sets=(one, *rest)))) / 600
    wanted = int(target_bytes / per_measure)
    measurements = (quality.measurements * (wanted // len(quality.measurements) + 1))[:wanted]
    quality = dataclasses.replace(quality, measurements=tuple(measurements))
    return qppjson.write(dataclasses.replace(base, measurement_sets=(quality, *rest)))


def peak_rss(path: Path) -> tuple:
    proc = subprocess.Popen([sys.executable, "-m", "qppfiles", "validate", "--format", "jsonl",
                             "--max-file-size", "1G", str(path)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    return usage.ru_maxrss * 1024, os.waitstatus_to_exitcode(status), usage.ru_utime + usage.ru_stime


def main(sizes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        print("| file | size | peak RSS | RSS / size | exit | CPU s |")
        print("|---|---|---|---|---|---|")
        for mb in sizes:
            for kind, build in (("QPP JSON", large_json), ("QRDA III", lambda n: large_qrda3(n)[0])):
                path = Path(tmp) / f"large-{mb}.{'json' if kind == 'QPP JSON' else 'xml'}"
                path.write_bytes(build(mb * MB))
                size = path.stat().st_size
                rss, code, cpu = peak_rss(path)
                print(f"| {kind} | {size / MB:,.0f} MB | {rss / MB:,.0f} MB | {rss / size:.1f}× | {code} | {cpu:.1f} |",
                      flush=True)
                path.unlink()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [50])
