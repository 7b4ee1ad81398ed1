"""Codes of QRDA Category III reading (X1xx) and strict conformance (X2xx)."""

from ...model.codes import define
from ...model.findings import ERROR, WARNING

IG = "CMS QRDA Category III Implementation Guide for the performance year"
CONVERTER = "CMS QPP Conversion Tool (qpp-conversion-tool), ProblemCode"
REJECTED, POINTS = "rejected", "points"

# Every error here stops CMS's intake (the converter, or the IG that CMS's file must follow); the
# ones that stop qppfiles from checking count as rejected too, so --fail-on rejected never passes an
# unchecked file.
define("X101", ERROR, layer="file", summary="The XML file is larger than the size limit.",
       explanation="Files above --max-file-size are refused before parsing so memory stays bounded.",
       source="--max-file-size, a safeguard of this tool (not a CMS rule)", consequence=REJECTED)
define("X102", ERROR, layer="file", summary="The file is not well-formed XML (empty, cut off or not XML).",
       explanation="The XML parser stopped at the line given; a truncated export is the usual cause.",
       source=f"{CONVERTER} 2", consequence=REJECTED)
define("X103", ERROR, layer="file", summary="The file declares a DOCTYPE or entities.",
       explanation="QRDA III never needs a DOCTYPE. Entity declarations can expand to gigabytes (billion laughs) or "
                   "read local files and URLs (XXE), so such files are refused unread.",
       source="OWASP XXE prevention", consequence=REJECTED)
define("X104", ERROR, layer="file", summary="The XML is not an HL7 CDA document.",
       explanation="A QRDA III report is a CDA R2 ClinicalDocument in the urn:hl7-org:v3 namespace.",
       source=f"{CONVERTER} 5", consequence=REJECTED)
define("X105", ERROR, layer="file", summary="The CDA document is not a CMS QRDA Category III report.",
       explanation="The document lacks the CMS QRDA III report templateId 2.16.840.1.113883.10.20.27.1.2.",
       source=f"{CONVERTER} 5; {IG}", consequence=REJECTED)
define("X106", ERROR, layer="file", summary="The QRDA III guide version is not supported.",
       explanation="The templateId extension of the CMS report names a guide version qppfiles does not know.",
       source=f"{CONVERTER} 5; {IG}", consequence=REJECTED)
define("X107", WARNING, layer="schema", summary="The reporting year does not match the guide version.",
       explanation="The reporting period's year is not one the templateId extension's guide serves; the file may be "
                   "written to last year's guide.",
       source=IG)
define("X108", WARNING, layer="schema", summary="The performance year was taken from the guide version.",
       explanation="No section has a readable reporting period, so the year comes from the templateId extension.",
       source=IG)
define("X110", ERROR, layer="schema", summary="The file names no program.",
       explanation="informationRecipient must carry the program name (MIPS_INDIV, MIPS_GROUP, MIPS_APMENTITY, "
                   "MIPS_VIRTUALGROUP, MIPS_SUBGROUP, APP1 or APP Plus variants).",
       source=f"{CONVERTER} 24", consequence=REJECTED)
define("X111", ERROR, layer="schema", summary="The file names more than one program.",
       explanation="Exactly one program name is allowed.", source=f"{CONVERTER} 24", consequence=REJECTED)
define("X112", ERROR, layer="schema", summary="The program name is not one CMS accepts.",
       explanation="Unknown program names are rejected by CMS's intake.", source=f"{CONVERTER} 25",
       consequence=REJECTED)
define("X113", ERROR, layer="schema", summary="A virtual group file lacks its virtual group id.",
       explanation="MIPS_VIRTUALGROUP needs representedOrganization/id with the virtual group root.",
       source=f"{CONVERTER} 78", consequence=REJECTED)
define("X120", ERROR, layer="schema", summary="The file has no measure, IA or PI section.",
       explanation="A report with no section reports nothing.", source=f"{CONVERTER} 23; {IG}", consequence=REJECTED)
define("X121", WARNING, layer="schema", summary="A section is not one qppfiles reads.",
       explanation="Sections other than the eCQM, improvement activity and PI sections are ignored.", source=IG)
define("X122", ERROR, layer="schema", summary="A section kind appears twice.",
       explanation="Only the first section of each kind is read.", source=f"{CONVERTER} 26, 27", consequence=REJECTED)
define("X123", ERROR, layer="schema", summary="A section lacks exactly one reporting parameters act.",
       explanation="Each section states its reporting period in one reporting parameters act.",
       source=f"{CONVERTER} 22, 32, 44; {IG}", consequence=REJECTED)
