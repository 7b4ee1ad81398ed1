"""Hostile paths and sizes: huge files, special files, unreadable paths, memory, read-only inputs, internal errors.

The memory bounds are measured in a child process with ``resource.getrusage`` (max RSS), so that a blow-up
would show even though the parent has already loaded everything.
"""

from __future__ import annotations

import builtins
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.model.options import DEFAULT_MAX_FILE_SIZE
from qppfiles.model.options import Options
from qppfiles.pipeline.runner import check_file
from qppfiles.pipeline.validate import FileTooLarge
from qppfiles.pipeline.validate import read_limited

from .conftest import FIXTURES
from .conftest import ROOT

GIB = 1024 ** 3
RSS_LIMIT_MB = 500
JSON_FIXTURE = FIXTURES / "2024" / "group-traditional.json"
XML_FIXTURE = FIXTURES / "qrda3" / "2024-group-mips.xml"


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    return result


def _gigabyte(path: Path, streamed: bool = False) -> Path:
    """A 1 GiB file: sparse (truncate) or really written in 1 MiB blocks."""
    with open(path, "wb") as fh:
        if streamed:
            block = b" " * (1024 * 1024)
            for _ in range(1024):
                fh.write(block)
        else:
            fh.truncate(GIB)
    assert path.stat().st_size == GIB
    return path


# ------------------------------------------------------------------ size limits


@pytest.mark.parametrize("name", ["big.json", "big.xml"])
def test_one_gigabyte_file_is_refused_without_reading_it(tmp_path, monkeypatch, name):
    big = _gigabyte(tmp_path / name)
    reads = []
    real_open = builtins.open

    def spy_fdopen(fd, *args, **kwargs):
        fh = real_open(fd, *args, **kwargs)
        real_read = fh.read
        reads.append(0)

        def read(n=-1):
            data = real_read(n)
            reads[-1] += len(data)
            return data

        fh.read = read
        return fh

    monkeypatch.setattr(os, "fdopen", spy_fdopen)
    result = invoke("validate", str(big), "--format", "json")
    assert result.exit_code == 2  # input that is not read exits 2, as an unreadable path does
    assert "above the limit" in result.stderr
    findings = json.loads(result.stdout)["files"][0]["findings"]
    assert [f["code"] for f in findings] == ["F010"]
    assert f"{GIB:,}" in findings[0]["message"] and f"{DEFAULT_MAX_FILE_SIZE:,}" in findings[0]["message"]
    assert sum(reads) == 0


def test_file_just_above_a_small_limit(tmp_path):
    data = JSON_FIXTURE.read_bytes()
    limit = 4096
    assert len(data) > limit
    at_limit = tmp_path / "at-limit.json"
    at_limit.write_bytes(data[:limit])
    above = tmp_path / "above.json"
    above.write_bytes(data[: limit + 1])
    report = json.loads(invoke("validate", str(above), str(at_limit), "--format", "json",
                               "--max-file-size", "4k").stdout)
    above_codes = [f["code"] for f in report["files"][0]["findings"]]
    at_limit_codes = [f["code"] for f in report["files"][1]["findings"]]
    assert above_codes == ["F010"]
    assert at_limit_codes == ["F005"]  # read, and found truncated: the limit is inclusive
    with pytest.raises(FileTooLarge):
        read_limited(str(above), limit)
    assert read_limited(str(at_limit), limit) == data[:limit]


def test_a_file_that_grows_after_its_size_was_taken_is_read_whole_up_to_the_limit(tmp_path, monkeypatch):
    import os

    import qppfiles.pipeline.validate as validate_module

    path = tmp_path / "growing.json"
    path.write_bytes(b"x" * 1000)
    real_fstat = os.fstat

    def stale_fstat(fd):  # the size as it was before the writer appended
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:]))

    monkeypatch.setattr(validate_module.os, "fstat", stale_fstat)
    assert read_limited(str(path), 5000) == b"x" * 1000
    with pytest.raises(FileTooLarge):
        read_limited(str(path), 500)


