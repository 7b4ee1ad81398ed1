"""Codes of QRDA Category III reading (X1xx) and strict conformance (X2xx)."""

from ...model.codes import define
from ...model.findings import ERROR, WARNING

IG = "CMS QRDA Category III Implementation Guide for the performance year"
CONVERTER = "CMS QPP Conversion Tool (qpp-conversion-tool), ProblemCode"

_CODES = (
    ("X101", ERROR, "file", "The XML file is larger than the size limit.",
     "Files above --max-file-size are refused before parsing so memory stays bounded.",
     "--max-file-size, a safeguard of this tool (not a CMS rule)"),
    ("X102", ERROR, "file", "The file is not well-formed XML (empty, cut off or not XML).",
     "The XML parser stopped at the line given; a truncated export is the usual cause.", f"{CONVERTER} 2"),
    ("X103", ERROR, "file", "The file declares a DOCTYPE or entities.",
     "QRDA III never needs a DOCTYPE. Entity declarations can expand to gigabytes (billion laughs) or read "
     "local files and URLs (XXE), so such files are refused unread.", "OWASP XXE prevention"),
    ("X104", ERROR, "file", "The XML is not an HL7 CDA document.",
     "A QRDA III report is a CDA R2 ClinicalDocument in the urn:hl7-org:v3 namespace.", f"{CONVERTER} 5"),
    ("X105", ERROR, "file", "The CDA document is not a CMS QRDA Category III report.",
     "The document lacks the CMS QRDA III report templateId 2.16.840.1.113883.10.20.27.1.2.", f"{CONVERTER} 5; {IG}"),
    ("X106", ERROR, "file", "The QRDA III guide version is not supported.",
     "The templateId extension of the CMS report names a guide version qppfiles does not know.",
     f"{CONVERTER} 5; {IG}"),
    ("X107", WARNING, "schema", "The reporting year does not match the guide version.",
     "The reporting period's year is not one the templateId extension's guide serves; the file may be "
     "written to last year's guide.", IG),
    ("X108", WARNING, "schema", "The performance year was taken from the guide version.",
     "No section has a readable reporting period, so the year comes from the templateId extension.", IG),
    ("X110", ERROR, "schema", "The file names no program.",
     "informationRecipient must carry the program name (MIPS_INDIV, MIPS_GROUP, MIPS_APMENTITY, "
     "MIPS_VIRTUALGROUP, MIPS_SUBGROUP, APP1 or APP Plus variants).", f"{CONVERTER} 24"),
    ("X111", ERROR, "schema", "The file names more than one program.",
     "Exactly one program name is allowed.", f"{CONVERTER} 24"),
    ("X112", ERROR, "schema", "The program name is not one CMS accepts.",
     "Unknown program names are rejected by CMS's intake.", f"{CONVERTER} 25"),
    ("X113", ERROR, "schema", "A virtual group file lacks its virtual group id.",
     "MIPS_VIRTUALGROUP needs representedOrganization/id with the virtual group root.", f"{CONVERTER} 78"),
    ("X120", ERROR, "schema", "The file has no measure, IA or PI section.",
     "A report with no section reports nothing.", f"{CONVERTER} 23; {IG}"),
    ("X121", WARNING, "schema", "A section is not one qppfiles reads.",
     "Sections other than the eCQM, improvement activity and PI sections are ignored.", IG),
    ("X122", ERROR, "schema", "A section kind appears twice.",
     "Only the first section of each kind is read.", f"{CONVERTER} 26, 27"),
    ("X123", ERROR, "schema", "A section lacks exactly one reporting parameters act.",
     "Each section states its reporting period in one reporting parameters act.", f"{CONVERTER} 22, 32, 44; {IG}"),
    ("X124", ERROR, "schema", "A reporting period date is not a date.",
     "Reporting period bounds are written yyyyMMdd.", f"{CONVERTER} 69; {IG}"),
    ("X125", ERROR, "schema", "The measure section lacks its templateId.",
     "The eCQM section carries the QRDA III measure section templateId.", f"{CONVERTER} 95; {IG}"),
    ("X126", ERROR, "schema", "The measure section holds no eCQM.",
     "A measure section must reference at least one eCQM.", f"{CONVERTER} 81; {IG}"),
    ("X130", ERROR, "schema", "An eCQM entry does not have exactly one measure GUID.",
     "Each measure reference names one eCQM version-specific GUID.", f"{CONVERTER} 70; {IG}"),
    ("X131", ERROR, "schema", "An eCQM GUID is not a measure of the year.",
     "The GUID is matched against the year's eCQMs in the measures catalog; an unknown GUID usually "
     "means a measure version of another year.", f"{CONVERTER} 6"),
    ("X132", ERROR, "schema", "A population UUID does not belong to the measure.",
     "Population counts are matched by UUID against the measure's populations of the year.", f"{CONVERTER} 59"),
    ("X133", ERROR, "schema", "A count is missing, repeated or not a whole number.",
     "Each population has exactly one aggregate count, an integer of zero or more written with the ASCII "
     "digits 0-9 (counts and identifiers are ASCII digits only: not full-width, Arabic-Indic or superscript "
     "digits) and at most 2,147,483,647, the largest count CMS's converter reads (it parses counts as Java "
     "integers).", f"{CONVERTER} 8, 9, 52, 53; {IG}"),
    ("X134", WARNING, "schema", "A population has an unknown code.",
     "Population codes are IPOP, DENOM, NUMER, DENEX, DENEXCEP (and NUMEX).", IG),
    ("X135", ERROR, "schema", "An eCQM lacks one of its populations.",
     "Every population of the measure must be reported, with a count of 0 when empty.", f"{CONVERTER} 14"),
    ("X136", ERROR, "schema", "An eCQM is reported twice.",
     "Only the first entry of a measure is read.", f"{CONVERTER} 71"),
    ("X137", ERROR, "schema", "A population is reported twice.",
     "Only the first count of a population is used.", f"{CONVERTER} 14, 57"),
    ("X140", WARNING, "schema", "An improvement activity has no id.",
     "The activity id goes in reference/externalDocument/id/@extension.", IG),
    ("X141", ERROR, "schema", "A measure performed value is missing or not Y/N.",
     "Attestations are a Measure Performed observation coded Y or N.", f"{CONVERTER} 11, 50, 51; {IG}"),
    ("X142", ERROR, "schema", "A PI measure does not have exactly one id.",
     "Each PI measure names one measure id.", f"{CONVERTER} 12, 16; {IG}"),
    ("X143", ERROR, "schema", "A PI numerator or denominator is missing or repeated.",
     "A PI proportion has exactly one numerator and one denominator observation.", f"{CONVERTER} 17, 18, 39; {IG}"),
    ("X150", ERROR, "schema", "No measures catalog for the year.",
     "Without the year's catalog, eCQM GUIDs cannot be identified.", f"{CONVERTER} 5, 6"),
    ("X201", ERROR, "file", "Strict mode has no IG package directory.",
     "--profile strict needs --ig DIR (or QPPFILES_IG) pointing at CMS QRDA III IG packages laid out as "
     "<year>/*.sch, <year>/voc.xml and cda-schema/.", IG),
    ("X202", ERROR, "file", "No IG package for the file's year.",
     "The IG directory holds no package for the performance year of the file.", IG),
    ("X203", WARNING, "file", "The file was written to another version of the year's guide.",
     "No package of the year requires the templateId extension the file carries; it was validated against "
     "the year's latest package.", IG),
    ("X204", ERROR, "file", "The CDA schema is missing from the IG directory.",
     "Strict mode needs cda-schema/infrastructure/cda/CDA_SDTC.xsd.", "HL7 CDA R2 schema"),
    ("X205", ERROR, "schematron", "A schematron phase could not run.",
     "The schematron could not be compiled or applied; its findings are unknown.", IG),
    ("X210", ERROR, "xsd", "The document does not conform to the CDA schema.",
     "The HL7 CDA R2 XSD (with SDTC extensions) rejects the element or attribute at the line given.",
     "HL7 CDA R2 schema"),
    ("X220", ERROR, "schematron", "A CMS QRDA III schematron error.",
     "A SHALL constraint of the CMS implementation guide fails; the message carries its CONF id.", IG),
    ("X221", WARNING, "schematron", "A CMS QRDA III schematron warning.",
     "A SHOULD constraint of the CMS implementation guide fails; the message carries its CONF id.", IG),
)