define("X124", ERROR, layer="schema", summary="A reporting period date is not a date.",
       explanation="Reporting period bounds are written yyyyMMdd.", source=f"{CONVERTER} 69; {IG}",
       consequence=REJECTED)
define("X125", ERROR, layer="schema", summary="The measure section lacks its templateId.",
       explanation="The eCQM section carries the QRDA III measure section templateId.", source=f"{CONVERTER} 95; {IG}",
       consequence=REJECTED)
define("X126", ERROR, layer="schema", summary="The measure section holds no eCQM.",
       explanation="A measure section must reference at least one eCQM.", source=f"{CONVERTER} 81; {IG}",
       consequence=REJECTED)
define("X130", ERROR, layer="schema", summary="An eCQM entry does not have exactly one measure GUID.",
       explanation="Each measure reference names one eCQM version-specific GUID.", source=f"{CONVERTER} 70; {IG}",
       consequence=REJECTED)
define("X131", ERROR, layer="schema", summary="An eCQM GUID is not a measure of the year.",
       explanation="The GUID is matched against the year's eCQMs in the measures catalog; an unknown GUID usually "
                   "means a measure version of another year.",
       source=f"{CONVERTER} 6", consequence=REJECTED)
define("X132", ERROR, layer="schema", summary="A population UUID does not belong to the measure.",
       explanation="Population counts are matched by UUID against the measure's populations of the year.",
       source=f"{CONVERTER} 59", consequence=REJECTED)
define("X133", ERROR, layer="schema", summary="A count is missing, repeated or not a whole number.",
       explanation="Each population has exactly one aggregate count, an integer of zero or more written with the "
                   "ASCII digits 0-9 (counts and identifiers are ASCII digits only: not full-width, Arabic-Indic or "
                   "superscript digits) and at most 2,147,483,647, the largest count CMS's converter reads (it parses "
                   "counts as Java integers).",
       source=f"{CONVERTER} 8, 9, 52, 53; {IG}", consequence=REJECTED)
define("X134", WARNING, layer="schema", summary="A population has an unknown code.",
       explanation="Population codes are IPOP, DENOM, NUMER, DENEX, DENEXCEP (and NUMEX).", source=IG)
define("X135", ERROR, layer="schema", summary="An eCQM lacks one of its populations.",
       explanation="Every population of the measure must be reported, with a count of 0 when empty.",
       source=f"{CONVERTER} 14", consequence=REJECTED)
define("X136", ERROR, layer="schema", summary="An eCQM is reported twice.",
       explanation="Only the first entry of a measure is read.", source=f"{CONVERTER} 71", consequence=REJECTED)
define("X137", ERROR, layer="schema", summary="A population is reported twice.",
       explanation="Only the first count of a population is used.", source=f"{CONVERTER} 14, 57", consequence=REJECTED)
define("X140", WARNING, layer="schema", summary="An improvement activity has no id.",
       explanation="The activity id goes in reference/externalDocument/id/@extension.", source=IG)
define("X141", ERROR, layer="schema", summary="A measure performed value is missing or not Y/N.",
       explanation="Attestations are a Measure Performed observation coded Y or N.",
       source=f"{CONVERTER} 11, 50, 51; {IG}", consequence=REJECTED)
define("X142", ERROR, layer="schema", summary="A PI measure does not have exactly one id.",
       explanation="Each PI measure names one measure id.", source=f"{CONVERTER} 12, 16; {IG}", consequence=REJECTED)
define("X143", ERROR, layer="schema", summary="A PI numerator or denominator is missing or repeated.",
       explanation="A PI proportion has exactly one numerator and one denominator observation.",
       source=f"{CONVERTER} 17, 18, 39; {IG}", consequence=REJECTED)
define("X150", ERROR, layer="schema", summary="No measures catalog for the year.",
       explanation="Without the year's catalog, eCQM GUIDs cannot be identified.", source=f"{CONVERTER} 5, 6",
       consequence=REJECTED)
define("X201", ERROR, layer="file", summary="Strict mode has no IG package directory.",
       explanation="--profile strict needs --ig DIR (or QPPFILES_IG) pointing at CMS QRDA III IG packages laid out as "
                   "<year>/*.sch, <year>/voc.xml and cda-schema/.",
       source=IG, consequence=REJECTED)
define("X202", ERROR, layer="file", summary="No IG package for the file's year.",
       explanation="The IG directory holds no package for the performance year of the file.", source=IG,
       consequence=REJECTED)
define("X203", WARNING, layer="file", summary="The file was written to another version of the year's guide.",
       explanation="No package of the year requires the templateId extension the file carries; it was validated "
                   "against the year's latest package.",
       source=IG)
