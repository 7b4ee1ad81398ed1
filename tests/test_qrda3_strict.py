"""Strict conformance: CDA XSD + CMS schematron, on CMS's sample files and on broken copies."""

from __future__ import annotations

import os
import re
from collections import Counter

import pytest

from qppfiles.formats.qrda3 import strict

# The large (1.6 MB) samples take ~6 s each in the errors phase; one always runs,
# the rest run with QPPFILES_SLOW_TESTS=1.
SLOW = os.environ.get("QPPFILES_SLOW_TESTS") == "1"
SAMPLES = [
    ("2022/2022MIPSAPPGroupSampleQRDA-III-v1.0.xml", False),
    ("2022/2022PrimaryCareFirstSampleQRDA-III-v1.0.xml", False),
    ("2023/2023MIPSAPPGroupSampleQRDA-III-v1.0.xml", False),
    ("2023/2023PrimaryCareFirstSampleQRDA-III-v1.0.xml", False),
    ("2024/2024MIPSAPPGroupSampleQRDA-III-v1.0.xml", False),
    ("2024/2024PrimaryCareFirstSampleQRDA-III-v1.0.xml", False),
    ("2024/2024MIPSGroupSampleQRDA-III-v1.0.xml", False),
    ("2022/2022MIPSAPMEntitySampleQRDA-III-v1.0.xml", True),
    ("2022/2022MIPSGroupSampleQRDA-III-v1.0.xml", True),
    ("2023/2023MIPSAPMEntitySampleQRDA-III-v1.0.xml", True),
    ("2023/2023MIPSGroupSampleQRDA-III-v1.0.xml", True),
    ("2024/2024MIPSAPMEntityMVPSampleQRDA-III-v1.0.xml", True),
    ("2024/2024MIPSSubgroupMVPSampleQRDA-III-v1.0.xml", True),
]


@pytest.fixture(scope="session")
def ig_dir(shared_dir):
    return shared_dir / "cms/qrda3-ig"


def _expected(data: bytes):
    head = data[:4000].decode("utf-8", "replace")
    errors = int(re.search(r"Total Errors Expected:\s*(\d+)", head).group(1))
    warnings = int(re.search(r"Total Warnings Expected:\s*(\d+)", head).group(1))
    return errors, warnings


@pytest.mark.parametrize("name, slow", SAMPLES, ids=[s[0].split("/")[1] for s in SAMPLES])
def test_sample_counts_match_their_header(ig_dir, name, slow):
    if slow and not SLOW:
        pytest.skip("large sample: set QPPFILES_SLOW_TESTS=1 to run it")
    data = (ig_dir.parent / "qrda3-samples" / name).read_bytes()
    # Each header counts against the guide of the sample's own year; the 2024 subgroup sample's first
    # section says 2023, which CMS (and qppfiles by default) would take as the file's year.
    findings = strict.validate(data, ig_dir, year=int(name[:4]))
    counts = Counter(f.severity for f in findings if f.layer in ("xsd", "schematron"))
    assert (counts["error"], counts["warning"]) == _expected(data)
    assert not [f for f in findings if f.layer == "file" and f.severity == "error"]
    for f in findings:
        assert f.location.xpath and f.location.line, f
        assert "CONF" in f.message or f.code == "X161"


def test_package_choice_follows_the_extension(ig_dir):
    assert strict.choose_package(ig_dir, 2023, "2022-05-01")[0].name == "2023-v1.0"
    chosen = strict.choose_package(ig_dir, 2023, "2022-12-01")
    assert chosen == (chosen[0], True)
    assert strict.choose_package(ig_dir, 2025, "2024-07-01")[0].name == "2025-v1.0"
    package, matched = strict.choose_package(ig_dir, 2025, "2022-12-01")
    assert (package.name, matched) == ("2025", False)


def test_file_written_to_another_version_is_said(ig_dir):
    data = (ig_dir.parent / "qrda3-samples/2023/2023MIPSAPPGroupSampleQRDA-III-v1.0.xml").read_bytes()
    # The 2023 sample was written to v1.0 (2022-05-01); validating it as 2024 uses a guide requiring 2022-12-01.
    findings = strict.validate(data, ig_dir, year=2024, phases=("warnings",))
    (note,) = [f for f in findings if f.code == "X203"]
    assert "2022-05-01" in note.message and "2022-12-01" in note.message and "'2024'" in note.message


