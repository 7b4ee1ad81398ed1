"""Codes of QRDA Category III reading (X1xx) and strict conformance (X2xx)."""

from ...codes import define
from ...findings import ERROR, WARNING

IG = "CMS QRDA Category III Implementation Guide for the performance year"
CONVERTER = "CMS QRDA III to QPP JSON conversion rules (qrda3-notes.md §1–§4)"

_CODES = (
    ("X101", ERROR, "file", "The XML file is larger than the size limit.",
     "Files above --max-file-size are refused before parsing so memory stays bounded.", ""),
    ("X102", ERROR, "file", "The file is not well-formed XML (empty, cut off or not XML).",
     "The XML parser stopped at the line given; a truncated export is the usual cause.", "W3C XML 1.0"),
    ("X103", ERROR, "file", "The file declares a DOCTYPE or entities.",
     "QRDA III never needs a DOCTYPE. Entity declarations can expand to gigabytes (billion laughs) or read "
     "local files and URLs (XXE), so such files are refused unread.", "OWASP XXE prevention"),
    ("X104", ERROR, "file", "The XML is not an HL7 CDA document.",
     "A QRDA III report is a CDA R2 ClinicalDocument in the urn:hl7-org:v3 namespace.", "HL7 CDA R2"),
    ("X105", ERROR, "file", "The CDA document is not a CMS QRDA Category III report.",
     "The document lacks the CMS QRDA III report templateId 2.16.840.1.113883.10.20.27.1.2.", IG),
    ("X106", ERROR, "file", "The QRDA III guide version is not supported.",
     "The templateId extension of the CMS report names a guide version qppfiles does not know.", IG),
    ("X107", WARNING, "schema", "The reporting year does not match the guide version.",
     "The reporting period's year is not one the templateId extension's guide serves; the file may be "
     "written to last year's guide.", IG),
    ("X108", WARNING, "schema", "The performance year was taken from the guide version.",
     "No section has a readable reporting period, so the year comes from the templateId extension.", IG),
    ("X110", ERROR, "schema", "The file names no program.",
     "informationRecipient must carry the program name (MIPS_INDIV, MIPS_GROUP, MIPS_APMENTITY, "
     "MIPS_VIRTUALGROUP, MIPS_SUBGROUP, APP1 or APP Plus variants).", CONVERTER),
    ("X111", ERROR, "schema", "The file names more than one program.",
     "Exactly one program name is allowed.", CONVERTER),
    ("X112", ERROR, "schema", "The program name is not one CMS accepts.",
     "Unknown program names are rejected by CMS's intake.", CONVERTER),
    ("X113", ERROR, "schema", "A virtual group file lacks its virtual group id.",
     "MIPS_VIRTUALGROUP needs representedOrganization/id with the virtual group root.", CONVERTER),
    ("X120", ERROR, "schema", "The file has no measure, IA or PI section.",
     "A report with no section reports nothing.", IG),
    ("X121", WARNING, "schema", "A section is not one qppfiles reads.",
     "Sections other than the eCQM, improvement activity and PI sections are ignored.", IG),
    ("X122", ERROR, "schema", "A section kind appears twice.",
     "Only the first section of each kind is read.", CONVERTER),
    ("X123", ERROR, "schema", "A section lacks exactly one reporting parameters act.",
     "Each section states its reporting period in one reporting parameters act.", IG),
    ("X124", ERROR, "schema", "A reporting period date is not a date.",
     "Reporting period bounds are written yyyyMMdd.", IG),
    ("X125", ERROR, "schema", "The measure section lacks its templateId.",
     "The eCQM section carries the QRDA III measure section templateId.", IG),
    ("X126", ERROR, "schema", "The measure section holds no eCQM.",
     "A measure section must reference at least one eCQM.", IG),
    ("X130", ERROR, "schema", "An eCQM entry does not have exactly one measure GUID.",
     "Each measure reference names one eCQM version-specific GUID.", IG),
    ("X131", ERROR, "schema", "An eCQM GUID is not a measure of the year.",
     "The GUID is matched against the year's eCQMs in the measures catalog; an unknown GUID usually "
     "means a measure version of another year.", CONVERTER),
    ("X132", ERROR, "schema", "A population UUID does not belong to the measure.",
     "Population counts are matched by UUID against the measure's populations of the year.", CONVERTER),
    ("X133", ERROR, "schema", "A count is missing, repeated or not a whole number.",
     "Each population has exactly one aggregate count, an integer of zero or more written with the ASCII "
     "digits 0-9 (counts and identifiers are ASCII digits only: not full-width, Arabic-Indic or superscript "
     "digits) and at most 2,147,483,647, the largest count CMS's converter reads (it parses counts as Java "
     "integers).", IG),
    ("X134", WARNING, "schema", "A population has an unknown code.",
     "Population codes are IPOP, DENOM, NUMER, DENEX, DENEXCEP (and NUMEX).", IG),
    ("X135", ERROR, "schema", "An eCQM lacks one of its populations.",
     "Every population of the measure must be reported, with a count of 0 when empty.", CONVERTER),
    ("X136", ERROR, "schema", "An eCQM is reported twice.",
     "Only the first entry of a measure is read.", CONVERTER),
    ("X137", ERROR, "schema", "A population is reported twice.",
     "Only the first count of a population is used.", CONVERTER),
    ("X140", WARNING, "schema", "An improvement activity has no id.",
     "The activity id goes in reference/externalDocument/id/@extension.", IG),
    ("X141", ERROR, "schema", "A measure performed value is missing or not Y/N.",
     "Attestations are a Measure Performed observation coded Y or N.", IG),
    ("X142", ERROR, "schema", "A PI measure does not have exactly one id.",
     "Each PI measure names one measure id.", IG),
    ("X143", ERROR, "schema", "A PI numerator or denominator is missing or repeated.",
     "A PI proportion has exactly one numerator and one denominator observation.", IG),
    ("X150", ERROR, "schema", "No measures catalog for the year.",
     "Without the year's catalog, eCQM GUIDs cannot be identified.", CONVERTER),
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

for _code, _severity, _layer, _summary, _explanation, _source in _CODES:
    define(_code, _severity, _layer, _summary, _explanation, _source)
