"""Edits of a valid QRDA III document that trip (or nearly trip) one CMS intake check each.

Each function takes the lxml root of a CMS report and changes it in place.  They are used by
the differential test and were used to write the fixtures under fixtures/qrda3/invalid and
fixtures/qrda3/near-miss (from the trimmed 2025 subgroup file those folders start from).
"""

from __future__ import annotations

import copy

from lxml import etree

NS = "urn:hl7-org:v3"
H = "{" + NS + "}"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_N = {"h": NS}

QUALITY = "2.16.840.1.113883.10.20.27.2.3"
IA = "2.16.840.1.113883.10.20.27.2.4"
PI = "2.16.840.1.113883.10.20.27.2.5"
CATEGORY = "2.16.840.1.113883.10.20.27.2.1"
REPORT = "2.16.840.1.113883.10.20.27.1.2"
RP_ACT = "2.16.840.1.113883.10.20.17.3.8"
MEASURE = "2.16.840.1.113883.10.20.27.3.17"
MEASURE_DATA = "2.16.840.1.113883.10.20.27.3.16"
AGGREGATE = "2.16.840.1.113883.10.20.27.3.3"
RATE = "2.16.840.1.113883.10.20.27.3.25"
IA_MEASURE = "2.16.840.1.113883.10.20.27.3.33"
PERFORMED = "2.16.840.1.113883.10.20.27.3.27"
PI_PROPORTION = "2.16.840.1.113883.10.20.27.3.28"
PI_BOOLEAN = "2.16.840.1.113883.10.20.27.3.29"
PI_NUMERATOR = "2.16.840.1.113883.10.20.27.3.31"
PROGRAM = "2.16.840.1.113883.3.249.7"
LEGACY_IA_SECTION = "2.16.840.1.113883.3.249.20.2.1"
LEGACY_IA_MEASURE = "2.16.840.1.113883.3.249.20.3.1"


def xp(el, path):
    return el.xpath(path, namespaces=_N)


def section(root, template):
    return xp(root, f"h:component/h:structuredBody/h:component/h:section[h:templateId/@root='{template}']")[0]


def entries(sec, template):
    return xp(sec, f"h:entry[*/h:templateId/@root='{template}']")


def first_measure(root):
    return xp(entries(section(root, QUALITY), MEASURE)[0], "h:organizer")[0]


def population(measure, code):
    return xp(measure, f"h:component/h:observation[h:templateId/@root='{MEASURE_DATA}'][h:value/@code='{code}']")[0]


def count_value(obs):
    return xp(obs, f"h:entryRelationship/h:observation[h:templateId/@root='{AGGREGATE}']/h:value")[0]


def population_uuid(obs):
    return xp(obs, "h:reference/h:externalObservation/h:id")[0]


def rp_time(sec):
    return xp(sec, f"h:entry/h:act[h:templateId/@root='{RP_ACT}']/h:effectiveTime")[0]


def sub(parent, tag, **attrs):
    el = etree.SubElement(parent, H + tag)
    for key, value in attrs.items():
        el.set(XSI_TYPE if key == "xsi_type" else key, value)
    return el


def add_rate(root, value=".5", null_flavor=None, reference="NUMER"):
    """A performance rate on the first eCQM, referencing the UUID of its population ``reference``."""
    measure = first_measure(root)
    first_data = xp(measure, f"h:component[h:observation/h:templateId/@root='{MEASURE_DATA}']")[0]
    component = etree.Element(H + "component")
    first_data.addprevious(component)
    obs = sub(component, "observation", classCode="OBS", moodCode="EVN")
    sub(obs, "templateId", root=RATE, extension="2022-05-01")
    sub(obs, "code", code="72510-1", codeSystem="2.16.840.1.113883.6.1")
    sub(obs, "statusCode", code="completed")
    val = sub(obs, "value", xsi_type="REAL")
    if value is not None:
        val.set("value", value)
    if null_flavor is not None:
        val.set("nullFlavor", null_flavor)
    if reference is not None:
        ref = sub(obs, "reference", typeCode="REFR")
        ext = sub(ref, "externalObservation", classCode="OBS", moodCode="EVN")
        sub(ext, "id", root=population_uuid(population(measure, reference)).get("root"))
        sub(ext, "code", code=reference, codeSystem="2.16.840.1.113883.5.4")
    return obs


# -- one function per CMS converter check ------------------------------------------------


def report_extension(root, extension):
    xp(root, f"h:templateId[@root='{REPORT}']")[0].set("extension", extension)


def denom_above_ipop(root):
    measure = first_measure(root)
    ipop = int(count_value(population(measure, "IPOP")).get("value"))
    count_value(population(measure, "DENOM")).set("value", str(ipop + 1))


def denom_equal_ipop(root):
    measure = first_measure(root)
    denom = count_value(population(measure, "DENOM")).get("value")
    count_value(population(measure, "IPOP")).set("value", denom)


def pi_proportion_in_ia_section(root):
    entry = entries(section(root, PI), PI_PROPORTION)[0]
    section(root, IA).append(entry)


def pi_proportion_last_in_pi_section(root):
    entry = entries(section(root, PI), PI_PROPORTION)[0]
    section(root, PI).append(entry)


