"""qppfiles against CMS's converter: one file per converter ProblemCode, made from a valid fixture.

Each row names a CMS QPP Conversion Tool problem code, the edit of a bundled valid file that
raises it, and the qppfiles code that names the same cause.  CMS refuses every such file, so
qppfiles must report that code as an error; the untouched originals must give no error.
"""

from __future__ import annotations

import copy

import pytest
from lxml import etree

from qppfiles.model.options import Options
from qppfiles.pipeline.validate import validate_bytes

from . import qrda3_mutations as M
from .conftest import FIXTURES

BASE = FIXTURES / "qrda3" / "2025-individual-mips.xml"
ORIGINALS = sorted((FIXTURES / "qrda3").glob("*.xml"))


def _remove(elements):
    for el in elements:
        el.getparent().remove(el)


def _pi_organizer(root, template, index=0):
    return M.xp(M.entries(M.section(root, M.PI), template)[index], "h:organizer")[0]


def _ia_organizer(root):
    return M.xp(M.entries(M.section(root, M.IA), M.IA_MEASURE)[0], "h:organizer")[0]


def _duplicate(el):
    el.addnext(copy.deepcopy(el))


def _section_component(root, template):
    return M.section(root, template).getparent()


def _add_bound(root, tag, value):
    time = M.rp_time(M.section(root, M.PI))
    M.xp(time, f"h:{tag}")[0].addnext(etree.fromstring(f'<{tag} xmlns="{M.NS}" value="{value}"/>'))


def _pi_hie_5_with_hie_1(root):
    for entry in M.entries(M.section(root, M.PI), M.PI_PROPORTION):
        ident = M.xp(entry, "h:organizer/h:reference/h:externalDocument/h:id")[0]
        if ident.get("extension") not in ("PI_HIE_1",):
            ident.set("extension", "PI_HIE_5")
            return
    raise AssertionError("no PI proportion to turn into PI_HIE_5")


def _aggregate(root, code):
    return M.count_value(M.population(M.first_measure(root), code))