@pytest.mark.parametrize("command", ["convert", "score"])
def test_convert_and_score_refuse_big_files(tmp_path, command):
    big = _gigabyte(tmp_path / "big.json")
    result = invoke(command, str(big))
    assert result.exit_code == 2
    assert f"{GIB:,}" in result.output and "limit" in result.output
    assert result.stdout == ""


# The child's own peak: VmHWM belongs to the memory of the running program, while ru_maxrss also counts
# the parent's peak inherited through fork, so a big test run earlier would inflate it.
PEAK_RSS = textwrap.dedent("""
    def peak_rss_mb():
        import resource
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
""")

_MEMORY_PROBE = PEAK_RSS + textwrap.dedent("""
    import json, sys
    from click.testing import CliRunner
    from qppfiles.cli import main
    exits = []
    for args in json.loads(sys.argv[1]):
        result = CliRunner().invoke(main, args)
        assert "Traceback" not in result.output, result.output
        exits.append(result.exit_code)
    print(json.dumps({"exits": exits, "max_rss_mb": peak_rss_mb()}))
""")


def _probe_memory(runs: list) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    done = subprocess.run([sys.executable, "-c", _MEMORY_PROBE, json.dumps(runs)], capture_output=True, text=True,
                          timeout=120, env=env, cwd=str(ROOT))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not hasattr(__import__("os"), "fork") or sys.platform == "darwin",
                    reason="ru_maxrss in KiB is Linux behaviour")
def test_memory_stays_bounded_for_huge_and_expanding_inputs(tmp_path):
    big_json = _gigabyte(tmp_path / "streamed.json", streamed=True)
    big_xml = _gigabyte(tmp_path / "sparse.xml")
    body = XML_FIXTURE.read_bytes()
    body = body[body.index(b"<ClinicalDocument"):]
    title = body.index(b"<title>") + len(b"<title>")
    laughs = b'<!ENTITY l0 "lol">' + b"".join(
        b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
    billion = tmp_path / "laughs.xml"
    billion.write_bytes(b"<!DOCTYPE ClinicalDocument [" + laughs + b"]>" + body[:title] + b"&l9;" + body[title:])
    billion16 = tmp_path / "laughs16.xml"
    billion16.write_bytes(billion.read_text().encode("utf-16"))
    quadratic = tmp_path / "quadratic.xml"
    quadratic.write_bytes(b'<!DOCTYPE ClinicalDocument [<!ENTITY a "' + b"x" * 100_000 + b'">]>' + body[:title]
                          + b"&a;" * 100_000 + body[title:])
    quadratic16 = tmp_path / "quadratic16.xml"
    quadratic16.write_bytes(quadratic.read_text().encode("utf-16"))
    files = [str(p) for p in (big_json, big_xml, billion, billion16, quadratic, quadratic16)]
    result = _probe_memory([
        ["validate", *files, "--format", "json"],
        ["convert", str(big_json)],
        ["score", str(big_xml)],
        ["convert", str(quadratic16)],
    ])
    assert result["exits"] == [2, 2, 2, 2]
    assert result["max_rss_mb"] < RSS_LIMIT_MB, result


# ------------------------------------------------------------------ special paths


def test_directory_given_as_a_file(tmp_path):
    folder = tmp_path / "looks-like.json"
    folder.mkdir()
    report = check_file(str(folder), Options())
    assert [f.code for f in report.findings] == ["F011"] and "directory" in report.findings[0].message
    for command in ("convert", "score"):
        result = invoke(command, str(folder))
        assert result.exit_code == 2 and "directory" in result.output


def test_empty_directory_is_a_usage_error(tmp_path):
    result = invoke("validate", str(tmp_path), "--format", "json")
    assert result.exit_code == 2 and result.stdout == "" and "no .json or .xml file" in result.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
def test_fifo_is_refused_instead_of_blocking(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    for command in (["validate", str(fifo), "--format", "json"], ["convert", str(fifo)], ["score", str(fifo)]):
        # A child process: a regression would block forever on open(), which only a timeout can stop.
        done = subprocess.run([sys.executable, "-m", "qppfiles", *command], capture_output=True, text=True,
                              timeout=30, env=env)
        assert done.returncode == 2, (command, done.stderr)
        assert "not a regular file" in done.stdout + done.stderr
        assert "Traceback" not in done.stderr


def test_missing_and_dangling_paths(tmp_path):
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere.json")
    for path in (dangling, tmp_path / "missing.json"):
        result = invoke("validate", str(path))
        assert result.exit_code == 2 and "no such file" in result.output.lower()
        for command in ("convert", "score"):
            assert invoke(command, str(path)).exit_code == 2


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: chmod 000 does not stop root from reading the file")
def test_unreadable_file(tmp_path):
    locked = tmp_path / "locked.json"
    locked.write_bytes(JSON_FIXTURE.read_bytes())
    locked.chmod(0)
    try:
        result = invoke("validate", str(locked), "--format", "json")
        assert result.exit_code == 2
        assert [f["code"] for f in json.loads(result.stdout)["files"][0]["findings"]] == ["F011"]
        for command in ("convert", "score"):
            assert invoke(command, str(locked)).exit_code == 2
    finally:
        locked.chmod(0o644)


# ------------------------------------------------------------------ inputs are only read


@pytest.fixture
def open_spy(monkeypatch):
    """Records every (path, mode) opened through open(), io.open and os.open."""
    seen = []
    real_open, real_os_open = builtins.open, os.open

    def spy_open(file, mode="r", *args, **kwargs):
        if isinstance(file, (str, os.PathLike)):
            seen.append((os.path.realpath(file), mode))
        return real_open(file, mode, *args, **kwargs)

    def spy_os_open(path, flags, *args, **kwargs):
        writes = flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND)
        seen.append((os.path.realpath(path), "w" if writes else "r"))
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy_open)
    monkeypatch.setattr(io, "open", spy_open)
    monkeypatch.setattr(os, "open", spy_os_open)
    return seen