def pi_boolean_in_ia_section(root):
    entry = entries(section(root, PI), PI_BOOLEAN)[0]
    section(root, IA).append(entry)


def unknown_entry_in_ia_section(root):
    entry = sub(section(root, IA), "entry")
    obs = sub(entry, "observation", classCode="OBS", moodCode="EVN")
    sub(obs, "templateId", root="2.16.840.1.113883.10.20.22.4.2")  # a template CMS does not decode: skipped


def ia_without_activities(root):
    for entry in entries(section(root, IA), IA_MEASURE):
        entry.getparent().remove(entry)


def ia_with_one_activity(root):
    for entry in entries(section(root, IA), IA_MEASURE)[1:]:
        entry.getparent().remove(entry)


def rate_above_one(root):
    add_rate(root, "1.5")


def rate_of_one(root):
    add_rate(root, "1")


def rate_not_a_number(root):
    add_rate(root, "0.5%")


def rate_empty(root):
    add_rate(root, "")


def rate_null_na(root):
    add_rate(root, None, "NA")


def rate_without_reference(root):
    add_rate(root, ".5", reference=None)


def rate_referencing_denom(root):
    add_rate(root, ".5", reference="DENOM")


def rate_referencing_numer(root):
    add_rate(root, "0.75")


def two_population_codes(root):
    obs = population(first_measure(root), "IPOP")
    xp(obs, "h:value")[0].addnext(etree.fromstring(
        f'<value xmlns="{NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" code="DENOM" '
        'codeSystem="2.16.840.1.113883.5.4" xsi:type="CD"/>'))


def population_code_ipp(root):
    xp(population(first_measure(root), "IPOP"), "h:value")[0].set("code", "IPP")


def two_population_ids(root):
    obs = population(first_measure(root), "DENOM")
    population_uuid(obs).addnext(etree.fromstring(f'<id xmlns="{NS}" root="11111111-2222-3333-4444-555555555555"/>'))


def population_uuid_lower_case(root):
    uuid = population_uuid(population(first_measure(root), "DENOM"))
    uuid.set("root", uuid.get("root").lower())


def two_period_starts(root):
    time = rp_time(section(root, PI))
    xp(time, "h:low")[0].addnext(etree.fromstring(f'<low xmlns="{NS}" value="20250301"/>'))


def period_start_with_time(root):
    xp(rp_time(section(root, PI)), "h:low")[0].set("value", "20250101000000")


def category_extension(root, extension="2017-06-01"):
    xp(section(root, QUALITY), f"h:templateId[@root='{CATEGORY}']")[0].set("extension", extension)


def category_templateid_last(root):
    sec = section(root, QUALITY)
    category = xp(sec, f"h:templateId[@root='{CATEGORY}']")[0]
    xp(sec, f"h:templateId[@root='{QUALITY}']")[0].addnext(category)


def numex_on_measure_without_one(root):
    measure = first_measure(root)
    numer = population(measure, "NUMER")
    numex = copy.deepcopy(numer)
    xp(numex, "h:value")[0].set("code", "NUMEX")
    population_uuid(numex).set("root", "0F0E0D0C-0B0A-4909-8807-060504030201")
    numer.getparent().addnext(etree.Element(H + "component"))
    numer.getparent().getnext().append(numex)


def denex_listed_last(root):
    measure = first_measure(root)
    component = population(measure, "DENEX").getparent()
    measure.append(component)


def legacy_ia_section(root):
    xp(section(root, IA), f"h:templateId[@root='{IA}']")[0].set("root", LEGACY_IA_SECTION)


def legacy_ia_measure(root):
    organizer = xp(entries(section(root, IA), IA_MEASURE)[0], "h:organizer")[0]
    xp(organizer, f"h:templateId[@root='{IA_MEASURE}']")[0].set("root", LEGACY_IA_MEASURE)


def ia_section_with_legacy_templateid_too(root):
    tid = xp(section(root, IA), f"h:templateId[@root='{IA}']")[0]
    tid.addprevious(etree.fromstring(f'<templateId xmlns="{NS}" root="{LEGACY_IA_SECTION}"/>'))


def performed(root, code):
    organizer = xp(entries(section(root, IA), IA_MEASURE)[0], "h:organizer")[0]
    xp(organizer, f"h:component/h:observation[h:templateId/@root='{PERFORMED}']/h:value")[0].set("code", code)


def program_name(root, value):
    xp(root, f"h:informationRecipient/h:intendedRecipient/h:id[@root='{PROGRAM}']")[0].set("extension", value)


def pi_numerator(root, value):
    organizer = xp(entries(section(root, PI), PI_PROPORTION)[0], "h:organizer")[0]
    obs = xp(organizer, f"h:component/h:observation[h:templateId/@root='{PI_NUMERATOR}']")[0]
    count_value(obs).set("value", value)


def pi_period_in_other_year(root):
    time = rp_time(section(root, PI))
    xp(time, "h:low")[0].set("value", "20240101")
    xp(time, "h:high")[0].set("value", "20241231")


def pi_period_later_start(root):
    xp(rp_time(section(root, PI)), "h:low")[0].set("value", "20250102")