define("X204", ERROR, layer="file", summary="The CDA schema is missing from the IG directory.",
       explanation="Strict mode needs cda-schema/infrastructure/cda/CDA_SDTC.xsd.", source="HL7 CDA R2 schema",
       consequence=REJECTED)
define("X205", ERROR, layer="schematron", summary="A schematron phase could not run.",
       explanation="The schematron could not be compiled or applied; its findings are unknown.", source=IG,
       consequence=REJECTED)
define("X210", ERROR, layer="xsd", summary="The document does not conform to the CDA schema.",
       explanation="The HL7 CDA R2 XSD (with SDTC extensions) rejects the element or attribute at the line given.",
       source="HL7 CDA R2 schema", consequence=REJECTED)
define("X220", ERROR, layer="schematron", summary="A CMS QRDA III schematron error.",
       explanation="A SHALL constraint of the CMS implementation guide fails; the message carries its CONF id.",
       source=IG, consequence=REJECTED)
define("X221", WARNING, layer="schematron", summary="A CMS QRDA III schematron warning.",
       explanation="A SHOULD constraint of the CMS implementation guide fails; the message carries its CONF id.",
       source=IG)


# Checks CMS's QPP Conversion Tool makes at intake; its ProblemCode is cited as the source.
CT = "CMS QPP Conversion Tool ProblemCode"
define("X160", ERROR, layer="schema",
       summary="The report templateId extension is not the one CMS accepts for the year.",
       explanation="CMS's intake accepts exactly one CMS QRDA III report templateId extension per performance year "
                   "(2025: 2024-12-01); any other, including a superseded version of the same year's guide (2025 v1.0 "
                   "2024-07-01, 2023 v1.0 2022-05-01), is refused as not a valid QRDA III document.",
       source=f"{CT} 5 (NOT_VALID_QRDA_DOCUMENT)", consequence=REJECTED)
define("X161", WARNING, layer="file", summary="The file was checked against a guide version CMS intake refuses.",
       explanation="The strict profile validates a file against the IG package its report templateId extension names; "
                   "that version is not the one CMS's intake accepts for the year, so CMS would refuse the file.",
       source=f"{CT} 5 (NOT_VALID_QRDA_DOCUMENT)")
define("X162", ERROR, layer="schema", summary="The sections report different performance years.",
       explanation="CMS takes one performance year per file, from the first reporting parameters act; a section whose "
                   "period lies in another year is outside that performance year, which the Submissions API refuses.",
       source="CMS QPP Conversion Tool ReportingParametersActDecoder (performanceYear of the first act); QPP "
              "Submissions API validation of measurementSets performanceStart/performanceEnd",
       consequence=REJECTED)
define("X163", ERROR, layer="schema", summary="An eCQM's DENOM count is greater than its initial population.",
       explanation="The denominator is a subset of the initial population of the same population criteria.",
       source=f"{CT} 13 (DENOMINATOR_COUNT_INVALID)", consequence=REJECTED)
define("X164", ERROR, layer="schema", summary="A PI numerator/denominator measure sits outside the PI section.",
       explanation="A Promoting Interoperability Numerator Denominator organizer must be a child of the Promoting "
                   "Interoperability section.",
       source=f"{CT} 15 (PI_NUMERATOR_DENOMINATOR_PARENT_NOT_PI_SECTION)", consequence=REJECTED)
define("X165", ERROR, layer="schema",
       summary="The improvement activities section holds something other than activities.",
       explanation="The section may contain only Improvement Activity Performed entries and its reporting parameters "
                   "act.",
       source=f"{CT} 45 (IA_SECTION_WRONG_CHILD)", consequence=REJECTED)
define("X166", ERROR, layer="schema", summary="The improvement activities section has no activity.",
       explanation="An improvement activities section must hold at least one Improvement Activity Performed entry.",
       source=f"{CT} 43 (IA_SECTION_MISSING_IA_MEASURE)", consequence=REJECTED)
define("X167", ERROR, layer="schema", summary="A performance rate is not a number from 0 to 1.",
       explanation="The eCQM performance rate is a decimal between 0 and 1.",
       source=f"{CT} 33 (PERFORMANCE_RATE_INVALID_VALUE)", consequence=REJECTED)
define("X168", ERROR, layer="schema", summary="A performance rate has no value and no nullFlavor NA.",
       explanation="A performance rate either carries a value or says nullFlavor=\"NA\" (denominator of zero).",
       source=f"{CT} 72 (PERFORMANCE_RATE_MISSING)", consequence=REJECTED)
