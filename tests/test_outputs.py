"""Every -o of every command: atomic, never over an input, never over a file without --force, never its
own input; interrupted or failed runs leave the previous output as it was and no temporary file."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.report import atomic

from .conftest import FIXTURES
from .conftest import ROOT

JSON_FIXTURE = FIXTURES / "2024" / "group-traditional.json"
QRDA_FIXTURE = FIXTURES / "qrda3" / "2024-group-mips.xml"
TABLE_FIXTURE = FIXTURES / "generate" / "group-2024.yaml"
OLD = b"the previous output, which must survive\n"


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _tree(tmp_path):
    """A directory with two submissions (one valid JSON, one QRDA III)."""
    tree = tmp_path / "subs"
    tree.mkdir()
    (tree / "a.json").write_bytes(JSON_FIXTURE.read_bytes())
    (tree / "b.xml").write_bytes(QRDA_FIXTURE.read_bytes())
    return tree


def _stray(directory):
    return sorted(n for n in os.listdir(directory) if n.endswith(atomic.TEMP_SUFFIX))


# Each command with an input file it reads and the arguments that write its output.
COMMANDS = {
    "validate": lambda src: ["validate", src, "--format", "json"],
    "lint": lambda src: ["lint", src, "--format", "junit"],
    "convert": lambda src: ["convert", src, "--to", "qrda3"],
    "score": lambda src: ["score", src, "--format", "json"],
    "generate from": lambda src: ["generate", "from", src],
}


def convertible_json() -> bytes:
    """QPP JSON that QRDA III holds exactly (every eligible patient reported): the QRDA III fixture, read."""
    from qppfiles.formats import qppjson
    from qppfiles.formats import qrda3

    return qppjson.write(qrda3.read(QRDA_FIXTURE.read_bytes()).submission)


def _source(tmp_path, command):
    if command == "generate from":
        source = tmp_path / "counts.yaml"
        source.write_bytes(TABLE_FIXTURE.read_bytes())
    elif command == "convert":
        source = tmp_path / "in.json"
        source.write_bytes(convertible_json())
    else:
        source = tmp_path / "in.json"
        source.write_bytes(JSON_FIXTURE.read_bytes())
    return source


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_output_never_replaces_an_input_even_with_force(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    source = _source(tmp_path, command)
    before = source.read_bytes()
    for extra in ([], ["--force"]):
        result = invoke(*COMMANDS[command](source), "-o", source, *extra)
        assert result.exit_code == 2, result.output
        assert "input file" in result.output and "Traceback" not in result.output
        assert source.read_bytes() == before
    assert _stray(tmp_path) == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_output_needs_force_to_replace_a_file(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    source = _source(tmp_path, command)
    out = tmp_path / "out.file"
    out.write_bytes(OLD)
    result = invoke(*COMMANDS[command](source), "-o", out)
    assert result.exit_code == 2 and "--force" in result.output, result.output
    assert out.read_bytes() == OLD
    result = invoke(*COMMANDS[command](source), "-o", out, "--force")
    assert result.exit_code in (0, 1), result.output
    assert out.read_bytes() != OLD and out.stat().st_size > 100
    assert _stray(tmp_path) == []


def test_generate_template_needs_force(tmp_path):
    out = tmp_path / "counts.yaml"
    out.write_bytes(OLD)
    args = ["generate", "template", "--year", "2024", "--level", "group", "-o", out]
    assert invoke(*args).exit_code == 2 and out.read_bytes() == OLD
    assert invoke(*args, "--force").exit_code == 0 and b"2024" in out.read_bytes()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_output_into_a_missing_directory_is_one_usage_line(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    source = _source(tmp_path, command)
    result = invoke(*COMMANDS[command](source), "-o", tmp_path / "nowhere" / "out.file")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "does not exist" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_validate_in_place_keeps_the_input(tmp_path):
    # The regression: the output used to be opened (truncated) before anything was checked.
    source = tmp_path / "in.json"
    source.write_bytes(JSON_FIXTURE.read_bytes())
    result = invoke("validate", source, "-o", source)
    assert result.exit_code == 2 and source.read_bytes() == JSON_FIXTURE.read_bytes()


def test_validate_never_checks_its_own_report(tmp_path):
    tree = _tree(tmp_path)
    report = tree / "report.json"
    assert invoke("validate", tree, "--format", "json", "-o", report).exit_code == 0
    first = json.loads(report.read_text())
    assert [f["path"] for f in first["files"]] == [str(tree / "a.json"), str(tree / "b.xml")]
    assert invoke("validate", tree, "--format", "json", "-o", report).exit_code == 2  # exists: needs --force
    result = invoke("validate", tree, "--format", "json", "-o", report, "--force")
    assert result.exit_code == 0, result.output
    assert json.loads(report.read_text()) == first
    assert _stray(tree) == []


def test_lint_never_lints_its_own_junit_report(tmp_path, monkeypatch):
    tree = _tree(tmp_path)
    monkeypatch.chdir(tree)
    assert invoke("lint", "--format", "junit", "-o", "report.xml").exit_code == 0
    from lxml import etree

    def cases():
        return [case.get("name") for case in etree.parse(str(tree / "report.xml")).iter("testcase")]

    first = cases()
    assert len(first) == 2 and not any("report.xml" in name for name in first)
    result = invoke("lint", "--format", "junit", "-o", "report.xml", "--force")
    assert result.exit_code == 0, result.output
    assert cases() == first


def _full_disk_after(limit, real_open):
    def open_temp(fd, binary):
        fh = real_open(fd, binary)
        written = [0]
        real_write = fh.write

        def write(data):
            written[0] += len(data)
            if written[0] > limit:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real_write(data)

        fh.write = write
        return fh
    return open_temp


@pytest.mark.parametrize("fmt", ["text", "jsonl", "json"])
def test_full_disk_keeps_the_previous_validate_report(tmp_path, monkeypatch, fmt):
    tree = _tree(tmp_path)
    out = tmp_path / "report.out"
    out.write_bytes(OLD)
    monkeypatch.setattr(atomic, "_open_temp", _full_disk_after(200, atomic._open_temp))
    result = invoke("validate", tree, "--format", fmt, "-o", out, "--force")
    assert result.exit_code == 2
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert out.read_bytes() == OLD
    assert _stray(tmp_path) == []


@pytest.mark.parametrize("command", ["convert", "score", "lint"])
def test_full_disk_keeps_the_previous_output(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    source = _source(tmp_path, command)
    out = tmp_path / "out.file"
    out.write_bytes(OLD)
    monkeypatch.setattr(atomic, "_open_temp", _full_disk_after(50, atomic._open_temp))
    result = invoke(*COMMANDS[command](source), "-o", out, "--force")
    assert result.exit_code == 2 and "No space left on device" in result.output
    assert out.read_bytes() == OLD
    assert _stray(tmp_path) == []


def test_a_file_appearing_during_the_write_is_never_replaced(tmp_path):
    # Two runs racing for one output: the second to finish must not replace the first's file.
    target = tmp_path / "out.xml"
    with pytest.raises(atomic.WriteRefused, match="--force"):
        with atomic.atomic_output(target, binary=True) as fh:
            fh.write(b"second run")
            target.write_bytes(b"first run")
    assert target.read_bytes() == b"first run"
    assert _stray(tmp_path) == []


def test_concurrent_convert_to_one_output_does_not_overwrite(tmp_path, monkeypatch):
    from qppfiles.cli import convert

    source = _source(tmp_path, "convert")
    out = tmp_path / "out.xml"
    real = convert._convert

    def convert_while_another_run_finishes(submission, target):
        out.write_bytes(b"written by the other run")
        return real(submission, target)

    monkeypatch.setattr(convert, "_convert", convert_while_another_run_finishes)
    result = invoke("convert", source, "--to", "qrda3", "-o", out)
    assert result.exit_code == 2 and "--force" in result.output
    assert out.read_bytes() == b"written by the other run"
    assert _stray(tmp_path) == []


_SLOW_VALIDATE = textwrap.dedent("""
    import sys, time
    from qppfiles.pipeline import runner
    from qppfiles.cli import main

    real = runner.check_file
    calls = []

    def slow(path, options):
        calls.append(path)
        if len(calls) == 2:  # the first file's report is already in the temporary file
            print("STARTED", flush=True)
            time.sleep(600)
        return real(path, options)

    runner.check_file = slow
    main(sys.argv[1:])
