"""Build a submission from a practice's own table of counts: CSV, YAML or TOML.

A CSV holds one row per measure (or per stratum), the header (year, entity,
identifiers, program, periods, CEHRT id) coming from options.  A YAML or TOML
file holds the header and the rows together::

    year: 2024
    entity_type: group
    tin: "123456789"
    program: mips                 # or an MVP id such as M0001
    cehrt_id: 0015C1234567890
    quality:
      submission_method: registry
      measures:
        - {measureId: "001", performanceMet: 40, performanceNotMet: 60, eligiblePopulation: 120}
    ia: [IA_BE_6, IA_CC_1]
    pi:
      PI_EP_1: {numerator: 120, denominator: 200}
      PI_PPHI_1: yes

Column and key names are matched loosely (``performance_met``, ``Performance
Met`` and ``performanceMet`` are the same); the category of each measure comes
from the year's catalog.  Problems are raised as :class:`InputError` with the
line (or key path) they were found at.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from datetime import date
from typing import Any

from ..catalog import load_catalog
from ..model.digits import MAX_COUNT
from ..model.digits import RULE
from ..model.digits import is_ascii_digits
from ..model.digits import shown
from ..model.submission import ENTITY_TYPES
from ..model.submission import BooleanValue
from ..model.submission import Counts
from ..model.submission import Measurement
from ..model.submission import MeasurementSet
from ..model.submission import MultiRateValue
from ..model.submission import ProportionValue
from ..model.submission import SingleRateValue
from ..model.submission import Stratum
from ..model.submission import Submission
from ..program import supported_years
from ..program import year_pack
from . import pools


class InputError(ValueError):
    """A problem in the input table, with where it was found (``line 4``, ``quality.measures[2]``)."""

    def __init__(self, where: str, message: str):
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.message = message


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# Row columns: canonical name -> accepted spellings (compared after _norm).
COLUMNS = {
    "measureId": ("measureid", "measure", "id"),
    "performanceMet": ("performancemet", "met"),
    "performanceNotMet": ("performancenotmet", "notmet"),
    "eligiblePopulation": ("eligiblepopulation", "eligible", "denominatorpopulation"),
    "eligiblePopulationExclusion": ("eligiblepopulationexclusion", "exclusions", "exclusion"),
    "eligiblePopulationException": ("eligiblepopulationexception", "exceptions", "exception"),
    "numerator": ("numerator",),
    "denominator": ("denominator",),
    "value": ("value", "attested", "answer"),
    "stratum": ("stratum",),
    "submissionMethod": ("submissionmethod", "method"),
    "performanceRate": ("performancerate", "rate"),
}
_COLUMN_OF = {alias: canonical for canonical, aliases in COLUMNS.items() for alias in aliases}
COUNT_COLUMNS = ("performanceMet", "performanceNotMet", "eligiblePopulation", "eligiblePopulationExclusion",
                 "eligiblePopulationException", "numerator", "denominator")

# Header keys: canonical name -> accepted spellings.
HEADER_KEYS = {
    "year": ("year", "performanceyear"),
    "entity_type": ("entitytype", "level", "entity"),
    "tin": ("tin", "taxpayeridentificationnumber"),
    "npi": ("npi", "nationalprovideridentifier"),
    "entity_id": ("entityid",),
    "program": ("program", "programname", "mvp"),
    "cehrt_id": ("cehrtid", "cehrt"),
    "start": ("start", "performancestart"),
    "end": ("end", "performanceend"),
    "submission_method": ("submissionmethod", "method"),
}
_HEADER_OF = {alias: canonical for canonical, aliases in HEADER_KEYS.items() for alias in aliases}
SECTIONS = ("quality", "ia", "pi")
_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0"}


@dataclass
class Header:
    year: int | None = None
    entity_type: str | None = None
    tin: str | None = None
    npi: str | None = None
    entity_id: str | None = None
    program: str | None = None
    cehrt_id: str | None = None
    start: str | None = None
    end: str | None = None
    submission_method: str | None = None

    def merged(self, other: Header) -> Header:
        """This header with the fields ``other`` sets (command-line options win over the file)."""
        return replace(self, **{k: v for k, v in vars(other).items() if v is not None})


@dataclass
class Row:
    where: str
    fields: dict[str, Any]
    section: str | None = None          # "quality" | "ia" | "pi" when the file says so


@dataclass
class Periods:
    start: str | None = None
    end: str | None = None
    method: str | None = None


@dataclass
class Table:
    header: Header
    rows: list[Row] = field(default_factory=list)
    periods: dict[str, Periods] = field(default_factory=dict)


# ---------------------------------------------------------------- values

def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _count(where: str, name: str, value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InputError(where, f"{name} must be a whole number, not {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = str(value).strip().replace("_", "")
        if not re.fullmatch(r"[+-]?[0-9]+", text) or len(text) > 12:
            raise InputError(where, f"{name} must be a whole number from 0 to {MAX_COUNT:,}, not "
                                    f"{shown(str(value).strip())!r}: {RULE}")
        number = int(text)
    if number < 0:
        raise InputError(where, f"{name} cannot be negative ({number})")
    if number > MAX_COUNT:
        raise InputError(where, f"{name} must be a whole number from 0 to {MAX_COUNT:,}; it is larger")
    return number


def _rate(where: str, value: Any) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        text = str(value).strip().rstrip("%")
        if not text.isascii():
            raise ValueError(RULE)
        number = float(text)
    except ValueError:
        raise InputError(where, f"performanceRate must be a number in ASCII digits, not "
                                f"{shown(str(value).strip())!r}") from None
    if not 0 <= number <= 100:
        raise InputError(where, f"performanceRate must be between 0 and 100, not {number:g}")
    return number


def _boolean(where: str, value: Any) -> bool:
    if value is None or value == "":
        return True  # listing an activity or attestation means yes
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(where, f"value must be yes/no or true/false, not {str(value).strip()!r}")


def _year(where: str, value: Any) -> int:
    text = str(value).strip() if not isinstance(value, int) or abs(value) < 10 ** 9 else "(a huge number)"
    if not is_ascii_digits(text) or len(text) > 4:
        raise InputError(where, f"the year must be a number such as 2024, not {shown(text)!r}: {RULE}")
    year = int(text)
    if year not in supported_years():
        years = supported_years()
        raise InputError(where, f"performance year {year} is not supported ({years[0]}-{years[-1]})")
    return year


def _measure_id(value: Any) -> str | None:
    text = _text(value)
    # Spreadsheets and YAML turn "001" into 1: quality numbers are three digits.
    if text is not None and is_ascii_digits(text) and len(text) < 3:
        text = text.zfill(3)
    return text


def _columns(where: str, names: Iterable[str]) -> dict[str, str]:
    """Map the given column names to canonical ones; unknown names are an input error."""
    out = {}
    for name in names:
        if name is None:
            continue
        canonical = _COLUMN_OF.get(_norm(name))
        if canonical is None:
            raise InputError(where, f"unknown column '{name}'; known columns: {', '.join(COLUMNS)}")
        out[name] = canonical
    return out


def header_from_mapping(where: str, mapping: dict[str, Any]) -> Header:
    header = Header()
    for key, value in mapping.items():
        canonical = _HEADER_OF.get(_norm(str(key)))
        if canonical is None:
            raise InputError(where, f"unknown key '{key}'; known keys: {', '.join(HEADER_KEYS)}, "
                                    f"{', '.join(SECTIONS)}")
        setattr(header, canonical, _year(where, value) if canonical == "year" else _text(value))
    return header


# ---------------------------------------------------------------- CSV

def read_csv(text: str) -> list[Row]:
    """Rows of a CSV table; lines starting with '#' and blank lines are comments."""
    numbered = [(n, line) for n, line in enumerate(text.splitlines(), 1)
                if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise InputError("line 1", "the table is empty: it needs a header row and one row per measure")
    reader = csv.reader(io.StringIO("\n".join(line for _, line in numbered)))
    rows: list[Row] = []
    names: list[str] = []
    for index, cells in _csv_rows(reader, numbered):
        line = numbered[min(index, len(numbered) - 1)][0]
        long = next((c for c in cells if len(c) > MAX_CELL), None)
        if long is not None:
            raise InputError(f"line {line}", f"a cell holds {len(long):,} characters; cells are at most "
                                             f"{MAX_CELL:,}")
        if index == 0:
            names = [c.strip() for c in cells]
            mapping = _columns(f"line {line}", names)
            if "measureId" not in mapping.values():
                raise InputError(f"line {line}", "the header row has no measureId column")
            continue
        if len(cells) > len(names):
            raise InputError(f"line {line}", f"{len(cells)} cells but the header has {len(names)} columns")
        fields = {mapping[name]: cell.strip() for name, cell in zip(names, cells, strict=False)
                  if cell.strip() != ""}  # a short row leaves its last columns empty
        rows.append(Row(f"line {line}", fields))
    return rows


def _csv_rows(reader, numbered):
    index = -1
    try:
        for index, cells in enumerate(reader):
            yield index, cells
    except csv.Error as exc:  # a field past the csv module's own limit, or a stray quote
        line = numbered[min(index + 1, len(numbered) - 1)][0]
        raise InputError(f"line {line}", f"not a valid CSV row: {exc}") from None


# ---------------------------------------------------------------- YAML / TOML

# A table is a few levels deep and a count a few digits: deeper or longer input is refused before
# it can exhaust the stack or the integer parser.
MAX_DEPTH = 32
MAX_CELL = 1000
MAX_NUMBER_DIGITS = 18


def _yaml_load(text: str):
    import yaml

    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent, index):
            # Aliases let a few lines stand for billions of nodes; a table of counts never needs them.
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InputError(f"line {event.start_mark.line + 1}", "YAML anchors and aliases (&name, *name) "
                                 "are not accepted: write each value out")
            if self.depth >= MAX_DEPTH:
                raise InputError(f"line {event.start_mark.line + 1}",
                                 f"the YAML is nested deeper than {MAX_DEPTH} levels")
            self.depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    def integer(loader, node):
        digits = sum(c.isdigit() for c in node.value)
        if digits > MAX_NUMBER_DIGITS:
            raise InputError(f"line {node.start_mark.line + 1}", f"a number of {digits:,} digits is too large "
                             f"for a table of counts (at most {MAX_NUMBER_DIGITS})")
        return loader.construct_yaml_int(node)

    def mapping(loader, node, deep=False):
        value = loader.construct_mapping(node, deep=True)
        value["__line__"] = node.start_mark.line + 1
        return value

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, mapping)
    Loader.add_constructor("tag:yaml.org,2002:int", integer)
    try:
        return yaml.load(text, Loader=Loader)  # safe: Loader is a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        raise InputError(where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None


def _toml_load(text: str):
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    if _bracket_depth(text) > MAX_DEPTH:
        raise InputError("", f"the TOML is nested deeper than {MAX_DEPTH} levels")
    long_number = re.search(r"[0-9_]{" + str(MAX_NUMBER_DIGITS + 1) + ",}", text)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise InputError(f"line {match.group(1)}" if match else "", f"not valid TOML: {exc}") from None
    except ValueError:  # an integer past int()'s digit limit
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else None
        raise InputError(f"line {line}" if line else "", "a number is too large for a table of counts") from None


def _bracket_depth(text: str) -> int:
    """An upper bound of the nesting of arrays and inline tables (brackets inside strings count too)."""
    depth = deepest = 0
    for c in re.findall(r"[\[\]{}]", text):
        depth = depth + 1 if c in "[{" else max(0, depth - 1)
        deepest = max(deepest, depth)
    return deepest


def _where(node: Any, path: str) -> str:
    if isinstance(node, dict) and "__line__" in node:
        return f"line {node['__line__']}"
    return path


def _strip(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: v for k, v in node.items() if k != "__line__"}
    return node


def read_document(doc: Any) -> Table:
    """A parsed YAML/TOML document to a header and rows."""
    if not isinstance(doc, dict):
        raise InputError("line 1", "the file must be a mapping with the header keys and the quality, ia and "
                                   "pi sections")
    where = _where(doc, "")
    header_part = {k: v for k, v in _strip(doc).items() if _norm(str(k)) not in SECTIONS}
    table = Table(header_from_mapping(where, header_part))
    for key, value in _strip(doc).items():
        section = _norm(str(key))
        if section in SECTIONS and value is not None:
            _read_section(table, section, value, str(key))
    return table


def _section_periods(table: Table, section: str, where: str, node: dict) -> None:
    periods = Periods()
    for key, value in _strip(node).items():
        canonical = _HEADER_OF.get(_norm(str(key)))
        if canonical in ("start", "end"):
            setattr(periods, canonical, _text(value))
        elif canonical == "submission_method":
            periods.method = _text(value)
        elif _norm(str(key)) not in ("measures", "activities"):
            raise InputError(where, f"unknown key '{key}' in {section}; use start, end, submission_method and "
                                    f"{'activities' if section == 'ia' else 'measures'}")
    table.periods[section] = periods


def _read_section(table: Table, section: str, value: Any, path: str) -> None:
    if isinstance(value, dict):
        body = _strip(value)
        inner = next((body[k] for k in body if _norm(str(k)) in ("measures", "activities")), None)
        if inner is not None:
            _section_periods(table, section, _where(value, path), value)
            _read_section(table, section, inner, f"{path}.measures")
            return
        # {measureId: value-or-counts}
        for measure_id, item in body.items():
            fields = dict(_strip(item)) if isinstance(item, dict) else {"value": item}
            fields["measureId"] = measure_id
            table.rows.append(_row(_where(item, f"{path}.{measure_id}"), fields, section))
        return
    if not isinstance(value, list):
        raise InputError(path, f"{path} must be a list of measures or a mapping")
    for i, item in enumerate(value):
        fields = dict(_strip(item)) if isinstance(item, dict) else {"measureId": item}
        table.rows.append(_row(_where(item, f"{path}[{i}]"), fields, section))


def _row(where: str, fields: dict[str, Any], section: str | None) -> Row:
    mapping = _columns(where, [str(k) for k in fields])
    return Row(where, {mapping[str(k)]: v for k, v in fields.items() if v is not None}, section)


# ---------------------------------------------------------------- building the submission

def load(path: str, text: str, header: Header) -> tuple[Submission, Table]:
    """Parse ``text`` (format from the file name) and build the submission; options in ``header`` win."""
    suffix = path.lower().rsplit(".", 1)[-1] if "." in path else ""
    if suffix in ("yaml", "yml"):
        table = read_document(_yaml_load(text))
    elif suffix == "toml":
        table = read_document(_toml_load(text))
    elif suffix in ("csv", "txt", "tsv"):
        table = Table(Header(), read_csv(text))
    else:
        raise InputError("", f"cannot tell the format of '{path}': name it .csv, .yaml, .yml or .toml")
    table.header = table.header.merged(header)
    return build(table), table


def build(table: Table) -> Submission:
    h = table.header
    if h.year is None:
        raise InputError("", "the performance year is missing: give --year or a 'year' key")
    pack = year_pack(h.year)
    catalog = load_catalog(h.year)
    entity = h.entity_type or ("individual" if h.npi else "group")
    if entity not in ENTITY_TYPES:
        raise InputError("", f"unknown entity type '{entity}'; choose one of {', '.join(ENTITY_TYPES)}")
    program = h.program or "mips"
    quality: dict[str, dict[str, Measurement]] = {}
    ia: dict[str, Measurement] = {}
    pi: dict[str, Measurement] = {}
    for row in table.rows:
        measure_id = _measure_id(row.fields.get("measureId"))
        if measure_id is None:
            raise InputError(row.where, "the row has no measureId")
        section = row.section or _category(catalog, measure_id)
        if section is None or (row.section and _category(catalog, measure_id, row.section) is None):
            where_to = f" {row.section}" if row.section else ""
            raise InputError(row.where, f"'{measure_id}' is not a{where_to} measure of {h.year} "
                                        f"(see `qppfiles measures --year {h.year}`)")
        if section == "quality":
            default = (table.periods.get("quality") or Periods()).method or h.submission_method or pools.REGISTRY
            method = _text(row.fields.get("submissionMethod")) or default
            _add_quality(quality.setdefault(method, {}), row, measure_id, method)
        elif section == "ia":
            ia[measure_id] = Measurement(measure_id, BooleanValue(_boolean(row.where, row.fields.get("value"))))
        else:
            pi[measure_id] = Measurement(measure_id, _pi_value(row, catalog.pi[measure_id].metric_type))
    sets = []
    for method, measures in quality.items():
        sets.append(_set(table, "quality", method, program, h.cehrt_id if method == pools.EHR else None,
                         measures.values()))
    if ia:
        sets.append(_set(table, "ia", None, program, None, ia.values()))
    if pi:
        sets.append(_set(table, pack.pi.category_id, None, program, h.cehrt_id, pi.values(), section="pi"))
    if not sets:
        raise InputError("", "the table has no measures")
    tin = h.tin if entity in ("individual", "group") or h.tin else None
    return Submission(h.year, entity, tin, h.npi, h.entity_id, tuple(sets))


def _category(catalog, measure_id: str, only: str | None = None) -> str | None:
    for name, records in (("quality", catalog.quality), ("ia", catalog.ia), ("pi", catalog.pi)):
        if (only is None or only == name) and measure_id in records:
            return name
    return None


def _counts(row: Row) -> Counts:
    values = {name: _count(row.where, name, row.fields.get(name)) for name in COUNT_COLUMNS}
    if values["eligiblePopulation"] is None:
        raise InputError(row.where, "eligiblePopulation is missing")
    if values["performanceMet"] is None:
        raise InputError(row.where, "performanceMet is missing")
    return Counts(values["performanceMet"], values["performanceNotMet"], values["eligiblePopulation"],
                  values["eligiblePopulationExclusion"] if values["eligiblePopulationExclusion"] is not None else 0,
                  values["eligiblePopulationException"] if values["eligiblePopulationException"] is not None else 0)


def _add_quality(measures: dict[str, Measurement], row: Row, measure_id: str, method: str) -> None:
    counts = _counts(row)
    rate = _rate(row.where, row.fields.get("performanceRate"))
    ehr = method == pools.EHR
    stratum = _text(row.fields.get("stratum"))
    existing = measures.get(measure_id)
    if stratum is None:
        if existing is not None:
            raise InputError(row.where, f"measure {measure_id} appears twice; give a stratum column for "
                                        f"multi-rate measures")
        measures[measure_id] = Measurement(measure_id, SingleRateValue(counts, rate, ehr))
        return
    previous = existing.value if existing is not None else None
    if previous is not None and not isinstance(previous, MultiRateValue):
        raise InputError(row.where, f"measure {measure_id} has rows with and without a stratum")
    strata = previous.strata if previous is not None else ()
    if any(s.name == stratum for s in strata):
        raise InputError(row.where, f"stratum '{stratum}' of measure {measure_id} appears twice")
    measures[measure_id] = Measurement(measure_id, MultiRateValue(strata + (Stratum(stratum, counts),), rate, ehr))


def _pi_value(row: Row, metric_type: str | None):
    numerator = _count(row.where, "numerator", row.fields.get("numerator"))
    denominator = _count(row.where, "denominator", row.fields.get("denominator"))
    if numerator is not None or denominator is not None or metric_type == "proportion":
        if numerator is None or denominator is None:
            raise InputError(row.where, f"{row.fields.get('measureId')} needs both numerator and denominator")
        return ProportionValue(numerator, denominator)
    return BooleanValue(_boolean(row.where, row.fields.get("value")))


def _set(table: Table, category: str, method: str | None, program: str, cehrt: str | None,
         measurements: Iterable[Measurement], section: str | None = None) -> MeasurementSet:
    h = table.header
    pack = year_pack(h.year)
    own = table.periods.get(section or category) or Periods()
    # The header period is for IA and PI; quality covers the whole year when the year requires it.
    shared = Periods() if category == "quality" and pack.periods.quality_full_year_required else h
    start = own.start or shared.start or pack.periods.start.isoformat()
    end = own.end or shared.end or pack.periods.end.isoformat()
    method = method or own.method or pools.REGISTRY
    program_name = program if program != "mips" or pools.writes_program_name(pack.year) else None
    return MeasurementSet(category, method, program_name, cehrt, start, end, tuple(measurements))


__all__ = ["COLUMNS", "Header", "InputError", "Row", "Table", "build", "load", "read_csv", "read_document"]
