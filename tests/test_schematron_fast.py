"""The rewritten schematron stylesheet reports exactly what the stylesheet isoschematron compiles does."""

from __future__ import annotations

import copy
import os
import random

import pytest
from lxml import etree
from lxml import isoschematron

from qppfiles.formats.qrda3 import schematron_fast
from qppfiles.formats.qrda3 import strict
from qppfiles.formats.qrda3 import templates as T
from qppfiles.generate import GenerateError
from qppfiles.generate import fake_submission
from qppfiles.generate import levels_for
from qppfiles.generate.render import to_bytes

from .test_qrda3_strict import SAMPLES
from .test_qrda3_strict import SLOW

SVRL = "{http://purl.oclc.org/dsdl/svrl}"
XSL = "{http://www.w3.org/1999/XSL/Transform}"
KEY = schematron_fast.TEMPLATE_KEY
NAMES = schematron_fast.NAME_KEY


@pytest.fixture(scope="module")
def ig(shared_dir, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield shared_dir / "cms/qrda3-ig"


def svrl_records(report) -> list:
    """Fired rules and failed asserts, in report order, with everything that identifies them."""
    out = []
    for node in report.getroot().iter(f"{SVRL}fired-rule", f"{SVRL}failed-assert", f"{SVRL}successful-report"):
        out.append((etree.QName(node).localname, node.get("id"), node.get("context"), node.get("location"),
                    node.get("test"), " ".join("".join(node.itertext()).split())))
    return out


def compare(tree, package) -> dict:
    """Run both stylesheets of both phases on ``tree``; assert identical records; return counts."""
    counts = {"fired-rule": 0, "failed-assert": 0}
    for phase in ("errors", "warnings"):
        reference = strict.compiled_schematron(package, phase, reference=True)(tree)
        fast = strict.compiled_schematron(package, phase, reference=False)(tree)
        expected, got = svrl_records(reference), svrl_records(fast)
        assert got == expected, f"{package.name} {phase}"
        assert etree.tostring(fast) == etree.tostring(reference)
        for record in expected:
            counts[record[0]] = counts.get(record[0], 0) + 1
    return counts


def package_for(ig, tree):
    root = tree.getroot()
    extension = next(iter(strict._REPORT_TEMPLATE(root, root=T.QRDA3_REPORT_CMS)), None)
    return strict.choose_package(ig, strict._document_year(root, extension), extension)[0]


# -- candidates of one rule context --------------------------------------------------------------


@pytest.mark.parametrize("match, expected", [
    ("cda:observation[cda:templateId[@root='1.2'][@extension='2016-09-01']]/cda:code",
     [f"key('{KEY}', '1.2')/parent::*/cda:code"]),
    ("cda:observation/cda:templateId[@root='1.8']", [f"key('{KEY}', '1.8')"]),
    ("cda:ClinicalDocument[cda:templateId[@root='1.2']]/cda:participant[@typeCode='a|b']/cda:associatedEntity",
     [f"key('{KEY}', '1.2')/parent::*/cda:participant[@typeCode='a|b']/cda:associatedEntity"]),
    ("//cda:code|cda:value[@xsi:type='CD'] | inversionInd",
     [f"key('{NAMES}', 'code')", f"key('{NAMES}', 'value')", f"key('{NAMES}', 'inversionInd')"]),
    # A templateId under not() does not say the element has one: fall back to the name.
    ("cda:act[not(cda:templateId[@root='1.3'])]/cda:id", [f"key('{NAMES}', 'id')"]),
    ("cda:act[cda:templateId[@root='1.3'] or cda:code]", [f"key('{NAMES}', 'act')"]),
    # A descendant step after the templateId step: only the last name is sure.
    ("cda:act[cda:templateId[@root='1.3']]//cda:id", [f"key('{NAMES}', 'id')"]),
])
def test_candidates_of_a_rule_context(match, expected):
    assert schematron_fast.context_candidates(match) == expected


@pytest.mark.parametrize("match", ["*", "@root", "cda:act/@classCode", "text()", "node()", "/", "key('k', 'x')",
                                   "cda:act | *"])
def test_contexts_that_can_match_other_nodes_keep_walking(match):
    assert schematron_fast.context_candidates(match) is None


# -- a small schematron: first match per pattern, patterns independent ----------------------------

SCHEMA = b"""<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt">
  <sch:ns prefix="h" uri="urn:hl7-org:v3"/>
  <sch:pattern id="first-match">
    <sch:rule id="specific" context="h:obs[h:templateId[@root='1.1']]">
      <sch:assert id="a-specific" test="@mood='EVN'">specific rule</sch:assert>
    </sch:rule>
    <sch:rule id="general" context="h:obs">
      <sch:assert id="a-general" test="false()">general rule</sch:assert>
    </sch:rule>
  </sch:pattern>
  <sch:pattern id="independent">
    <sch:rule id="any-obs" context="h:obs">
      <sch:assert id="a-any" test="h:code">an observation has a code</sch:assert>
    </sch:rule>
  </sch:pattern>
  <sch:pattern id="walking">
    <sch:rule id="attribute" context="@mood">
      <sch:assert id="a-mood" test=". != 'BAD'">mood is not BAD</sch:assert>
    </sch:rule>
  </sch:pattern>
</sch:schema>"""

DOCUMENT = b"""<doc xmlns="urn:hl7-org:v3">
  <obs mood="EVN"><templateId root="1.1"/><code/></obs>
  <obs mood="BAD"><templateId root="1.1"/></obs>
  <x><obs mood="EVN"><templateId root="2.2"/><code/></obs></x>
  <obs/>
</doc>"""


def test_first_matching_rule_fires_and_patterns_stay_independent():
    compiled = isoschematron.Schematron(etree.fromstring(SCHEMA), store_xslt=True).validator_xslt
    fast = copy.deepcopy(compiled)
    assert schematron_fast.speed_up(fast) == {"patterns": 2, "walking": 1, "idle_walks": 3}
    tree = etree.ElementTree(etree.fromstring(DOCUMENT))
    expected = svrl_records(etree.XSLT(compiled)(tree))
    got = svrl_records(etree.XSLT(fast)(tree))
    assert got == expected
    fired = [r[1] for r in got if r[0] == "fired-rule"]
    # Four observations: the first two meet the specific rule only, the others the general one;
    # the second pattern sees all four; the attribute pattern still walks and sees all three moods.
    assert fired == ["specific", "specific", "general", "general",
                     "any-obs", "any-obs", "any-obs", "any-obs", "attribute", "attribute", "attribute"]
    failed = [(r[1], r[3]) for r in got if r[0] == "failed-assert"]
    assert [f[0] for f in failed] == ["a-specific", "a-general", "a-general", "a-any", "a-any", "a-mood"]


def test_rewrite_selects_candidates_instead_of_walking():
    compiled = isoschematron.Schematron(etree.fromstring(SCHEMA), store_xslt=True).validator_xslt
    schematron_fast.speed_up(compiled)
    root = compiled.getroot()
    (start,) = [t for t in root.iter(f"{XSL}template") if t.get("match") == "/" and t.get("mode") is None]
    starts = {a.get("mode"): a.get("select") for a in start.iter(f"{XSL}apply-templates")
              if (a.get("mode") or "").startswith("M")}
    assert sorted(starts.values()) == sorted([
        "/",  # the attribute pattern walks
        f"key('{KEY}', '1.1')/parent::* | key('{NAMES}', 'obs')",
        f"key('{NAMES}', 'obs')",
    ])
    assert [k.get("name") for k in root.iter(f"{XSL}key")] == [KEY, NAMES]


def test_rules_reading_their_position_keep_walking():
    schema = SCHEMA.replace(b'test="h:code"', b'test="h:code or position() = 1"')
    compiled = isoschematron.Schematron(etree.fromstring(schema), store_xslt=True).validator_xslt
    fast = copy.deepcopy(compiled)
    assert schematron_fast.speed_up(fast)["walking"] == 2
    tree = etree.ElementTree(etree.fromstring(DOCUMENT))
    assert svrl_records(etree.XSLT(fast)(tree)) == svrl_records(etree.XSLT(compiled)(tree))


def test_default_mode_with_output_keeps_its_walk():
    compiled = isoschematron.Schematron(etree.fromstring(SCHEMA), store_xslt=True).validator_xslt
    root = compiled.getroot()
    extra = etree.SubElement(root, f"{XSL}template", match="*")
    etree.SubElement(extra, f"{XSL}text").text = "!"
    assert schematron_fast.speed_up(compiled)["idle_walks"] == 0


# -- every CMS sample, every generated level ------------------------------------------------------


@pytest.mark.parametrize("name, slow", SAMPLES, ids=[s[0].split("/")[1] for s in SAMPLES])
def test_cms_sample_gets_identical_findings(ig, name, slow):
    if slow and not SLOW:
        pytest.skip("large sample: set QPPFILES_SLOW_TESTS=1 to run it")
    tree = etree.parse(str(ig.parent / "qrda3-samples" / name))
    counts = compare(tree, package_for(ig, tree))
    assert counts["fired-rule"] > 100 and counts["failed-assert"] > 0


def test_every_cms_sample_is_compared(shared_dir):
    on_disk = sorted(p.relative_to(shared_dir / "cms/qrda3-samples").as_posix()
                     for p in (shared_dir / "cms/qrda3-samples").glob("*/*.xml"))
    assert sorted(name for name, _ in SAMPLES) == on_disk


@pytest.mark.parametrize("year", T.WRITABLE_YEARS)
def test_generated_files_of_every_level_get_identical_findings(ig, year):
    for i, level in enumerate(levels_for(year)):
        try:
            sub = fake_submission(year, level, random.Random(year * 10 + i), target="qrda3", n_quality=2)
        except GenerateError as exc:  # a catalog year without eCQM population UUIDs
            pytest.skip(str(exc))
        tree = etree.ElementTree(etree.fromstring(to_bytes(sub, target="qrda3")))
        counts = compare(tree, package_for(ig, tree))
        assert counts["fired-rule"] > 20, (year, level)


def test_reference_flag_selects_the_unmodified_stylesheet(ig, monkeypatch, tmp_path):
    package = [p for p in strict.packages(ig) if p.name == "2024"][0]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(strict, "_compiled", {})
    monkeypatch.setenv(strict.ENV_REFERENCE, "1")
    assert strict.compiled_schematron(package, "warnings") is strict.compiled_schematron(
        package, "warnings", reference=True)
    monkeypatch.delenv(strict.ENV_REFERENCE)
    fast = strict.compiled_schematron(package, "warnings")
    assert fast is strict.compiled_schematron(package, "warnings", reference=False)
    assert fast is not strict.compiled_schematron(package, "warnings", reference=True)
    cached = sorted(p.name for p in strict.cache_dir().glob("schematron-2024-warnings*.xsl"))
    assert len(cached) == 2 and sum("-reference-" in name for name in cached) == 1
    assert os.environ.get(strict.ENV_REFERENCE) is None


def test_a_rewrite_lxml_cannot_load_falls_back_to_the_stylesheet_as_compiled(ig, monkeypatch):
    package = [p for p in strict.packages(ig) if p.name == "2024"][0]

    def misread(doc):
        for apply in doc.getroot().iter(f"{XSL}apply-templates"):
            if apply.get("select") == "/":
                apply.set("select", "key((")

    monkeypatch.setattr(strict.schematron_fast, "speed_up", misread)
    compiled = strict._compile(package, "warnings")
    selects = [a.get("select") for a in compiled.getroot().iter(f"{XSL}apply-templates")]
    assert "key((" not in selects and selects.count("/") == 7  # one walk per pattern of the phase


def test_every_published_package_is_rewritten_whole(ig):
    """Each pattern of every guide 2017-2027, both phases, gets its candidates: none keeps walking."""
    for package in strict.packages(ig):
        for phase in ("errors", "warnings"):
            compiled = strict._compile(package, phase, reference=True)
            patterns = len(list(compiled.getroot().iter(f"{SVRL}active-pattern")))
            done = schematron_fast.speed_up(compiled)
            assert done == {"patterns": patterns, "walking": 0, "idle_walks": patterns}, (package.name, phase)


def test_every_package_gets_identical_findings_on_a_generated_file(ig):
    """Packages no sample is written to still see a real document: the same reports from both stylesheets."""
    if not SLOW:
        pytest.skip("every package compiled twice: set QPPFILES_SLOW_TESTS=1 to run it")
    sub = fake_submission(2024, "group", random.Random(7), target="qrda3", n_quality=2)
    tree = etree.ElementTree(etree.fromstring(to_bytes(sub, target="qrda3")))
    for package in strict.packages(ig):
        counts = compare(tree, package)
        assert counts["fired-rule"] > 20, package.name
