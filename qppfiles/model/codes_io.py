"""Codes of the file and schema layers (reading a file, and its JSON shape)."""

from .codes import define
from .findings import ERROR, INFO, WARNING

SRC_FORMAT = "QPP Submissions API JSON reference (measurements, measurementSets, submissions fields)"

define("F001", ERROR, layer="file", summary="The file is empty.",
       explanation="An empty file (or one holding only white space, or only a byte-order mark) is not a submission.",
       source=SRC_FORMAT, consequence="rejected")
define("F002", ERROR, layer="file", summary="The file is not valid UTF-8 text.",
       explanation="QPP JSON is UTF-8. The finding gives the offset, line and column of the first byte that cannot be "
                   "decoded; re-save the file as UTF-8.",
       source="RFC 8259 §8.1", consequence="rejected")
define("F003", WARNING, layer="file", summary="The file is UTF-16 encoded.",
       explanation="qppfiles reads UTF-16, with a byte-order mark or without one (then recognised by the NUL byte "
                   "beside each of the first ASCII characters), but the Submissions API expects UTF-8.",
       source="RFC 8259 §8.1")
define("F004", ERROR, layer="file", summary="The file contains NUL bytes: it is binary, not a submission.",
       explanation="A NUL byte never occurs in JSON or XML text; the file is probably an archive, a spreadsheet or a "
                   "corrupted export.",
       source="RFC 8259 §7 (control characters escaped); W3C XML 1.0 §2.2 (no NUL character)", consequence="rejected")
define("F005", ERROR, layer="file", summary="The file is not valid JSON.",
       explanation="The JSON parser stopped at the line and column given. Common causes: a truncated export, a "
                   "trailing comma, single quotes, or comments.",
       source="RFC 8259", example='{"performanceYear": 2024,}', consequence="rejected")
define("F006", ERROR, layer="file", summary="NaN or Infinity used as a number.",
       explanation="JSON has no NaN or Infinity; some exporters write them for a 0/0 rate. Omit the field or give the "
                   "counts.",
       source="RFC 8259 §6", example='{"performanceRate": NaN}', consequence="rejected")
define("F007", ERROR, layer="file", summary="The document is nested absurdly deep.",
       explanation="A submission is at most a few levels deep; a deeper document is refused before any other check.",
       source="RFC 8259 §9 (a parser may limit the depth of nesting)", consequence="rejected")
define("F008", ERROR, layer="file", summary="A key appears twice in the same object.",
       explanation="With duplicate keys, different readers keep different values; CMS's intake and qppfiles might not "
                   "see the same submission. Keep one.",
       source="RFC 8259 §4", example='{"performanceYear": 2024, "performanceYear": 2025}', consequence="rejected")
define("F009", ERROR, layer="file", summary="The top level is not a JSON object.",
       explanation='A QPP JSON document is an object: a submission, the API envelope {"data": {"submission": …}}, or '
                   'a single measurement set.',
       source=SRC_FORMAT, example="[1, 2, 3]", consequence="rejected")
define("F010", ERROR, layer="file", summary="The file is larger than the size limit.",
       explanation="Files above --max-file-size (default 200 MB) are refused unread to keep memory bounded. Like any "
                   "input that cannot be read, it makes `validate` and `lint` exit with code 2.",
       source="--max-file-size, a safeguard of this tool (not a CMS rule)", consequence="rejected")
define("F011", ERROR, layer="file", summary="The file could not be read.",
       explanation="The path could not be opened or read (missing, a directory, or no permission).",
       source="the operating system could not read the path (not a CMS rule)", consequence="rejected")
define("F012", ERROR, layer="file", summary="An internal error occurred while checking this file.",
       explanation="qppfiles failed on this input. The run continued with the next file. Please report it with the "
                   "file (or a redacted copy) and the output of `qppfiles --version`.",
       source="an internal failure of this tool (not a CMS rule)", consequence="rejected")
define("F013", INFO, layer="file", summary="The report stopped at the findings limit.",
       explanation="A file with more findings than --max-findings (default 1,000) gets that many and this note: the "
                   "remaining checks are not run, so time and memory stay bounded for a file broken in every item. "
                   "Fix what is reported, or raise the limit (--max-findings 0 means no limit) to see the rest.",
       source="--max-findings, a safeguard of this tool (not a CMS rule)")
CONVERTER_ENCODER = ("CMS QPP Conversion Tool, QualityMeasureIdEncoder: performanceNotMet = DENOM - NUMER - DENEX "
                     "- DENEXCEP; NUMEX is not output")
NUMBER_WOULD_CHANGE = define(
       "F014", ERROR, layer="file",
       summary="Converting the file would change one of its numbers; nothing was written.",
       explanation='`qppfiles convert` writes a file only when every count reads back identical. QRDA III has no '
                   'performanceNotMet and no place for eligible patients that were not reported: CMS computes '
                   'performanceNotMet as the denominator minus the numerator, exclusions and exceptions, so a measure '
                   'with data completeness below 100% would turn its unreported patients into "not met" (a lower '
                   'performance rate), and a numerator exclusion would be dropped. Report every eligible patient, or '
                   'submit that measure as QPP JSON.',
       source=CONVERTER_ENCODER,
       example='{"performanceMet": 196, "performanceNotMet": 85, "eligiblePopulation": 315}  (34 not reported)',
       consequence="points").code
NOT_REPRESENTABLE = define("F015", ERROR, layer="file",
       summary="The submission cannot be written in the target format as it stands; nothing was written.",
       explanation="`qppfiles convert` never writes a file that CMS would refuse when the input was acceptable: a "
                   "measure with no eCQM identity in QRDA III, an improvement activity without its id, an empty "
                   "quality set, an entity without the identifiers the format needs, or any output its own `validate` "
                   "would reject. The message says what is missing; fix the input or keep its original format.",
       source="CMS QPP Conversion Tool ProblemCodes 6, 43, 78 and 81; QPP Submissions API validation of the converted "
              "submission",
       consequence="rejected").code
define("S001", ERROR, layer="schema", summary="A required field is missing.",
       explanation="The QPP JSON schema requires this field at this place.", source=SRC_FORMAT,
       example='{"entityType": "individual"}  (no performanceYear)', consequence="rejected")
define("S002", ERROR, layer="schema", summary="A field has the wrong type.",
       explanation="The field's value must have the type the format defines (for example an integer count, not a "
                   "string).",
       source=SRC_FORMAT, example='"performanceMet": "12"', consequence="rejected")
define("S003", ERROR, layer="schema", summary="An unknown field.",
       explanation="The Submissions API rejects fields it does not define. Check the spelling (field names are "
                   "case-sensitive).",
       source=SRC_FORMAT, example='"performanceMett": 12', consequence="rejected")
define("S004", ERROR, layer="schema", summary="A field's value is not one the format allows.",
       explanation="The value is outside the allowed set or pattern (for example an unknown entityType, a category "
                   "other than quality/ia/pi, or a date not written YYYY-MM-DD).",
       source=SRC_FORMAT, example='"entityType": "practice"', consequence="rejected")
