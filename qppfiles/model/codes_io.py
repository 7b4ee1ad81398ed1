"""Codes of the file and schema layers (reading a file, and its JSON shape)."""

from .codes import define
from .findings import ERROR, INFO, WARNING

SRC_FORMAT = "QPP Submissions API JSON reference (measurements, measurementSets, submissions fields)"

define("F001", ERROR, "file", "The file is empty.",
       "An empty file (or one holding only white space, or only a byte-order mark) is not a submission.",
       SRC_FORMAT, consequence="rejected")
define("F002", ERROR, "file", "The file is not valid UTF-8 text.",
       "QPP JSON is UTF-8. The finding gives the offset, line and column of the first byte that cannot be "
       "decoded; re-save the file as UTF-8.", "RFC 8259 §8.1", consequence="rejected")
define("F003", WARNING, "file", "The file is UTF-16 encoded.",
       "qppfiles reads UTF-16, with a byte-order mark or without one (then recognised by the NUL byte beside "
       "each of the first ASCII characters), but the Submissions API expects UTF-8.", "RFC 8259 §8.1")
define("F004", ERROR, "file", "The file contains NUL bytes: it is binary, not a submission.",
       "A NUL byte never occurs in JSON or XML text; the file is probably an archive, a spreadsheet or "
       "a corrupted export.",
       consequence="rejected",
       source="RFC 8259 §7 (control characters escaped); W3C XML 1.0 §2.2 (no NUL character)")
define("F005", ERROR, "file", "The file is not valid JSON.",
       "The JSON parser stopped at the line and column given. Common causes: a truncated export, a trailing "
       "comma, single quotes, or comments.", "RFC 8259",
       example='{"performanceYear": 2024,}', consequence="rejected")
define("F006", ERROR, "file", "NaN or Infinity used as a number.",
       "JSON has no NaN or Infinity; some exporters write them for a 0/0 rate. Omit the field or give the "
       "counts.", "RFC 8259 §6", example='{"performanceRate": NaN}', consequence="rejected")
define("F007", ERROR, "file", "The document is nested absurdly deep.",
       "A submission is at most a few levels deep; a deeper document is refused before any other check.",
       consequence="rejected", source="RFC 8259 §9 (a parser may limit the depth of nesting)")
define("F008", ERROR, "file", "A key appears twice in the same object.",
       "With duplicate keys, different readers keep different values; CMS's intake and qppfiles might not see "
       "the same submission. Keep one.", "RFC 8259 §4", example='{"performanceYear": 2024, "performanceYear": 2025}',
       consequence="rejected")
define("F009", ERROR, "file", "The top level is not a JSON object.",
       "A QPP JSON document is an object: a submission, the API envelope {\"data\": {\"submission\": …}}, or "
       "a single measurement set.", SRC_FORMAT, example="[1, 2, 3]", consequence="rejected")
define("F010", ERROR, "file", "The file is larger than the size limit.",
       "Files above --max-file-size (default 200 MB) are refused unread to keep memory bounded. Like any "
       "input that cannot be read, it makes `validate` and `lint` exit with code 2.",
       consequence="rejected", source="--max-file-size, a safeguard of this tool (not a CMS rule)")
define("F011", ERROR, "file", "The file could not be read.",
       "The path could not be opened or read (missing, a directory, or no permission).",
       consequence="rejected", source="the operating system could not read the path (not a CMS rule)")
define("F012", ERROR, "file", "An internal error occurred while checking this file.",
       "qppfiles failed on this input. The run continued with the next file. Please report it with the file "
       "(or a redacted copy) and the output of `qppfiles --version`.",
       consequence="rejected", source="an internal failure of this tool (not a CMS rule)")
define("F013", INFO, "file", "The report stopped at the findings limit.",
       "A file with more findings than --max-findings (default 1,000) gets that many and this note: the "
       "remaining checks are not run, so time and memory stay bounded for a file broken in every item. "
       "Fix what is reported, or raise the limit (--max-findings 0 means no limit) to see the rest.",
       source="--max-findings, a safeguard of this tool (not a CMS rule)")
CONVERTER_ENCODER = ("CMS QPP Conversion Tool, QualityMeasureIdEncoder: performanceNotMet = DENOM - NUMER - DENEX "
                     "- DENEXCEP; NUMEX is not output")
NUMBER_WOULD_CHANGE = define(
       "F014", ERROR, "file", "Converting the file would change one of its numbers; nothing was written.",
       "`qppfiles convert` writes a file only when every count reads back identical. QRDA III has no "
       "performanceNotMet and no place for eligible patients that were not reported: CMS computes "
       "performanceNotMet as the denominator minus the numerator, exclusions and exceptions, so a measure "
       "with data completeness below 100% would turn its unreported patients into \"not met\" (a lower "
       "performance rate), and a numerator exclusion would be dropped. Report every eligible patient, or "
       "submit that measure as QPP JSON.", CONVERTER_ENCODER, consequence="points",
       example='{"performanceMet": 196, "performanceNotMet": 85, "eligiblePopulation": 315}  (34 not reported)').code
NOT_REPRESENTABLE = define(
       "F015", ERROR, "file",
       "The submission cannot be written in the target format as it stands; nothing was written.",
       "`qppfiles convert` never writes a file that CMS would refuse when the input was acceptable: a measure "
       "with no eCQM identity in QRDA III, an improvement activity without its id, an empty quality set, an "
       "entity without the identifiers the format needs, or any output its own `validate` would reject. The "
       "message says what is missing; fix the input or keep its original format.",
       "CMS QPP Conversion Tool ProblemCodes 6, 43, 78 and 81; QPP Submissions API validation of the converted "
       "submission", consequence="rejected").code
define("S001", ERROR, "schema", "A required field is missing.",
       "The QPP JSON schema requires this field at this place.", SRC_FORMAT,
       example='{"entityType": "individual"}  (no performanceYear)', consequence="rejected")
define("S002", ERROR, "schema", "A field has the wrong type.",
       "The field's value must have the type the format defines (for example an integer count, not a "
       "string).", SRC_FORMAT, example='"performanceMet": "12"', consequence="rejected")
define("S003", ERROR, "schema", "An unknown field.",
       "The Submissions API rejects fields it does not define. Check the spelling (field names are "
       "case-sensitive).", SRC_FORMAT, example='"performanceMett": 12', consequence="rejected")
define("S004", ERROR, "schema", "A field's value is not one the format allows.",
       "The value is outside the allowed set or pattern (for example an unknown entityType, a category other "
       "than quality/ia/pi, or a date not written YYYY-MM-DD).", SRC_FORMAT,
       example='"entityType": "practice"', consequence="rejected")
