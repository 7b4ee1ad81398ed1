"""No data loss: writes are atomic, never over an input, never over a file without --force, even when killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.report.atomic import WriteRefused
from qppfiles.report.atomic import write_atomic

from .conftest import FIXTURES
from .conftest import ROOT

JSON_FIXTURE = FIXTURES / "2024" / "group-traditional.json"
OLD = b"the old content, which must survive\n"


def test_refuses_to_replace_without_force(tmp_path):
    target = tmp_path / "out.json"
    target.write_bytes(OLD)
    with pytest.raises(WriteRefused, match="--force"):
        write_atomic(target, b"new")
    assert target.read_bytes() == OLD
    write_atomic(target, b"new", force=True)
    assert target.read_bytes() == b"new"
    assert sorted(os.listdir(tmp_path)) == ["out.json"]


def test_never_writes_over_an_input_even_with_force(tmp_path):
    source = tmp_path / "in.json"
    source.write_bytes(OLD)
    link = tmp_path / "alias.json"
    link.symlink_to(source)
    for target in (source, link, tmp_path / "." / "in.json"):
        with pytest.raises(WriteRefused, match="input"):
            write_atomic(target, b"new", force=True, inputs=[source])
    assert source.read_bytes() == OLD


def test_failure_midway_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "out.json"
    target.write_bytes(OLD)

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="space"):
        write_atomic(target, b"x" * 100_000, force=True)
    assert target.read_bytes() == OLD
    assert os.listdir(tmp_path) == ["out.json"]


_KILLED_WRITER = textwrap.dedent("""
    import os, sys, time
    from qppfiles.report import atomic

    real_fdopen = os.fdopen

    class HalfThenHang:
        def __init__(self, fh):
            self.fh = fh
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self.fh.__exit__(*exc)
        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            print("HALF", flush=True)
            time.sleep(600)  # killed here, in the middle of the write
        def __getattr__(self, name):
            return getattr(self.fh, name)

    os.fdopen = lambda *a, **k: HalfThenHang(real_fdopen(*a, **k))
    atomic.write_atomic(sys.argv[1], b"N" * 8_000_000, force=True)
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_midway_keeps_the_old_file(tmp_path):
    target = tmp_path / "submission.json"
    target.write_bytes(OLD)
    child = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(target)], stdout=subprocess.PIPE,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert child.stdout.readline().strip() == b"HALF"
        partial = [name for name in os.listdir(tmp_path) if name != "submission.json"]
        assert len(partial) == 1 and (tmp_path / partial[0]).stat().st_size == 4_000_000  # really mid-write
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    assert target.read_bytes() == OLD
    leftovers = [name for name in os.listdir(tmp_path) if name != "submission.json"]
    # The half-written temporary file cannot be removed by a killed process; it is hidden and never
    # mistaken for a submission: a directory walk does not pick it up.
    assert all(name.startswith(".") and name.endswith(".tmp") for name in leftovers)
    result = CliRunner().invoke(main, ["validate", str(tmp_path), "--format", "json"])
    assert '"path"' in result.stdout and all(name not in result.stdout for name in leftovers)


@pytest.mark.parametrize("command, extra", [("convert", ["--to", "json"]), ("score", [])])
def test_commands_need_force_to_replace_output(tmp_path, command, extra):
    source = tmp_path / "in.json"
    source.write_bytes(JSON_FIXTURE.read_bytes())
    out = tmp_path / "out.file"
    out.write_bytes(OLD)
    result = CliRunner().invoke(main, [command, str(source), *extra, "-o", str(out)])
    assert result.exit_code == 2 and "--force" in result.output and "Traceback" not in result.output
    assert out.read_bytes() == OLD
    result = CliRunner().invoke(main, [command, str(source), *extra, "-o", str(out), "--force"])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() != OLD and out.stat().st_size > 0
    result = CliRunner().invoke(main, [command, str(source), *extra, "-o", str(source), "--force"])
    assert result.exit_code == 2 and "input" in result.output
    assert source.read_bytes() == JSON_FIXTURE.read_bytes()
    assert sorted(os.listdir(tmp_path)) == ["in.json", "out.file"]
