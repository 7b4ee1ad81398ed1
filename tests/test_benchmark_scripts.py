"""The single-purpose benchmark scripts run end to end on tiny inputs and print what they promise.

No timing is asserted: only that each number is there and is positive.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> str:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_qrda_ratio_prints_both_ratios():
    out = _run("benchmarks/qrda_ratio.py", "4", "1")
    assert re.search(r"files 4, \d+-\d+ kB, valid 4", out), out
    best_pass = re.search(r"ratio wall ([\d.]+)x, CPU ([\d.]+)x \(best pass\)", out)
    per_file = re.search(r"ratio wall ([\d.]+)x \(each file's fastest of 3, ", out)
    assert best_pass and per_file, out
    assert all(float(v) > 0 for v in (*best_pass.groups(), per_file.group(1)))


@pytest.mark.parametrize("options, labels", [
    ((), ["validate -j 2, text to a pipe", "validate -j 2 --format jsonl", "scale_futures.py --dask"]),
    (("--jobs", "1", "--no-dask"), ["validate -j 1, text to a pipe", "validate -j 1 --format jsonl"]),
])
def test_memory_many_prints_a_row_per_command_and_count(options, labels):
    out = _run("benchmarks/memory_many.py", *options, "40")
    rows = [line for line in out.splitlines() if line.startswith("| ") and "| 40 |" in line]
    assert [row.split("|")[1].strip() for row in rows] == labels
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        assert all(float(c.split()[0].replace(",", "")) > 0 for c in cells[2:5]), row  # memory peaks
        assert cells[6] == "0", row  # every generated file is valid
