"""QRDA III reader internals that gather several parts of a file in one call: what they find on the
edge cases a single-purpose walk handles by itself (repeated templateIds, an organizer with two
templates, a first observation without value), the parser's handling of whitespace, and that the
findings still point at the right element and line."""

from __future__ import annotations

import copy

from lxml import etree

from qppfiles.formats.qrda3 import _catalog
from qppfiles.formats.qrda3 import read
from qppfiles.formats.qrda3.reader import _integer
from qppfiles.formats.qrda3.reader import _plain_integer
from qppfiles.formats.qrda3.xml import parse
from qppfiles.model.submission import BooleanValue
from qppfiles.model.submission import ProportionValue

from . import qrda3_mutations as M
from .conftest import FIXTURES

BASE = FIXTURES / "qrda3" / "2025-individual-mips.xml"


def _root():
    return etree.fromstring(BASE.read_bytes())


def _pi_organizers(root, template):
    return [M.xp(entry, "h:organizer")[0] for entry in M.entries(M.section(root, M.PI), template)]


def _measure_id(organizer) -> str:
    return M.xp(organizer, "h:reference/h:externalDocument/h:id/@extension")[0]


def _pi_measurements(result) -> dict:
    pi = next(ms for ms in result.submission.measurement_sets if ms.category == "pi")
    return {m.measure_id: m for m in pi.measurements}


def _read(root):
    return read(etree.tostring(root))


def _codes(result) -> list[str]:
    return [f.code for f in result.findings]


def test_parser_drops_indentation_and_keeps_text_lines_and_comments():
    root, findings = parse(b'<a>\n  <b>x</b>\n  <!-- note -->\n  <c>y <d/> <f/></c>\n  <e>  </e>\n</a>')
    assert findings == []
    b, comment, c, e = root
    assert root.text is None and b.tail is None and c.tail is None  # indentation: no node
    assert b.text == "x" and c.text == "y " and c[0].tail == " "  # whitespace in mixed content is kept
    assert e.text == "  "  # so is the whitespace an element holds alone
    assert isinstance(comment, etree._Comment) and comment.text == " note "
    assert [el.sourceline for el in (root, b, comment, c, e)] == [1, 2, 3, 4, 5]


def test_repeated_templateids_read_a_pi_proportion_once():
    root = _root()
    organizer = _pi_organizers(root, M.PI_PROPORTION)[0]
    measure_id = _measure_id(organizer)
    expected = _pi_measurements(_read(_root()))[measure_id].value
    assert isinstance(expected, ProportionValue) and expected.numerator is not None
    template = M.xp(organizer, f"h:templateId[@root='{M.PI_PROPORTION}']")[0]
    template.addnext(copy.deepcopy(template))
    numerator = M.xp(organizer, f"h:component/h:observation[h:templateId/@root='{M.PI_NUMERATOR}']")[0]
    numerator_template = M.xp(numerator, "h:templateId")[0]
    numerator_template.addnext(copy.deepcopy(numerator_template))
    result = _read(root)
    assert _codes(result) == []
    pi = next(ms for ms in result.submission.measurement_sets if ms.category == "pi")
    assert [m.measure_id for m in pi.measurements].count(measure_id) == 1
    assert _pi_measurements(result)[measure_id].value == expected


def test_an_organizer_with_both_pi_templates_is_read_as_a_proportion():
    root = _root()
    organizer = _pi_organizers(root, M.PI_PROPORTION)[0]
    measure_id = _measure_id(organizer)
    # The attestation's templateId first: the organizer still counts once, as a proportion.
    M.xp(organizer, "h:templateId")[0].addprevious(etree.Element(M.H + "templateId", root=M.PI_BOOLEAN))
    result = _read(root)
    assert _codes(result) == []
    assert isinstance(_pi_measurements(result)[measure_id].value, ProportionValue)