@pytest.mark.parametrize("fixture", [JSON_FIXTURE, XML_FIXTURE])
def test_inputs_are_opened_read_only(tmp_path, open_spy, fixture):
    source = tmp_path / fixture.name
    source.write_bytes(fixture.read_bytes())
    stamp = source.stat().st_mtime_ns
    open_spy.clear()  # from here on, only the commands' own opens
    invoke("validate", str(source))
    invoke("validate", str(tmp_path), "-o", str(tmp_path / "report.txt"))
    invoke("convert", str(source), "-o", str(tmp_path / "converted.out"))
    invoke("score", str(source), "-o", str(tmp_path / "score.txt"))
    modes = [mode for path, mode in open_spy if path == os.path.realpath(source)]
    assert modes and all(set(mode) <= {"r", "b", "t"} for mode in modes), modes
    assert source.read_bytes() == fixture.read_bytes() and source.stat().st_mtime_ns == stamp


# ------------------------------------------------------------------ internal failures


@pytest.mark.parametrize("command, target", [
    ("convert", "qppfiles.formats.qppjson.writer.to_dict"),
    ("convert", "qppfiles.pipeline.validate.rule_findings"),
    ("score", "qppfiles.scoring.score_submission"),
])
def test_internal_failure_in_a_command_is_one_line_not_a_traceback(tmp_path, monkeypatch, command, target):
    import importlib

    module_name, attribute = target.rsplit(".", 1)

    def explode(*args, **kwargs):
        raise RuntimeError("simulated failure")

    monkeypatch.setattr(importlib.import_module(module_name), attribute, explode)
    source = XML_FIXTURE if attribute == "to_dict" else JSON_FIXTURE
    out = tmp_path / "out.file"
    result = CliRunner().invoke(main, [command, str(source), "-o", str(out)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "internal error" in result.stderr and "simulated failure" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_internal_failure_in_a_real_process_prints_no_traceback(tmp_path):
    """The same through ``python -m qppfiles``, where an escaping exception would print a traceback."""
    script = textwrap.dedent("""
        import sys
        import qppfiles.scoring as scoring
        def explode(*args, **kwargs):
            raise ZeroDivisionError("simulated")
        scoring.score_submission = explode
        from qppfiles.cli import main
        main(sys.argv[1:], prog_name="qppfiles")
    """)
    done = subprocess.run([sys.executable, "-c", script, "score", str(JSON_FIXTURE)], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "ZeroDivisionError" in done.stderr
    assert done.stdout == ""
