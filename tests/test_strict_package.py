"""The strict profile trusts no cache file it did not write for this package, and says when a package is broken."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.formats.qrda3 import strict

SAMPLE = "2024/2024PrimaryCareFirstSampleQRDA-III-v1.0.xml"  # 3 schematron warnings in the warnings phase


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv(strict.ENV_REFERENCE, raising=False)
    strict._compiled.clear()
    yield strict.cache_dir()
    strict._compiled.clear()


@pytest.fixture(scope="module")
def sample(shared_dir) -> bytes:
    return (shared_dir / "cms/qrda3-samples" / SAMPLE).read_bytes()


def warnings_of(data, ig):
    found = strict.validate(data, ig, phases=("warnings",))
    return sorted((f.code, f.message, f.location.xpath) for f in found)


def the_cache_file(cache, name="2024"):
    (path,) = cache.glob(f"schematron-{name}-warnings-*.xsl")
    return path


def test_cache_file_names_its_package_and_digest(shared_dir, cache):
    package = [p for p in strict.packages(shared_dir / "cms/qrda3-ig") if p.name == "2024"][0]
    strict.compiled_schematron(package, "warnings")
    header = the_cache_file(cache).read_bytes().split(b"\n", 1)[0].split()
    assert header[0] == b"qppfiles-compiled-schematron"
    assert header[1].decode() == strict._cache_key(package, "warnings")
    assert len(header[2]) == 64


def test_key_changes_with_the_project_version_and_the_rewrite(shared_dir, monkeypatch):
    package = [p for p in strict.packages(shared_dir / "cms/qrda3-ig") if p.name == "2024"][0]
    key = strict._cache_key(package, "warnings")
    assert strict._cache_key(package, "warnings", reference=True) != key
    monkeypatch.setattr(strict, "__version__", "0.0.0-other")
    assert strict._cache_key(package, "warnings") != key
    monkeypatch.undo()
    monkeypatch.setattr(strict.schematron_fast, "VERSION", "another-rewrite")
    assert strict._cache_key(package, "warnings") != key


def test_tampered_cache_file_is_rebuilt(shared_dir, cache, sample):
    ig = shared_dir / "cms/qrda3-ig"
    expected = warnings_of(sample, ig)
    assert len([f for f in expected if f[0] == "X221"]) == 3
    path = the_cache_file(cache)
    good = path.read_bytes()
    # An assert that can never fail: trusted, it would hide every warning of this phase.
    path.write_bytes(good.replace(b"<axsl:when test=\"", b"<axsl:when test=\"true() or ", ))
    strict._compiled.clear()
    assert warnings_of(sample, ig) == expected
    assert path.read_bytes() == good  # compiled again and stored again


def test_truncated_cache_file_is_rebuilt(shared_dir, cache, sample):
    ig = shared_dir / "cms/qrda3-ig"
    expected = warnings_of(sample, ig)
    path = the_cache_file(cache)
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2])
    strict._compiled.clear()
    assert warnings_of(sample, ig) == expected
    assert path.read_bytes() == good


def test_another_packages_cache_file_is_not_trusted(shared_dir, cache, sample):
    ig = shared_dir / "cms/qrda3-ig"
    expected = warnings_of(sample, ig)
    path = the_cache_file(cache)
    good = path.read_bytes()
    other = [p for p in strict.packages(ig) if p.name == "2017"][0]
    strict.compiled_schematron(other, "warnings")
    path.write_bytes(the_cache_file(cache, "2017").read_bytes())  # a valid file, for another package
    strict._compiled.clear()
    assert warnings_of(sample, ig) == expected
    assert path.read_bytes() == good


# -- broken packages ------------------------------------------------------------------------------


@pytest.fixture()
def ig_copy(shared_dir, tmp_path):
    """A guide directory with the 2024 package copied (so it can be broken) and the CDA schema linked."""
    source = shared_dir / "cms/qrda3-ig"
    ig = tmp_path / "ig"
    shutil.copytree(source / "2024", ig / "2024")
    (ig / "cda-schema").symlink_to(source / "cda-schema", target_is_directory=True)
    return ig


def sch_of(ig):
    (path,) = (ig / "2024").glob("*.sch")
    return path


@pytest.mark.parametrize("damage, code, words", [
    (lambda ig: sch_of(ig).write_bytes(b""), "X206", "not XML"),
    (lambda ig: sch_of(ig).write_bytes(b"this is not a schematron"), "X206", "not XML"),
    (lambda ig: sch_of(ig).write_bytes(b"<schema><title>empty</title></schema>"), "X207", "cannot be compiled"),
    (lambda ig: (ig / "2024/voc.xml").unlink(), "X208", "voc.xml"),
    (lambda ig: (sch_of(ig).unlink(), (ig / "2024/guide.sch").mkdir()), "X206", "cannot be read"),
])
def test_broken_schematron_package_is_a_finding(ig_copy, cache, sample, damage, code, words):
    damage(ig_copy)
    findings = strict.validate(sample, ig_copy)
    broken = [f for f in findings if f.code == code]
    assert len(broken) == 2  # one per phase
    assert all(f.severity == "error" and f.layer == "file" and words in f.message for f in broken)
    assert not [f for f in findings if f.layer == "schematron"]
    assert [f for f in findings if f.layer == "xsd"] == []  # the XSD layer still ran: the sample is valid


def test_missing_or_broken_cda_schema_is_a_finding(ig_copy, cache, sample, tmp_path):
    (ig_copy / "cda-schema").unlink()
    assert [f.code for f in strict.validate(sample, ig_copy, phases=()) if f.layer == "file"] == ["X204"]
    xsd = ig_copy / strict.XSD_RELATIVE
    xsd.parent.mkdir(parents=True)
    xsd.write_text("<xs:schema", "utf-8")
    (finding,) = strict.validate(sample, ig_copy, phases=())
    assert finding.code == "X209" and "CDA_SDTC.xsd" in finding.message


def test_cli_reports_a_broken_package_as_a_finding_not_an_internal_error(ig_copy, cache, shared_dir, tmp_path):
    sch_of(ig_copy).write_bytes(b"")
    target = tmp_path / "report.xml"
    shutil.copy(shared_dir / "cms/qrda3-samples" / SAMPLE, target)
    result = CliRunner().invoke(main, ["validate", "--profile", "strict", "--ig", str(ig_copy), "--format", "json",
                                       str(target)], catch_exceptions=False)
    assert result.exit_code == 1
    codes = [f["code"] for f in json.loads(result.output)["files"][0]["findings"]]
    assert codes.count("X206") == 2 and "F012" not in codes