# (CMS problem code, what the file does, edit, qppfiles code naming the same cause)
CASES = [
    (2, "a document cut off halfway", lambda r: etree.tostring(r)[: len(etree.tostring(r)) // 2], "X102"),
    (3, "a non-integer IPOP count", lambda r: _aggregate(r, "IPOP").set("value", "many"), "X133"),
    (5, "the superseded 2025 v1.0 report extension", lambda r: M.report_extension(r, "2024-07-01"), "X160"),
    (6, "an eCQM GUID that is no 2025 eCQM",
     lambda r: M.xp(M.first_measure(r), "h:reference/h:externalDocument/h:id")[0]
     .set("extension", "2c928084-0000-0000-0000-000000000000"), "X131"),
    (7, "an eCQM without measure data", lambda r: _remove(M.xp(M.first_measure(r), "h:component")), "X135"),
    (8, "two values in one aggregate count", lambda r: _duplicate(_aggregate(r, "DENOM")), "X133"),
    (9, "an aggregate count of 12.5", lambda r: _aggregate(r, "NUMER").set("value", "12.5"), "X133"),
    (11, "a PI attestation without Measure Performed",
     lambda r: _remove(M.xp(_pi_organizer(r, M.PI_BOOLEAN), "h:component")), "X141"),
    (12, "a PI attestation with two measure ids",
     lambda r: _duplicate(M.xp(_pi_organizer(r, M.PI_BOOLEAN), "h:reference/h:externalDocument/h:id")[0]), "X142"),
    (13, "DENOM greater than IPOP", M.denom_above_ipop, "X163"),
    (14, "a NUMEX on an eCQM without one", M.numex_on_measure_without_one, "X175"),
    (15, "a PI numerator/denominator in the IA section", M.pi_proportion_in_ia_section, "X164"),
    (16, "a PI numerator/denominator without measure id",
     lambda r: _remove(M.xp(_pi_organizer(r, M.PI_PROPORTION), "h:reference")), "X142"),
    (17, "a PI numerator/denominator without children",
     lambda r: _remove(M.xp(_pi_organizer(r, M.PI_PROPORTION), "h:component")), "X143"),
    (18, "a PI numerator/denominator without numerator",
     lambda r: _remove(M.xp(_pi_organizer(r, M.PI_PROPORTION),
                            f"h:component[h:observation/h:templateId/@root='{M.PI_NUMERATOR}']")), "X143"),
    (22, "a PI section without reporting parameters act",
     lambda r: _remove(M.entries(M.section(r, M.PI), M.RP_ACT)), "X123"),
    (23, "no measure, IA or PI section",
     lambda r: _remove(M.xp(r, "h:component/h:structuredBody/h:component")), "X120"),
    (24, "no program name", lambda r: _remove(M.xp(r, "h:informationRecipient")), "X110"),
    (25, "a program name with spaces", lambda r: M.program_name(r, " MIPS_INDIV "), "X112"),
    (26, "two PI sections", lambda r: _duplicate(_section_component(r, M.PI)), "X122"),
    (27, "two IA sections", lambda r: _duplicate(_section_component(r, M.IA)), "X122"),
    (29, "two period starts", lambda r: _add_bound(r, "low", "20250301"), "X173"),
    (30, "two period ends", lambda r: _add_bound(r, "high", "20251130"), "X173"),
    (32, "an eCQM section without reporting parameters act",
     lambda r: _remove(M.entries(M.section(r, M.QUALITY), M.RP_ACT)), "X123"),
    (33, "a performance rate of 1.5", M.rate_above_one, "X167"),
    (39, "a PI numerator without aggregate count",
     lambda r: _remove(M.xp(_pi_organizer(r, M.PI_PROPORTION),
                            f"h:component/h:observation[h:templateId/@root='{M.PI_NUMERATOR}']/h:entryRelationship")),
     "X133"),
    (41, "a PI count ' +12 '", lambda r: M.pi_numerator(r, " +12 "), "X133"),
    (42, "a negative PI count", lambda r: M.pi_numerator(r, "-5"), "X133"),
    (43, "an IA section without activities", M.ia_without_activities, "X166"),
    (44, "an IA section without reporting parameters act",
     lambda r: _remove(M.entries(M.section(r, M.IA), M.RP_ACT)), "X123"),
    (45, "a PI attestation in the IA section", M.pi_boolean_in_ia_section, "X165"),
    (50, "an activity without Measure Performed", lambda r: _remove(M.xp(_ia_organizer(r), "h:component")), "X141"),
    (51, "an activity performed 'Yes'", lambda r: M.performed(r, "Yes"), "X141"),
    (52, "a DENOM without aggregate count",
     lambda r: _remove(M.xp(M.population(M.first_measure(r), "DENOM"), "h:entryRelationship")), "X133"),
    (53, "a negative eCQM count", lambda r: _aggregate(r, "DENEX").set("value", "-1"), "X133"),
    (57, "two population ids", M.two_population_ids, "X172"),
    (58, "two population codes", M.two_population_codes, "X171"),
    (59, "a DENOM with a foreign UUID", lambda r: M.population_uuid(M.population(M.first_measure(r), "DENOM"))
     .set("root", "0F0E0D0C-0B0A-4909-8807-060504030201"), "X132"),
    (61, "a performance rate without its NUMER reference", M.rate_without_reference, "X169"),
    (69, "a period start that is no date",
     lambda r: M.xp(M.rp_time(M.section(r, M.IA)), "h:low")[0].set("value", "2025-13-45"), "X124"),
    (70, "an eCQM without GUID",
     lambda r: _remove(M.xp(M.first_measure(r), "h:reference")), "X130"),
    (71, "the same eCQM twice", lambda r: _duplicate(M.entries(M.section(r, M.QUALITY), M.MEASURE)[0]), "X136"),
    (72, "a performance rate with an empty value", M.rate_empty, "X168"),
    (78, "a virtual group without its id", lambda r: M.program_name(r, "MIPS_VIRTUALGROUP"), "X113"),
    (81, "an eCQM section without eCQMs",
     lambda r: _remove(M.entries(M.section(r, M.QUALITY), M.MEASURE)), "X126"),
    (95, "the category report templateId with extension 2017-06-01", M.category_extension, "X174"),
    (102, "PI_HIE_5 as numerator/denominator beside PI_HIE_1", _pi_hie_5_with_hie_1, "P104"),
]

# ProblemCodes no file can raise, and why.
NOT_FROM_A_FILE = {
    1: "ENCODER_MISSING: every decoded node has an encoder",
    4: "UNEXPECTED_ENCODE_ERROR: encoding runs only on files that passed validation",
    28: "duplicate measure sections are reported as 27 by the converter; 28 is never raised",
    31: "REPORTING_PARAMETERS_MISSING_PERFORMANCE_YEAR: shadowed by 29 (a start is required first)",
    79: "MISSING_PII_VALIDATOR: only called from the removed PCF validator",
    80: "INCORRECT_API_NPI_COMBINATION: defined, never raised",
    82: "TOO_MANY_ERRORS: a notice appended to 100 other errors, not a cause",
    96: "MISSING_API_TIN_NPI_FILE: defined, never raised",
}
# The converter's ProblemCodes for QRDA III files (cms-corrections part C).
CONVERTER_CODES = {2, 3, 5, 6, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18, 22, 23, 24, 25, 26, 27, 29, 30, 32, 33, 39,
                   41, 42, 43, 44, 45, 50, 51, 52, 53, 57, 58, 59, 61, 69, 70, 71, 72, 78, 81, 82, 95, 102}


@pytest.mark.parametrize("cms_code", sorted(NOT_FROM_A_FILE))
def test_code_no_file_can_raise(cms_code):
    pytest.skip(f"CMS {cms_code}: {NOT_FROM_A_FILE[cms_code]}")


def test_every_converter_code_has_a_case_or_a_reason():
    cased = [code for code, *_ in CASES]
    assert len(cased) == len(set(cased))
    assert set(cased) | (set(NOT_FROM_A_FILE) & CONVERTER_CODES) == CONVERTER_CODES
    assert not set(cased) & set(NOT_FROM_A_FILE)


def _errors(data: bytes):
    report = validate_bytes(data, "mutated.xml", Options())
    return report, {f.code for f in report.findings if f.severity == "error"}


@pytest.mark.parametrize("cms_code, what, edit, expected", CASES, ids=[f"CT{c[0]}-{c[3]}" for c in CASES])
def test_file_cms_refuses_is_refused_for_the_same_cause(cms_code, what, edit, expected):
    root = etree.fromstring(BASE.read_bytes())
    edited = edit(root)  # an edit changes the tree in place, or returns the bytes of a broken file
    data = edited if isinstance(edited, bytes) else etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    report, errors = _errors(data)
    assert expected in errors, f"CMS {cms_code} ({what}): {sorted(errors)}"
    assert not report.valid
    if expected.startswith("X"):  # intake findings say that CMS refuses the file
        assert {f.consequence for f in report.findings if f.code == expected} == {"rejected"}


@pytest.mark.parametrize("xml", ORIGINALS, ids=lambda p: p.name)
def test_untouched_original_is_accepted(xml):
    report, errors = _errors(xml.read_bytes())
    assert errors == set() and report.valid


def test_unchanged_base_round_trips_through_lxml_cleanly():
    # The edits above are the only difference: serialising the parsed base changes nothing that matters.
    root = etree.fromstring(BASE.read_bytes())
    _, errors = _errors(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    assert errors == set()