""")


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("signame, code", [("SIGINT", 130), ("SIGTERM", 128 + 15)])
def test_signal_midrun_keeps_the_previous_report(tmp_path, signame, code, jobs):
    if not hasattr(signal, signame):
        pytest.skip(f"no {signame} here")
    tree = _tree(tmp_path)
    out = tmp_path / "report.txt"
    out.write_bytes(OLD)
    child = subprocess.Popen([sys.executable, "-c", _SLOW_VALIDATE, "validate", str(tree), "-o", str(out),
                              "--force", "-j", jobs], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert child.stdout.readline().strip() == b"STARTED"
        assert len(_stray(tmp_path)) == 1  # really mid-run: the report is being written
        child.send_signal(getattr(signal, signame))
        _, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == code
    assert b"Traceback" not in err
    assert out.read_bytes() == OLD
    assert _stray(tmp_path) == []


def test_racing_convert_processes_write_one_output_once(tmp_path):
    source = _source(tmp_path, "convert")
    out = tmp_path / "out.xml"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    runs = [subprocess.Popen([sys.executable, "-m", "qppfiles", "convert", str(source), "--to", "qrda3", "-o",
                              str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
            for _ in range(3)]
    results = [(run.communicate(timeout=120)[1], run.returncode) for run in runs]
    assert sorted(code for _, code in results) == [0, 2, 2]
    assert all(b"--force" in err for err, code in results if code == 2)
    from lxml import etree

    root = etree.fromstring(out.read_bytes())  # one whole document, written once
    assert etree.QName(root).localname == "ClinicalDocument"
    assert _stray(tmp_path) == []