define("X169", ERROR, layer="schema", summary="A performance rate does not name exactly one numerator.",
       explanation="Each performance rate references the UUID of its NUMER population once.",
       source=f"{CT} 61 (QUALITY_MEASURE_ID_MISSING_SINGLE_PERFORMANCE_RATE)", consequence=REJECTED)
define("X170", ERROR, layer="schema", summary="A performance rate references a UUID that is not the measure's NUMER.",
       explanation="The performance rate's reference must be the numerator UUID of one of the measure's population "
                   "criteria in the year's measures data.",
       source=f"{CT} 59 (QUALITY_MEASURE_ID_INCORRECT_UUID)", consequence=REJECTED)
define("X171", ERROR, layer="schema", summary="A measure data observation has more than one population code.",
       explanation="Each Measure Data observation states one population type (IPOP, DENOM, NUMER, ...).",
       source=f"{CT} 58 (QUALITY_MEASURE_ID_MISSING_SINGLE_MEASURE_TYPE)", consequence=REJECTED)
define("X172", ERROR, layer="schema", summary="A measure data observation does not have exactly one population id.",
       explanation="Each Measure Data observation references the UUID of its population once.",
       source=f"{CT} 57 (QUALITY_MEASURE_ID_MISSING_SINGLE_MEASURE_POPULATION)", consequence=REJECTED)
define("X173", ERROR, layer="schema", summary="A reporting period has more than one start or end.",
       explanation="A reporting parameters act has exactly one effectiveTime low and one high value.",
       source=f"{CT} 29 (REPORTING_PARAMETERS_MUST_CONTAIN_SINGLE_PERFORMANCE_START), "
              "30 (REPORTING_PARAMETERS_MUST_CONTAIN_SINGLE_PERFORMANCE_END)",
       consequence=REJECTED)
define("X174", ERROR, layer="schema", summary="The eCQM section's category report templateId has the wrong extension.",
       explanation="From 2023 the measure section carries the QRDA Category III Report Section templateId "
                   "2.16.840.1.113883.10.20.27.2.1 with extension 2020-12-01.",
       source=f"{CT} 95 (MEASURE_SECTION_V5_REQUIRES_CATEGORY_SECTION)", consequence=REJECTED)
define("X175", ERROR, layer="schema", summary="An eCQM reports a population its definition does not have.",
       explanation="The number of DENOM, NUMER, DENEX, DENEXCEP and NUMEX populations must match the measure's "
                   "population criteria in the year's measures data; a NUMEX on a measure without one is refused.",
       source=f"{CT} 14 (POPULATION_CRITERIA_COUNT_INCORRECT)", consequence=REJECTED)
define("X176", ERROR, layer="schema", summary="Improvement activities use a legacy template CMS no longer reads.",
       explanation="The pre-2020 IA section and IA measure templates (2.16.840.1.113883.3.249.20.*) are skipped by "
                   "CMS's intake from 2020: the activities they hold are not received and earn no credit.",
       source="CMS QRDA III IG: Improvement Activities Section 2.16.840.1.113883.10.20.27.2.4 and Improvement "
              "Activity Performed Measure Reference and Results 2.16.840.1.113883.10.20.27.3.33",
       consequence=POINTS)


# An unusable guide package: the strict checks CMS's intake applies were not made, so the file is not
# cleared of the errors that would have it refused.
_NOT_CHECKED = " The strict layer it serves was not checked; fix or replace the package."
define("X206", ERROR, layer="file", summary="The guide package's schematron cannot be read.",
       explanation="The .sch file of the year's IG package is empty, unreadable or not XML." + _NOT_CHECKED,
       source=IG, consequence=REJECTED)
define("X207", ERROR, layer="file", summary="The guide package's schematron cannot be compiled.",
       explanation="The .sch file is XML but not an ISO schematron that compiles to XSLT (no schema element, an "
                   "unknown phase, an invalid XPath)." + _NOT_CHECKED,
       source=IG, consequence=REJECTED)
define("X208", ERROR, layer="file", summary="The guide package has no voc.xml.",
       explanation="The schematron looks up its value sets in the voc.xml beside it; without it those checks would "
                   "pass or fail at random." + _NOT_CHECKED,
       source=IG, consequence=REJECTED)
define("X209", ERROR, layer="file", summary="The CDA schema of the guide directory cannot be loaded.",
       explanation="cda-schema/infrastructure/cda/CDA_SDTC.xsd (or a schema it includes) is not XML or not a valid "
                   "XML schema." + _NOT_CHECKED,
       source="HL7 CDA R2 schema", consequence=REJECTED)
