"""A finding takes its severity, layer and consequence from its code's register entry."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.model.codes import get
from qppfiles.model.findings import ERROR
from qppfiles.model.findings import INFO
from qppfiles.model.findings import WARNING
from qppfiles.model.findings import Finding
from qppfiles.model.findings import Location
from qppfiles.model.findings import UnregisteredCode

from .conftest import FIXTURES

SUBMISSIONS = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".json", ".xml") and p.is_file())
# The reader lowers eCQM content errors of APP files to warnings, and says so in the message.
APP_NOTE = "CMS does not check eCQM content for the APP programs"


def test_of_reads_severity_layer_and_consequence_from_the_register():
    f = Finding.of("F008", "key 'a' twice", Location(pointer="/a"), measure_id="001")
    assert (f.code, f.severity, f.layer, f.message, f.measure_id) == ("F008", ERROR, "file", "key 'a' twice", "001")
    assert f.location == Location(pointer="/a")
    assert f.consequence == "rejected"
    assert f.to_dict()["consequence"] == "rejected"
    warning = Finding.of("F003", "UTF-16")
    assert (warning.severity, warning.layer, warning.consequence) == (WARNING, "file", "")
    assert Finding.of("Q106").severity == INFO
    assert Finding.of("Y001").layer == "rules"


def test_of_defaults_the_message_to_the_summary_and_the_location_to_none():
    f = Finding.of("S003")
    assert f.message == "An unknown field."
    assert f.location == Location()


def test_of_an_unregistered_code_is_an_error_naming_it():
    with pytest.raises(UnregisteredCode, match="'Z999' is not in the register"):
        Finding.of("Z999", "never")


def test_at_most_lowers_the_severity_and_never_raises_it():
    lowered = Finding.of("X131", "unknown GUID", at_most=WARNING)
    assert (lowered.severity, lowered.consequence) == (WARNING, "")
    assert Finding.of("X131", "unknown GUID", at_most=ERROR).severity == ERROR
    assert Finding.of("X108", "year from the guide", at_most=ERROR).severity == WARNING


def test_there_are_fixtures_of_both_formats():
    assert {p.suffix for p in SUBMISSIONS} == {".json", ".xml"}
    assert len(SUBMISSIONS) > 100


def test_every_finding_over_the_fixtures_agrees_with_its_register_entry():
    args = ["validate", "--format", "json", "--show-info", "--max-findings", "0", *map(str, SUBMISSIONS)]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code in (0, 1, 2), result.output
    files = json.loads(result.stdout)["files"]
    assert len(files) == len(SUBMISSIONS)
    seen = set()
    for report in files:
        for f in report["findings"]:
            entry = get(f["code"])
            assert entry is not None, f
            seen.add(f["code"])
            assert f["layer"] == entry.layer, (report["path"], f)
            if f["severity"] != entry.severity:
                assert (entry.severity, f["severity"]) == (ERROR, WARNING) and APP_NOTE in f["message"], \
                    (report["path"], f)
            assert f.get("consequence", "") == (entry.consequence if f["severity"] == ERROR else ""), \
                (report["path"], f)
    # the fixtures reach every layer a file can show without a guide package
    assert {get(c).layer for c in seen} >= {"file", "schema", "rules"}
    assert len(seen) > 80