# Every error here stops CMS's intake (the converter, or the IG that CMS's file must follow); the
# ones that stop qppfiles from checking count as rejected too, so --fail-on rejected never passes an
# unchecked file.
for _code, _severity, _layer, _summary, _explanation, _source in _CODES:
    define(_code, _severity, _layer, _summary, _explanation, _source,
           consequence="rejected" if _severity == ERROR else "")


# Checks CMS's QPP Conversion Tool makes at intake; its ProblemCode is cited as the source.
CT = "CMS QPP Conversion Tool ProblemCode"
REJECTED, POINTS = "rejected", "points"

_INTAKE_CODES = (
    ("X160", ERROR, "schema", "The report templateId extension is not the one CMS accepts for the year.",
     "CMS's intake accepts exactly one CMS QRDA III report templateId extension per performance year "
     "(2025: 2024-12-01); any other, including a superseded version of the same year's guide (2025 v1.0 "
     "2024-07-01, 2023 v1.0 2022-05-01), is refused as not a valid QRDA III document.",
     f"{CT} 5 (NOT_VALID_QRDA_DOCUMENT)", REJECTED),
    ("X161", WARNING, "file", "The file was checked against a guide version CMS intake refuses.",
     "The strict profile validates a file against the IG package its report templateId extension names; "
     "that version is not the one CMS's intake accepts for the year, so CMS would refuse the file.",
     f"{CT} 5 (NOT_VALID_QRDA_DOCUMENT)", ""),
    ("X162", ERROR, "schema", "The sections report different performance years.",
     "CMS takes one performance year per file, from the first reporting parameters act; a section "
     "whose period lies in another year is outside that performance year, which the Submissions API "
     "refuses.", "CMS QPP Conversion Tool ReportingParametersActDecoder (performanceYear of the first "
     "act); QPP Submissions API validation of measurementSets performanceStart/performanceEnd", REJECTED),
    ("X163", ERROR, "schema", "An eCQM's DENOM count is greater than its initial population.",
     "The denominator is a subset of the initial population of the same population criteria.",
     f"{CT} 13 (DENOMINATOR_COUNT_INVALID)", REJECTED),
    ("X164", ERROR, "schema", "A PI numerator/denominator measure sits outside the PI section.",
     "A Promoting Interoperability Numerator Denominator organizer must be a child of the Promoting "
     "Interoperability section.", f"{CT} 15 (PI_NUMERATOR_DENOMINATOR_PARENT_NOT_PI_SECTION)", REJECTED),
    ("X165", ERROR, "schema", "The improvement activities section holds something other than activities.",
     "The section may contain only Improvement Activity Performed entries and its reporting parameters "
     "act.", f"{CT} 45 (IA_SECTION_WRONG_CHILD)", REJECTED),
    ("X166", ERROR, "schema", "The improvement activities section has no activity.",
     "An improvement activities section must hold at least one Improvement Activity Performed entry.",
     f"{CT} 43 (IA_SECTION_MISSING_IA_MEASURE)", REJECTED),
    ("X167", ERROR, "schema", "A performance rate is not a number from 0 to 1.",
     "The eCQM performance rate is a decimal between 0 and 1.",
     f"{CT} 33 (PERFORMANCE_RATE_INVALID_VALUE)", REJECTED),
    ("X168", ERROR, "schema", "A performance rate has no value and no nullFlavor NA.",
     "A performance rate either carries a value or says nullFlavor=\"NA\" (denominator of zero).",
     f"{CT} 72 (PERFORMANCE_RATE_MISSING)", REJECTED),
    ("X169", ERROR, "schema", "A performance rate does not name exactly one numerator.",
     "Each performance rate references the UUID of its NUMER population once.",
     f"{CT} 61 (QUALITY_MEASURE_ID_MISSING_SINGLE_PERFORMANCE_RATE)", REJECTED),
    ("X170", ERROR, "schema", "A performance rate references a UUID that is not the measure's NUMER.",
     "The performance rate's reference must be the numerator UUID of one of the measure's "
     "population criteria in the year's measures data.", f"{CT} 59 (QUALITY_MEASURE_ID_INCORRECT_UUID)",
     REJECTED),
    ("X171", ERROR, "schema", "A measure data observation has more than one population code.",
     "Each Measure Data observation states one population type (IPOP, DENOM, NUMER, ...).",
     f"{CT} 58 (QUALITY_MEASURE_ID_MISSING_SINGLE_MEASURE_TYPE)", REJECTED),
    ("X172", ERROR, "schema", "A measure data observation does not have exactly one population id.",
     "Each Measure Data observation references the UUID of its population once.",
     f"{CT} 57 (QUALITY_MEASURE_ID_MISSING_SINGLE_MEASURE_POPULATION)", REJECTED),
    ("X173", ERROR, "schema", "A reporting period has more than one start or end.",
     "A reporting parameters act has exactly one effectiveTime low and one high value.",
     f"{CT} 29 (REPORTING_PARAMETERS_MUST_CONTAIN_SINGLE_PERFORMANCE_START), "
     "30 (REPORTING_PARAMETERS_MUST_CONTAIN_SINGLE_PERFORMANCE_END)", REJECTED),
    ("X174", ERROR, "schema", "The eCQM section's category report templateId has the wrong extension.",
     "From 2023 the measure section carries the QRDA Category III Report Section templateId "
     "2.16.840.1.113883.10.20.27.2.1 with extension 2020-12-01.",
     f"{CT} 95 (MEASURE_SECTION_V5_REQUIRES_CATEGORY_SECTION)", REJECTED),
    ("X175", ERROR, "schema", "An eCQM reports a population its definition does not have.",
     "The number of DENOM, NUMER, DENEX, DENEXCEP and NUMEX populations must match the measure's "
     "population criteria in the year's measures data; a NUMEX on a measure without one is refused.",
     f"{CT} 14 (POPULATION_CRITERIA_COUNT_INCORRECT)", REJECTED),
    ("X176", ERROR, "schema", "Improvement activities use a legacy template CMS no longer reads.",
     "The pre-2020 IA section and IA measure templates (2.16.840.1.113883.3.249.20.*) are skipped by CMS's "
     "intake from 2020: the activities they hold are not received and earn no credit.",
     "CMS QRDA III IG: Improvement Activities Section 2.16.840.1.113883.10.20.27.2.4 and Improvement "
     "Activity Performed Measure Reference and Results 2.16.840.1.113883.10.20.27.3.33", POINTS),
)

