"""Lazy node references of the QRDA III reader: tokens that resolve to the XPath and line the eager
reader gives, on every QRDA III fixture and CMS sample, and that never reach a report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.formats.qrda3 import read
from qppfiles.formats.qrda3.paths import TOKEN
from qppfiles.model.findings import Location
from qppfiles.model.options import Options
from qppfiles.pipeline.validate import validate_bytes

from .conftest import FIXTURES
from .conftest import node_refs
from .conftest import shared_path

FIXTURE_FILES = sorted(FIXTURES.rglob("*.xml"))


def _compare(data: bytes, name: str) -> int:
    eager, lazy = read(data, name), read(data, name, lazy_refs=True)
    assert lazy.findings == eager.findings  # the reader's own findings are located as before
    if eager.submission is None:
        assert lazy.submission is None
        return 0
    eager_refs, lazy_refs = node_refs(eager.submission), node_refs(lazy.submission)
    assert len(lazy_refs) == len(eager_refs)
    for eager_ref, lazy_ref in zip(eager_refs, lazy_refs, strict=True):
        assert eager_ref.startswith("/ClinicalDocument")
        assert lazy_ref.startswith(TOKEN), lazy_ref
        assert lazy.locate(Location(xpath=lazy_ref)) == eager.locate(Location(xpath=eager_ref))
        assert lazy.located([Location(xpath=lazy_ref)]) == eager.located([Location(xpath=eager_ref)])
    return len(eager_refs)


def test_fixtures_are_there():
    assert len(FIXTURE_FILES) >= 50


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_lazy_refs_resolve_as_eager_refs_on_fixtures(path: Path):
    _compare(path.read_bytes(), path.name)


def test_lazy_refs_resolve_as_eager_refs_on_cms_samples():
    samples = sorted((shared_path() / "cms" / "qrda3-samples").rglob("*.xml"))
    assert samples
    assert sum(_compare(p.read_bytes(), p.name) for p in samples) > len(samples)


def test_one_element_has_one_token():
    path = sorted((FIXTURES / "qrda3").glob("*.xml"))[0]
    result = read(path.read_bytes(), path.name, lazy_refs=True)
    lines = result.locate.__self__
    root = result.document
    assert lines.ref(root) == lines.ref(root) == result.submission.ref
    assert result.locate(Location(xpath=lines.ref(root))) == Location(xpath="/ClinicalDocument",
                                                                        line=root.sourceline)


def test_locations_without_token_are_unchanged():
    path = sorted((FIXTURES / "qrda3").glob("*.xml"))[0]
    result = read(path.read_bytes(), path.name, lazy_refs=True)
    for location in (Location(), Location(xpath=""), Location(xpath="/nowhere"), Location(xpath="/x", line=3)):
        assert result.locate(location) == location


@pytest.mark.parametrize("path", FIXTURE_FILES[::3], ids=lambda p: str(p.relative_to(FIXTURES)))
def test_reports_hold_xpaths_not_tokens(path: Path):
    report = validate_bytes(path.read_bytes(), str(path), Options())
    for f in report.findings:
        assert f.location.xpath is None or not f.location.xpath.startswith(TOKEN), f
        if f.location.xpath and f.layer == "rules":
            assert f.location.xpath.startswith("/ClinicalDocument") and f.location.line, f


def test_cli_jsonl_on_fixture_folder_has_no_token():
    result = CliRunner().invoke(main, ["validate", "--format", "jsonl", str(FIXTURES / "qrda3")])
    assert result.exit_code in (0, 1), result.output
    records = [json.loads(line) for line in result.output.splitlines() if line.strip()]
    findings = [f for r in records for f in r.get("findings", ())]
    xpaths = [f["location"].get("xpath") for f in findings]
    # Rule findings point at model nodes: those are the refs that were tokens until located.
    placed = [f for f in findings if f["layer"] == "rules" and (f["location"].get("xpath") or "").startswith(
        "/ClinicalDocument/") and f["location"]["line"]]
    assert len(placed) >= 5
    assert not any(x and TOKEN in x for x in xpaths)
