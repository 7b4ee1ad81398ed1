"""QRDA III reader: hardened parsing and the mapping to the model, on CMS's sample files."""

from __future__ import annotations

import pytest

from qppfiles.formats.qrda3 import read
from qppfiles.model.findings import Location
from qppfiles.model.submission import BooleanValue
from qppfiles.model.submission import MultiRateValue
from qppfiles.model.submission import ProportionValue
from qppfiles.model.submission import SingleRateValue

CD = b'<ClinicalDocument xmlns="urn:hl7-org:v3">'

HOSTILE = {
    "xxe_file": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    + CD + b"<title>&x;</title></ClinicalDocument>",
    "xxe_network": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]>'
    + CD + b"<title>&x;</title></ClinicalDocument>",
    "billion_laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
    )
    + b"]><lolz>&lol9;</lolz>",
    "external_dtd": b'<?xml version="1.0"?><!DOCTYPE ClinicalDocument SYSTEM "http://127.0.0.1:9/cda.dtd">'
    + CD + b"</ClinicalDocument>",
    "parameter_entity": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><r/>',
    "utf16_doctype": '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x "y">]><r>&x;</r>'.encode(
        "utf-16"
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_declarations_are_refused(name):
    result = read(HOSTILE[name])
    assert result.submission is None
    assert [f.code for f in result.findings] == ["X103"]
    assert result.findings[0].layer == "file" and result.findings[0].severity == "error"
    assert "passwd" not in result.findings[0].message and "root:" not in result.findings[0].message


@pytest.mark.parametrize(
    "data, code, words",
    [
        (b'{"performanceYear": 2024}', "X102", "not well-formed XML"),
        (b"", "X102", "empty"),
        (CD + b'<templateId root="2.16.840.1.113883.10.20.27.1.2"', "X102", "not well-formed"),
        (b"<html><body/></html>", "X104", "<html>"),
        (CD + b'<templateId root="2.16.840.1.113883.10.20.22.1.1"/></ClinicalDocument>', "X105",
         "2.16.840.1.113883.10.20.27.1.2"),
        (CD + b'<templateId root="2.16.840.1.113883.10.20.27.1.2" extension="2016-11-01"/></ClinicalDocument>',
         "X106", "2016-11-01"),
        (b"<r>&undefined;</r>", "X102", "undefined"),
    ],
)
def test_unreadable_inputs_give_one_file_finding(data, code, words):
    result = read(data)
    assert result.submission is None
    assert len(result.findings) == 1
    finding = result.findings[0]
    assert finding.code == code and finding.layer == "file" and finding.severity == "error"
    assert words in finding.message


def test_size_limit_is_checked_before_parsing():
    data = CD + b"<title>" + b"x" * 5000 + b"</title></ClinicalDocument>"
    result = read(data, max_bytes=1000)
    assert [f.code for f in result.findings] == ["X101"]
    assert f"{len(data):,}" in result.findings[0].message and "1,000" in result.findings[0].message
    assert read(data, max_bytes=len(data)).findings[0].code != "X101"


def test_truncated_real_file_is_a_finding(shared_dir):
    sample = shared_dir / "cms/qrda3-samples/2024/2024MIPSGroupSampleQRDA-III-v1.0.xml"
    data = sample.read_bytes()
    result = read(data[: len(data) // 2])
    assert [f.code for f in result.findings] == ["X102"]
    assert result.findings[0].location.line is not None


# -- CMS samples -----------------------------------------------------------------------


def _sample(shared_dir, year, name):
    return read((shared_dir / f"cms/qrda3-samples/{year}/{name}").read_bytes(), name)


def _measurements(submission, category):
    (mset,) = submission.sets(category)
    return {m.measure_id: m for m in mset.measurements}


def test_group_sample_maps_like_cms(shared_dir):
    result = _sample(shared_dir, 2024, "2024MIPSGroupSampleQRDA-III-v1.0.xml")
    sub = result.submission
    assert result.format == "qrda3"
    assert (sub.performance_year, sub.entity_type) == (2024, "group")
    assert sub.taxpayer_identification_number == "123456789"
    assert sub.national_provider_identifier is None and sub.entity_id is None
    assert [s.category for s in sub.measurement_sets] == ["quality", "pi", "ia"]
    for mset in sub.measurement_sets:
        assert mset.submission_method == "electronicHealthRecord"
        assert mset.program_name == "mips"
        assert (mset.performance_start, mset.performance_end) == ("2024-01-01", "2024-12-31")
    assert sub.sets("quality")[0].cehrt_id is None  # 2024: CMS puts the CEHRT id on the PI set only
    assert sub.sets("pi")[0].cehrt_id == "0015EUK17H3DCM9"
    assert sub.sets("ia")[0].cehrt_id is None

    quality = _measurements(sub, "quality")
    counts = quality["134"].value.counts  # CMS2v13: DENOM 1000, NUMER 800, DENEX 50, DENEXCEP 50
    assert isinstance(quality["134"].value, SingleRateValue) and quality["134"].value.is_end_to_end
    assert (counts.eligible_population, counts.performance_met) == (1000, 800)
    assert (counts.eligible_population_exclusion, counts.eligible_population_exception) == (50, 50)
    assert counts.performance_not_met == 1000 - 800 - 50 - 50
    no_exception = quality["236"].value.counts
    assert no_exception.eligible_population_exception is None
    assert no_exception.performance_not_met == 1000 - 800 - 50

    strata = quality["366"].value
    assert isinstance(strata, MultiRateValue)
    assert [s.name for s in strata.strata] == ["30Days", "overall"]
    first = strata.strata[0].counts
    assert (first.eligible_population, first.performance_met, first.eligible_population_exclusion) == (125, 98, 30)
    assert first.performance_not_met == 125 - 98 - 30  # negative, computed as CMS does
    # CMS159 reports one population set; CMS gives the stratum without UUIDs zero counts.
    adults = {s.name: s.counts for s in quality["370"].value.strata}["adults"]
    assert (adults.eligible_population, adults.performance_met, adults.performance_not_met) == (0, 0, 0)

    pi = _measurements(sub, "pi")
    assert pi["PI_EP_1"].value == ProportionValue(750, 800)
    assert pi["PI_EP_2"].value == BooleanValue(True)
    assert _measurements(sub, "ia")["IA_PM_2"].value == BooleanValue(True)


def test_sample_refs_are_xpaths_with_lines(shared_dir):
    result = _sample(shared_dir, 2024, "2024MIPSGroupSampleQRDA-III-v1.0.xml")
    quality = _measurements(result.submission, "quality")
    ref = quality["134"].ref
    assert ref.startswith("/ClinicalDocument/component/structuredBody/component[1]/section/entry[")
    assert ref.endswith("/organizer")
    located = result.locate(Location(xpath=ref))
    assert located.line is not None
    organizer = result.document.getroottree().xpath(
        ref.replace("/", "/h:").replace("/h:/", "//"), namespaces={"h": "urn:hl7-org:v3"}
    )[0]
    assert organizer.sourceline == located.line


def test_sample_findings_point_at_the_file(shared_dir):
    # The 2024 sample carries CMS68v13 with a DENEXCEP UUID the 2024 measures data does not define.
    result = _sample(shared_dir, 2024, "2024MIPSGroupSampleQRDA-III-v1.0.xml")
    x132 = [f for f in result.findings if f.code == "X132"]
    assert x132 and x132[0].measure_id == "130"
    assert "65C83FE7-CFAE-4CDE-B49D-6C78D5D780C5" in x132[0].message
    assert x132[0].location.line and x132[0].location.xpath.endswith("/observation")
    unknown = [f for f in result.findings if f.code == "X131"]
    assert any("2c928084-8211-3ece-0182-c706cbc12fab" in f.message for f in unknown)


@pytest.mark.parametrize(
    "year, name, entity, program, entity_id, tin",
    [
        (2024, "2024MIPSAPMEntityMVPSampleQRDA-III-v1.0.xml", "apm", "M0001", "place_APM_Entity_Identifier_here", None),
        (2024, "2024MIPSAPPGroupSampleQRDA-III-v1.0.xml", "group", "app1", None, "123456789"),
        (2024, "2024MIPSSubgroupMVPSampleQRDA-III-v1.0.xml", "subgroup", "G0055", "SG-00012345", None),
        (2022, "2022MIPSAPMEntitySampleQRDA-III-v1.0.xml", "apm", "mips", "place_APM_Entity_Identifier_here", None),
        (2023, "2023MIPSGroupSampleQRDA-III-v1.0.xml", "group", "mips", None, "123456789"),
    ],
)
def test_entity_and_program_mapping(shared_dir, year, name, entity, program, entity_id, tin):
    sub = _sample(shared_dir, year, name).submission
    assert sub.entity_type == entity
    assert sub.entity_id == entity_id
    assert sub.taxpayer_identification_number == tin
    assert sub.national_provider_identifier is None
    assert {s.program_name for s in sub.measurement_sets} == {program}


def test_individual_program_outside_mips_is_flagged(shared_dir):
    result = _sample(shared_dir, 2024, "2024PrimaryCareFirstSampleQRDA-III-v1.0.xml")
    sub = result.submission
    assert sub.entity_type == "individual"
    assert (sub.taxpayer_identification_number, sub.national_provider_identifier) == ("990000099", "2567891421")
    (bad,) = [f for f in result.findings if f.code == "X112"]
    assert "'PCF'" in bad.message and bad.location.line is not None