for _code, _severity, _layer, _summary, _explanation, _source, _consequence in _INTAKE_CODES:
    define(_code, _severity, _layer, _summary, _explanation, _source, consequence=_consequence)


# An unusable guide package: the strict checks CMS's intake applies were not made, so the file is not
# cleared of the errors that would have it refused.
_NOT_CHECKED = " The strict layer it serves was not checked; fix or replace the package."
define("X206", ERROR, "file", "The guide package's schematron cannot be read.",
       "The .sch file of the year's IG package is empty, unreadable or not XML." + _NOT_CHECKED, IG,
       consequence="rejected")
define("X207", ERROR, "file", "The guide package's schematron cannot be compiled.",
       "The .sch file is XML but not an ISO schematron that compiles to XSLT (no schema element, an unknown "
       "phase, an invalid XPath)." + _NOT_CHECKED, IG, consequence="rejected")
define("X208", ERROR, "file", "The guide package has no voc.xml.",
       "The schematron looks up its value sets in the voc.xml beside it; without it those checks would "
       "pass or fail at random." + _NOT_CHECKED, IG, consequence="rejected")
define("X209", ERROR, "file", "The CDA schema of the guide directory cannot be loaded.",
       "cda-schema/infrastructure/cda/CDA_SDTC.xsd (or a schema it includes) is not XML or not a valid XML "
       "schema." + _NOT_CHECKED, "HL7 CDA R2 schema", consequence="rejected")
