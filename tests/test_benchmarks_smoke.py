"""The benchmark harness runs end to end on small corpora and prints every expected row.

No timing is asserted: only that each measurement is there, is a positive number, and that rows
with a target say PASS or FAIL.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUN = ROOT / "benchmarks" / "run.py"
QUICK_JSON_FILES = 300

EXPECTED = [
    ("QPP JSON", "qppfiles validate_bytes: time per file", "µs/file"),
    ("QPP JSON", "qppfiles validate_bytes: throughput", "files/s"),
    ("QPP JSON", "qppfiles validate_bytes: throughput", "MB/s"),
    ("QPP JSON", "json.loads: time per file", "µs/file"),
    ("QPP JSON", "jsonschema-rs on the parsed document: time per file", "µs/file"),
    ("QPP JSON", "jsonschema (Python) on the parsed document, 30 files: time per file", "µs/file"),
    ("QPP JSON", "ratio qppfiles / json.loads", "×"),
    ("QPP JSON", "ratio qppfiles / jsonschema-rs", "×"),
    ("QPP JSON", "ratio qppfiles / jsonschema (Python)", "×"),
    ("QRDA III ~50 kB", "corpus mean file size", "kB"),
    ("QRDA III ~50 kB", "qppfiles validate_bytes: time per file", "µs/file"),
    ("QRDA III ~50 kB", "lxml.etree.fromstring: time per file", "µs/file"),
    ("QRDA III ~50 kB", "ratio qppfiles / lxml.etree.fromstring", "×"),
    ("QRDA III large", "corpus mean file size", "kB"),
    ("QRDA III large", "qppfiles validate_bytes: time per file", "µs/file"),
    ("QRDA III large", "ratio qppfiles / lxml.etree.fromstring", "×"),
    ("CLI, 300 JSON files", "-j 1: wall time", "s"),
    ("CLI, 300 JSON files", "-j 2: wall time", "s"),
    ("CLI, 300 JSON files", "-j 1: peak memory, RSS summed over the process tree", "MiB"),
    ("CLI, 300 JSON files", "-j 2: peak memory, RSS summed over the process tree", "MiB"),
    ("CLI, 300 JSON files", "speed-up -j 2 over -j 1", "×"),
    ("cold start (median of 3)", "qppfiles --help", "s"),
    ("cold start (median of 3)", "qppfiles validate one.json", "s"),
]
TARGETED = {"qppfiles validate_bytes: throughput/files/s", "ratio qppfiles / json.loads",
            "ratio qppfiles / lxml.etree.fromstring", "speed-up -j 2 over -j 1", "qppfiles --help",
            "qppfiles validate one.json"}


@pytest.fixture(scope="module")
def quick_run():
    proc = subprocess.run([sys.executable, str(RUN), "--quick", "--no-write", "--skip-strict"],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr
    return proc


def _rows(stdout: str) -> dict:
    """(section, measurement, unit) -> (value, target, status) from the printed Markdown table."""
    rows = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("section", "---"):
            continue
        section, name, shown, target, status = cells
        number, _, unit = shown.partition(" ")
        rows[(section, name, unit)] = (float(number.replace(",", "")), target, status)
    return rows


def test_every_expected_row_is_printed_with_a_positive_number(quick_run):
    rows = _rows(quick_run.stdout)
    missing = [key for key in EXPECTED if key not in rows]
    assert not missing, f"rows missing from the table: {missing}\n{quick_run.stdout}"
    for key in EXPECTED:
        value, target, status = rows[key]
        assert value > 0, (key, value)
        if key[1] in TARGETED or f"{key[1]}/{key[2]}" in TARGETED:
            assert target != "—" and status in ("PASS", "FAIL"), (key, target, status)


def test_the_cli_output_is_checked_line_by_line(quick_run):
    rows = _rows(quick_run.stdout)
    for jobs in (1, 2):
        value, _, _ = rows[("CLI, 300 JSON files", f"-j {jobs}: jsonl lines naming a file", "lines")]
        assert value == QUICK_JSON_FILES
        assert rows[("CLI, 300 JSON files", f"-j {jobs}: exit code", "")][2] in ("PASS", "FAIL")


def test_statuses_are_pass_fail_or_info_and_nothing_is_written(quick_run):
    rows = _rows(quick_run.stdout)
    assert rows and {status for _, _, status in rows.values()} <= {"PASS", "FAIL", "info"}
    assert not re.search(r"^written:", quick_run.stdout, re.MULTILINE)
    assert "note: large QRDA III group file" in quick_run.stdout