def test_two_numerator_observations_are_counted_with_the_element_of_the_finding():
    root = _root()
    organizer = _pi_organizers(root, M.PI_PROPORTION)[0]
    numerator = M.xp(organizer, f"h:component[h:observation/h:templateId/@root='{M.PI_NUMERATOR}']")[0]
    numerator.addnext(copy.deepcopy(numerator))
    result = _read(root)
    [finding] = result.findings
    assert finding.code == "X143" and "2 numerator observations" in finding.message
    # The finding points at the organizer: the reader's XPath and line name the element edited here.
    located = _element_at(etree.tostring(root), finding.location.xpath)
    assert located.tag == M.H + "organizer" and _measure_id(located) == _measure_id(organizer)
    assert finding.location.line == located.sourceline


def _element_at(data: bytes, path: str):
    """The element a finding's XPath names (``/ClinicalDocument/component[2]/...``), in a fresh parse
    that keeps every whitespace node."""
    steps = "/".join(f"h:{step}" if step else step for step in path.split("/"))
    [element] = etree.fromstring(data).getroottree().xpath(steps, namespaces=M._N)
    return element


def test_a_first_performed_observation_without_value_is_the_one_read():
    root = _root()
    organizer = M.xp(M.entries(M.section(root, M.IA), M.IA_MEASURE)[0], "h:organizer")[0]
    component = M.xp(organizer, f"h:component[h:observation/h:templateId/@root='{M.PERFORMED}']")[0]
    first = copy.deepcopy(component)
    M.xp(first, "h:observation/h:value")[0].getparent().remove(M.xp(first, "h:observation/h:value")[0])
    component.addprevious(first)  # a second Measure Performed observation, with its value, comes after
    data = etree.tostring(root)
    result = read(data)
    [finding] = result.findings
    assert finding.code == "X141" and "performed value '(missing)'" in finding.message
    observation = _element_at(data, finding.location.xpath)
    assert observation.tag == M.H + "observation" and not M.xp(observation, "h:value")
    assert finding.location.line == observation.sourceline
    ia = next(ms for ms in result.submission.measurement_sets if ms.category == "ia")
    assert ia.measurements[0].value == BooleanValue(None)


def test_an_ecqm_definition_is_made_once_per_catalog_record():
    catalog = _catalog.load(2025)
    measure = next(m for m in catalog.quality.values() if len(_catalog.population_groups(m)) > 2)
    made = _catalog.definition(measure)
    assert _catalog.definition(measure) is made
    groups = _catalog.population_groups(measure)
    assert made.groups == groups and made.name == _catalog.describe(measure)
    assert made.multi_rate == _catalog.is_multi_rate(measure)
    assert made.defined == {code for _, uuids in groups for code in uuids}
    assert made.numerators == {uuids["NUMER"] for _, uuids in groups if "NUMER" in uuids}
    assert len(made.numerators) == len(groups)
    # Each UUID maps to the first group that lists it.
    assert made.by_uuid == {uuid: next(i for i, (_, uuids) in enumerate(groups) if uuid in uuids.values())
                            for _, uuids in groups for uuid in uuids.values()}
    assert sorted(set(made.by_uuid.values())) == list(range(len(groups)))
    # A record equal in content but another object (a caller's own catalog) gets its own.
    other = copy.copy(measure)
    assert other is not measure and _catalog.definition(other) is not made


def test_counts_read_short_and_long():
    assert [_integer(raw) for raw in ("0", "7", "+7", "007", "999999999", "2147483647", "2147483648",
                                      "00000000002147483647", "", None, "-1", "1 ", "１")] == \
        [0, 7, 7, 7, 999999999, 2147483647, None, 2147483647, None, None, None, None, None]
    assert [_plain_integer(raw) for raw in ("0", "7", "+7", "007", "2147483647", "2147483648",
                                            "00000000002147483647", "", None)] == \
        [0, 7, None, 7, 2147483647, None, 2147483647, None, None]