def test_broken_file_gives_located_xsd_and_schematron_errors(ig_dir):
    data = (ig_dir.parent / "qrda3-samples/2024/2024PrimaryCareFirstSampleQRDA-III-v1.0.xml").read_bytes()
    broken = data.replace(b"<languageCode", b"<languageKode", 1).replace(b"</languageCode", b"</languageKode", 1)
    broken = broken.replace(b'extension="990000099"', b'extension="99-0000"', 1)
    findings = strict.validate(broken, ig_dir)
    xsd = [f for f in findings if f.layer == "xsd"]
    assert xsd and all(f.severity == "error" for f in xsd)
    assert any("languageKode" in f.message for f in xsd)
    tin = [f for f in findings if f.layer == "schematron" and "CMS_0119" in f.message]
    assert tin and tin[0].severity == "error" and tin[0].location.line
    assert tin[0].location.xpath.startswith("/ClinicalDocument/documentationOf")


def test_missing_ig_dir_says_what_to_do(monkeypatch):
    monkeypatch.delenv("QPPFILES_IG", raising=False)
    (finding,) = strict.validate(b"<ClinicalDocument/>", None)
    assert finding.severity == "error" and "--ig" in finding.message and "QPPFILES_IG" in finding.message


def test_hostile_input_is_a_finding_in_strict_mode(ig_dir):
    (finding,) = strict.validate(b'<!DOCTYPE x [<!ENTITY a SYSTEM "file:///etc/passwd">]><x>&a;</x>', ig_dir)
    assert finding.code == "X103"


def test_compiled_schematron_is_cached_on_disk(ig_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # an empty cache, whatever ran before
    strict._compiled.clear()
    package = [p for p in strict.packages(ig_dir) if p.name == "2024"][0]
    strict.compiled_schematron(package, "warnings")
    cached = list(strict.cache_dir().glob("schematron-2024-warnings-*.xsl"))
    assert len(cached) == 1
    assert str((ig_dir / "2024/voc.xml").resolve().as_uri()) in cached[0].read_text("utf-8")
    strict._compiled.clear()
    before = cached[0].stat().st_mtime_ns
    strict.compiled_schematron(package, "warnings")
    assert cached[0].stat().st_mtime_ns == before  # reused, not rewritten


@pytest.mark.parametrize("year, extension, package, accepted", [
    (2025, "2024-07-01", "2025-v1.0", "2024-12-01"),
    (2023, "2022-05-01", "2023-v1.0", "2022-12-01"),
])
def test_superseded_version_is_checked_against_its_package_and_said_to_be_refused(ig_dir, year, extension, package,
                                                                                  accepted):
    from lxml import etree

    from tests.conftest import FIXTURES

    root = etree.fromstring((FIXTURES / "qrda3/2025-individual-mips.xml").read_bytes())
    report = root.find("{urn:hl7-org:v3}templateId[@root='2.16.840.1.113883.10.20.27.1.2']")
    report.set("extension", extension)
    findings = strict.validate(root, ig_dir, year=year, phases=("warnings",))
    (note,) = [f for f in findings if f.code == "X161"]
    assert f"'{package}'" in note.message and extension in note.message
    assert f"accepts only '{accepted}' for {year}" in note.message
    assert note.location.xpath == "/ClinicalDocument/templateId[2]" and note.location.line == 6
    assert not [f for f in findings if f.code == "X203"]  # the package the extension names was used


def test_accepted_version_gets_no_refusal_note(ig_dir):
    from tests.conftest import FIXTURES

    data = (FIXTURES / "qrda3/2025-individual-mips.xml").read_bytes()
    assert not [f for f in strict.validate(data, ig_dir, phases=("warnings",)) if f.code in ("X161", "X203")]


def test_year_defaults_to_the_first_reporting_period_as_cms_takes_it(ig_dir, monkeypatch):
    data = (ig_dir.parent / "qrda3-samples/2024/2024MIPSSubgroupMVPSampleQRDA-III-v1.0.xml").read_bytes()
    chosen = []
    monkeypatch.setattr(strict, "choose_package", lambda d, year, ext: chosen.append((year, ext)) or (None, False))
    (finding,) = strict.validate(data, ig_dir)
    assert chosen == [(2023, "2022-12-01")] and finding.code == "X202"
