"""QRDA Category III reader: bytes -> ReadResult with a format-neutral Submission.

The mapping follows CMS's own converter: templates are recognised by root,
the performance year comes from the first section's reporting period, eCQMs
are identified by their GUID and populations by UUID through the year's
catalog, and performanceNotMet is DENOM - NUMER - DENEX - DENEXCEP.
"""

from __future__ import annotations

from lxml import etree

from ...model.digits import MAX_COUNT
from ...model.digits import RULE
from ...model.digits import ascii_count
from ...model.digits import is_ascii_digits
from ...model.digits import shown
from ...model.findings import ERROR
from ...model.findings import WARNING
from ...model.findings import Finding
from ...model.findings import Location
from ...model.submission import BooleanValue
from ...model.submission import Counts
from ...model.submission import Measurement
from ...model.submission import MeasurementSet
from ...model.submission import MultiRateValue
from ...model.submission import ProportionValue
from ...model.submission import SingleRateValue
from ...model.submission import Stratum
from ...model.submission import Submission
from .. import QRDA3
from .. import ReadResult
from . import _catalog
from . import templates as T
from .paths import LineMap
from .xml import DEFAULT_MAX_BYTES
from .xml import parse

SUBMISSION_METHOD = "electronicHealthRecord"

_H = "{" + T.NS + "}"
CLINICAL_DOCUMENT = _H + "ClinicalDocument"
TEMPLATE_ID = _H + "templateId"
ID = _H + "id"
COMPONENT = _H + "component"
STRUCTURED_BODY = _H + "structuredBody"
ORGANIZER = _H + "organizer"
VALUE = _H + "value"
LOW = _H + "low"

# CMS reads Measure Performed as Y or N, in any case, and nothing else.
_YES = {"y"}
_NO = {"n"}
# Checks of eCQM content CMS's converter makes for MIPS only: for the APP programs they are warnings.
_MIPS_ONLY = frozenset({"X130", "X131", "X132", "X135", "X137", "X163", "X169", "X170", "X171", "X172", "X175"})


def read(data: bytes, path: str | None = None, *, max_bytes: int = DEFAULT_MAX_BYTES,
         catalog=None, year: int | None = None, lazy_refs: bool = False) -> ReadResult:
    """Read a QRDA III file.

    ``catalog`` overrides the measures catalog of the file's year (for tests and
    callers holding their own); by default the year's catalog is loaded.
    ``year`` overrides the file's performance year (``--year``): the file is read,
    gated and checked as that year's.
    ``lazy_refs``: the model's refs are tokens that only the result's ``locate``
    turns into XPaths, for a caller that uses refs only to place findings.
    """
    root, findings = parse(data, max_bytes)
    if root is None:
        return ReadResult(QRDA3, None, findings)
    return _Reader(root, catalog, year, lazy_refs).run()


Period = tuple[str | None, str | None]
# (category, section element, reporting period or None) of a section read.
Section = tuple[str, etree._Element, Period | None]

_NS = {"h": T.NS}


def _xpath(expression: str) -> etree.XPath:
    # Without the regular expression functions, which would be set up again at each call.
    return etree.XPath(expression, namespaces=_NS, regexp=False, smart_strings=False)


# Compiled XPaths read a few levels of children in one call, where Python would make one proxy per node.
# The values of an observation's aggregate counts; a population observation also holds its supplemental data.
_AGGREGATE_VALUES = f"h:entryRelationship/h:observation[h:templateId/@root = '{T.AGGREGATE_COUNT}']/h:value"
_aggregate_values = _xpath(_AGGREGATE_VALUES)
_sections = _xpath("h:component[1]/h:structuredBody[1]/h:component/h:section")
_entry_organizers = _xpath("h:entry/h:organizer")
_entry_elements = _xpath("h:entry/*")
_component_observations = _xpath("h:component/h:observation")
# The templateId roots an element has (a templateId without root is left out), as strings.
_template_roots = _xpath("h:templateId/@root")
# An organizer's measure ids (reference/externalDocument/id/@extension), as strings.
_measure_ids = _xpath("h:reference/h:externalDocument/h:id/@extension")
_emeasure_ids = _xpath(f"h:reference/h:externalDocument/h:id[@root = '{T.EMEASURE_ROOT}']")


def _having_template(steps: str, root: str, then: str = "") -> etree.XPath:
    """The elements at ``steps`` that have a templateId with ``root`` (then ``then`` below them)."""
    return _xpath(f"{steps}[h:templateId/@root = '{root}']{then}")


# The templateIds that make an organizer of a section a PI measure (a proportion or an attestation):
# their parents are the section's PI measures, in document order.  A test of the attribute costs less
# than one of the organizer's templateIds as a node-set.
_pi_templates = _xpath(f"h:entry/h:organizer/h:templateId[@root = '{T.PI_NUMERATOR_DENOMINATOR}'"
                       f" or @root = '{T.PI_MEASURE_PERFORMED}']")
_pi_count_templates = _xpath(f"h:component/h:observation/h:templateId[@root = '{T.PI_NUMERATOR}'"
                             f" or @root = '{T.PI_DENOMINATOR}']")
_measure_performed = _having_template("h:component/h:observation", T.MEASURE_PERFORMED)
# The first value of the first Measure Performed observation: the one CMS reads.
_performed_value = _xpath(f"(h:component/h:observation[h:templateId/@root = '{T.MEASURE_PERFORMED}'])[1]/h:value[1]")
# The header's ids: the program names, the participants' (CEHRT, MVP), the performers' NPIs and their
# organization's ids (TIN, APM, ...); the parent of each tells which it is.
_PERFORMER = "h:documentationOf/h:serviceEvent/h:performer/h:assignedEntity"
_header_ids = _xpath(
    f"h:informationRecipient/h:intendedRecipient/h:id[@root = '{T.PROGRAM_NAME_ROOT}']"
    f" | h:participant/h:associatedEntity/h:id | {_PERFORMER}/h:id[@root = '{T.NPI_ROOT}']"
    f" | {_PERFORMER}/h:representedOrganization[1]/h:id")

# Unions: one call gathers what the checks of an element read, in document order, for less than a call
# per part; the tags (and for a value, its parent) tell the parts apart.
# A section's templateIds and its reporting parameters acts.
_section_parts = _xpath(
    f"h:templateId | h:entry/h:act[h:templateId/@root = '{T.REPORTING_PARAMETERS_ACT}']")
# The bounds of a reporting period (of the act's first effectiveTime).
_period_bounds = _xpath("h:effectiveTime[1]/h:low | h:effectiveTime[1]/h:high")
# A measure data or performance rate observation's templateIds, values, population ids and aggregate counts.
_observation_parts = _xpath(
    f"h:templateId | h:value | h:reference/h:externalObservation/h:id | {_AGGREGATE_VALUES}")


def _child(el, *tags):
    for tag in tags:
        if el is None:
            return None
        el = next(el.iterchildren(tag), None)
    return el


def _pi_measures(section) -> list[tuple[etree._Element, bool]]:
    """(organizer, is a proportion) of each PI measure of a section, in document order."""
    found: list[tuple[etree._Element, bool]] = []
    for template in _pi_templates(section):
        organizer = template.getparent()
        proportion = template.get("root") == T.PI_NUMERATOR_DENOMINATOR
        if found and found[-1][0] is organizer:  # an organizer's templateIds come one after the other
            if proportion:
                found[-1] = (organizer, True)
        else:
            found.append((organizer, proportion))
    return found


def _pi_counts(organizer) -> dict[str, list[etree._Element]]:
    """A PI proportion's numerator and denominator observations (each in document order)."""
    found: dict[str, list[etree._Element]] = {T.PI_NUMERATOR: [], T.PI_DENOMINATOR: []}
    for template in _pi_count_templates(organizer):
        observations = found[template.get("root")]
        observation = template.getparent()
        if not observations or observations[-1] is not observation:  # a templateId may be repeated
            observations.append(observation)
    return found


class _Observation:
    """What the checks read of a measure data or performance rate observation, from one call."""

    __slots__ = ("roots", "values", "ids", "counts")

    def __init__(self, obs) -> None:
        self.roots: list[str] = []  # templateId roots
        self.values: list[etree._Element] = []  # its value elements
        self.ids: list[etree._Element] = []  # reference/externalObservation/id
        self.counts: list[etree._Element] = []  # the values of its aggregate counts
        for el in _observation_parts(obs):
            tag = el.tag
            if tag == TEMPLATE_ID:
                root = el.get("root")
                if root is not None:
                    self.roots.append(root)
            elif tag == ID:
                self.ids.append(el)
            elif el.getparent() is obs:
                self.values.append(el)
            else:
                self.counts.append(el)


def _date(raw: str | None) -> str | None:
    """yyyyMMdd..., yyyy-MM-dd or yyyy/MM/dd -> yyyy-MM-dd; None when not a date."""
    if not raw:
        return None
    digits = raw[:8]
    if len(digits) != 8 or not is_ascii_digits(digits):  # the common yyyyMMdd... needs no rewriting
        digits = raw.strip().replace("-", "").replace("/", "")[:8]
    if len(digits) != 8 or not is_ascii_digits(digits):
        return None
    month, day = int(digits[4:6]), int(digits[6:8])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"


class _Reader:
    def __init__(self, root, catalog, year: int | None = None, lazy_refs: bool = False) -> None:
        self.root = root
        self.catalog = catalog
        self.forced_year = year
        self.app = False  # an APP / APP Plus file: eCQM content is not checked by CMS
        self.year: int | None = None
        self.legacy_ia = None  # a legacy IA section, read only for the years CMS read it
        self.lines = LineMap(lazy_refs)
        self.findings: list[Finding] = []
        self.quality_template_ids: list[etree._Element] = []  # the templateIds of the eCQM section read

    # -- findings -----------------------------------------------------------------
    def finding(self, code: str, message: str, el=None, *, severity: str = ERROR,
                measure_id: str | None = None) -> None:
        el = self.root if el is None else el
        if self.app and code in _MIPS_ONLY and severity == ERROR:
            severity = WARNING
            message += " CMS does not check eCQM content for the APP programs, so this is a warning."
        location = Location(xpath=self.lines.path(el), line=el.sourceline)
        self.findings.append(Finding.of(code, message, location, measure_id=measure_id, at_most=severity))

    def result(self, submission: Submission | None) -> ReadResult:
        return ReadResult(QRDA3, submission, self.findings, self.lines.locate, self.root)

    # -- document -----------------------------------------------------------------
    def run(self) -> ReadResult:
        root = self.root
        if root.tag != CLINICAL_DOCUMENT:
            self.finding("X104", f"The file is XML but not an HL7 CDA document: its root element is "
                         f"<{_local(root.tag)}>, not <ClinicalDocument> in the urn:hl7-org:v3 namespace.")
            return self.result(None)
        report = [t for t in root.iterchildren(TEMPLATE_ID) if t.get("root") == T.QRDA3_REPORT_CMS]
        if not report:
            self.finding("X105", "The file is a CDA document but not a CMS QRDA Category III report: "
                         f"it has no templateId with root {T.QRDA3_REPORT_CMS}.")
            return self.result(None)
        raw_extension = report[0].get("extension") or ""
        extension = raw_extension.strip()
        ext_years = T.years_for_extension(extension)
        if not ext_years:
            known = ", ".join(sorted(T.REPORT_EXTENSION_YEARS))
            self.finding("X106", f"The CMS QRDA III report templateId carries extension "
                         f"'{extension or '(none)'}', which is not a guide version qppfiles supports "
                         f"(supported: {known}).", report[0])
            return self.result(None)

        header = self.header()
        self.app = header["program"] in T.APP_PROGRAMS
        sections = self.sections()
        year = self.year = self.performance_year(sections, ext_years, extension, report[0])
        self.check_guide_version(year, raw_extension, ext_years, report[0])
        if self.legacy_ia is not None and year not in T.LEGACY_IA_YEARS:
            self.finding("X176", "The improvement activities section uses the legacy template "
                         f"{T.LEGACY_IA_SECTION}, which CMS's intake skips since 2020: its activities "
                         f"will not be received (use {T.IA_SECTION}).", self.legacy_ia)
            sections = [s for s in sections if s[1] is not self.legacy_ia]
            if not sections:
                self.no_section()
        if self.catalog is None:
            self.catalog = _catalog.load(year)
        for category, section, _ in sections:
            if category == "quality":
                self.check_category_section(section, year)
        sets = tuple(self.measurement_set(cat, el, rp, header, year) for cat, el, rp in sections)
        submission = Submission(
            performance_year=year,
            entity_type=header["entity_type"],
            taxpayer_identification_number=header["tin"],
            national_provider_identifier=header["npi"],
            entity_id=header["entity_id"],
            measurement_sets=sets,
            ref=self.lines.ref(root),
        )
        return self.result(submission)

    def performance_year(self, sections, ext_years, extension, report_el) -> int:
        """One year per file: --year, else (as CMS) the start of the first reporting period."""
        starts = [(category, section, int(rp[0][:4])) for category, section, rp in sections if rp and rp[0]]
        if self.forced_year is not None:
            year = self.forced_year
        elif starts:
            year = starts[0][2]
        else:
            year = ext_years[-1]
            self.finding("X108", f"No section has a readable reporting period, so the performance year "
                         f"{year} was taken from the report templateId extension {extension}.",
                         report_el, severity=WARNING)
        if len({y for _, _, y in starts}) > 1:
            listed = ", ".join(f"{_CATEGORY_NAMES[c]} {y}" for c, _, y in starts)
            how = "given with --year" if self.forced_year is not None else "the first reporting period's"
            odd = next(section for _, section, y in starts if y != starts[0][2])
            self.finding("X162", f"The sections report periods starting in different years ({listed}). "
                         f"A file has one performance year, here {year} ({how}); CMS refuses the "
                         "periods outside it.", odd)
        return year

    def check_guide_version(self, year: int, extension: str, ext_years, report_el) -> None:
        expected = T.cms_report_extension(year)
        if expected is None:
            if year not in ext_years:
                self.finding("X107", f"The file is read as {year}, but the report templateId extension "
                             f"{extension.strip()} belongs to the guide for {_years(ext_years)}.", report_el,
                             severity=WARNING)
            return
        if extension == expected:
            return
        if year in ext_years:
            why = f"'{extension.strip()}' is another version of the {year} guide, one CMS's intake does not take"
        else:
            why = f"'{extension.strip()}' is the guide version of {_years(ext_years)}"
        self.finding("X160", f"The CMS QRDA III report templateId has extension '{extension}', but for "
                     f"{year} CMS accepts only '{expected}' ({why}); CMS refuses the file as not a valid "
                     "QRDA III document.", report_el)

    # -- header -------------------------------------------------------------------
    def header(self) -> dict:
        programs: list[etree._Element] = []
        entity_ids: list[etree._Element] = []
        npis: list[etree._Element] = []
        orgs: list[etree._Element] = []
        by_parent = {_H + "intendedRecipient": programs, _H + "associatedEntity": entity_ids,
                     _H + "assignedEntity": npis, _H + "representedOrganization": orgs}
        for i in _header_ids(self.root):
            by_parent[i.getparent().tag].append(i)
        cehrt = mvp = None
        for i in entity_ids:
            if i.get("root") == T.CEHRT_ROOT and cehrt is None:
                cehrt = i.get("extension")
            elif i.get("root") == T.MVP_ROOT and mvp is None:
                mvp = i.get("extension")

        def first(root_oid):
            for i in orgs:
                if i.get("root") == root_oid and i.get("extension"):
                    return i.get("extension")
            return None

        program_name, entity_type, is_known = self.program(programs)
        out = {"program": program_name, "entity_type": entity_type, "tin": None, "npi": None,
               "entity_id": None, "cehrt": cehrt, "mvp": None}
        if entity_type == "individual":
            # CMS takes the first NPI extension as written: an empty one is not replaced by the next.
            out["npi"] = next((i.get("extension") for i in npis if i.get("extension") is not None), None)
        if entity_type in ("individual", "group", "virtualGroup"):
            out["tin"] = first(T.TIN_ROOT)
        if entity_type == "apm":
            out["entity_id"] = first(T.APM_ROOT)
        elif entity_type == "subgroup":
            out["entity_id"] = first(T.SUBGROUP_ROOT)
        elif entity_type == "virtualGroup":
            out["entity_id"] = first(T.VIRTUAL_GROUP_ROOT)
            if out["entity_id"] is None:
                self.finding("X113", "The program is MIPS_VIRTUALGROUP but the file has no virtual "
                             f"group identifier (representedOrganization id root {T.VIRTUAL_GROUP_ROOT}).")
        if is_known and program_name == "mips" and entity_type in T.MVP_ENTITY_TYPES and mvp:
            out["mvp"] = mvp
        return out

    def program(self, ids) -> tuple[str | None, str | None, bool]:
        known = ", ".join(T.PROGRAMS)
        if not ids:
            self.finding("X110", "The file names no program: it needs one informationRecipient "
                         f"id with root {T.PROGRAM_NAME_ROOT} and one of {known}.")
            return None, None, False
        if len(ids) > 1:
            names = ", ".join(i.get("extension") or "(empty)" for i in ids)
            self.finding("X111", f"The file names {len(ids)} programs ({names}); it must name exactly one.",
                         ids[1])
        raw = ids[0].get("extension") or ""
        mapped = T.PROGRAMS.get(raw.upper())  # compared as written: CMS does not trim
        if mapped is None:
            self.finding("X112", f"Program name '{raw}' is not one CMS accepts for MIPS or the APP "
                         f"(accepted: {known}).", ids[0])
            return raw.lower() or None, "individual", False
        return mapped[0], mapped[1], True

    # -- sections -----------------------------------------------------------------
    def sections(self) -> list[Section]:
        """(category, section element, (start, end) or None) per known section, first of each kind."""
        found: list[Section] = []
        seen: dict[str, object] = {}
        for section in _sections(self.root):
            tids: list[etree._Element] = []
            acts: list[etree._Element] = []
            for el in _section_parts(section):
                (tids if el.tag == TEMPLATE_ID else acts).append(el)
            roots = [t.get("root", "") for t in tids]
            category = next((T.SECTION_CATEGORY[r] for r in roots if r in T.SECTION_CATEGORY), None)
            if category is None and T.LEGACY_IA_SECTION in roots and "ia" not in seen:
                category = "ia"
                self.legacy_ia = section
            if category is None:
                self.finding("X121", "A section with templateIds "
                             f"{', '.join(roots) or '(none)'} is not a QRDA III measure, "
                             "improvement activities or Promoting Interoperability section; "
                             "it was ignored.", section, severity=WARNING)
                continue
            if category in seen:
                self.finding("X122", f"The file has more than one {_CATEGORY_NAMES[category]} "
                             "section; only the first is read.", section)
                continue
            seen[category] = section
            if category == "quality":
                self.quality_template_ids = tids
            found.append((category, section, self.reporting_period(section, category, acts)))
        if not found:
            self.no_section()
        return found

    def no_section(self) -> None:
        body = _child(self.root, COMPONENT, STRUCTURED_BODY)
        self.finding("X120", "The file has no eCQM, improvement activities or Promoting "
                     "Interoperability section CMS reads, so it reports nothing.",
                     body if body is not None else None)

    def check_category_section(self, section, year: int) -> None:
        tids = [t for t in self.quality_template_ids if t.get("root") == T.CATEGORY_REPORT_SECTION]
        if not tids:
            self.finding("X125", "The measure section lacks the QRDA Category III Measure Section "
                         f"templateId (root {T.CATEGORY_REPORT_SECTION}).", section)
            return
        expected = T.CMS_CATEGORY_SECTION_EXTENSION.get(year)
        if expected is not None and not any(t.get("extension") == expected for t in tids):
            found = ", ".join(f"'{t.get('extension') or '(none)'}'" for t in tids)
            self.finding("X174", f"The measure section's category report templateId "
                         f"{T.CATEGORY_REPORT_SECTION} has extension {found}; for {year} CMS requires "
                         f"'{expected}'.", tids[0])

    def reporting_period(self, section, category: str, acts: list) -> Period | None:
        """The section's reporting period, from ``acts``: its reporting parameters acts."""
        name = _CATEGORY_NAMES[category]
        if len(acts) != 1:
            self.finding("X123", f"The {name} section has {len(acts)} reporting parameters acts "
                         f"(templateId {T.REPORTING_PARAMETERS_ACT}); it needs exactly one.", section)
            if not acts:
                return None
        act = acts[0]
        lows: list[etree._Element] = []
        highs: list[etree._Element] = []
        for bound in _period_bounds(act):
            (lows if bound.tag == LOW else highs).append(bound)
        low, high = (lows[0] if lows else None), (highs[0] if highs else None)
        for label, bounds in (("start (low)", lows), ("end (high)", highs)):
            if len(bounds) > 1:
                self.finding("X173", f"The {name} section's reporting period has {len(bounds)} "
                             f"{label} values; it needs exactly one.", bounds[1])
        dates = []
        for label, el in (("start", low), ("end", high)):
            raw = el.get("value") if el is not None else None
            value = _date(raw)
            if value is None:
                self.finding("X124", f"The {name} section's reporting period {label} "
                             f"'{shown(raw or '(missing)')}' is not a date (expected yyyyMMdd in ASCII digits).",
                             el if el is not None else act)
            dates.append(value)
        return dates[0], dates[1]

    def measurement_set(self, category, section, period, header, year: int) -> MeasurementSet:
        cehrt = header["cehrt"] if category in T.cehrt_categories(year) else None
        if category == "quality":
            measurements = self.quality_measures(section)
        elif category == "ia":
            measurements = self.ia_measures(section)
        else:
            measurements = self.pi_measures(section)
        if category == "pi" and self.catalog is not None:
            category = getattr(self.catalog, "pi_category", "pi") or "pi"
        start, end = period if period else (None, None)
        return MeasurementSet(
            category=category,
            submission_method=SUBMISSION_METHOD,
            program_name=header["mvp"] or header["program"],
            cehrt_id=cehrt,
            performance_start=start,
            performance_end=end,
            measurements=tuple(measurements),
            ref=self.lines.ref(section),
            source=QRDA3,
        )

    # -- quality ------------------------------------------------------------------
    def quality_measures(self, section) -> list[Measurement]:
        out: list[Measurement] = []
        seen_guids: dict[str, object] = {}
        organizers = []
        for organizer in _entry_organizers(section):
            roots = _template_roots(organizer)
            if T.MEASURE_REFERENCE_RESULTS_CMS in roots:
                organizers.append(organizer)
            elif T.PI_NUMERATOR_DENOMINATOR in roots:
                self.pi_outside_pi_section(organizer, "eCQM measure")
        if not organizers:
            self.finding("X126", "The measure section holds no eCQM (Measure Reference and Results, "
                         f"templateId {T.MEASURE_REFERENCE_RESULTS_CMS}).", section)
        if self.catalog is None and organizers:
            self.finding("X150", "No measures catalog is available for this performance year, so its "
                         "eCQMs cannot be identified.", section)
            return out
        for organizer in organizers:
            guids = [i.get("extension") for i in _emeasure_ids(organizer)]
            if len(guids) != 1 or not guids[0]:
                self.finding("X130", f"An eCQM entry has {len(guids)} measure GUIDs (reference/"
                             f"externalDocument/id root {T.EMEASURE_ROOT}); it needs exactly one.", organizer)
                continue
            guid = guids[0].strip().lower()
            measure = self.catalog.quality_by_emeasure_uuid(guid)
            if measure is None:
                self.finding("X131", f"eCQM GUID {guids[0]} is not a {self.catalog.year} eCQM "
                             "in the measures catalog; the measure was not read.", organizer)
                continue
            if guid in seen_guids:
                self.finding("X136", f"eCQM {_catalog.describe(measure)} (GUID {guids[0]}) is reported "
                             "twice in the measure section; only the first is read.", organizer,
                             measure_id=measure.measure_id)
                continue
            seen_guids[guid] = organizer
            out.append(self.quality_measurement(organizer, measure))
        return out

    def quality_measurement(self, organizer, measure) -> Measurement:
        definition = _catalog.definition(measure)
        name, groups, by_uuid, defined = definition.name, definition.groups, definition.by_uuid, definition.defined
        mid = measure.measure_id
        counts: list[dict[str, int | None]] = [dict() for _ in groups]
        first_el: list[object] = [None] * len(groups)
        rates = []
        for obs in _component_observations(organizer):
            parts = _Observation(obs)
            roots = parts.roots
            if T.MEASURE_DATA_CMS not in roots:
                if T.PERFORMANCE_RATE_CMS in roots:
                    rates.append((obs, parts))
                continue
            values = parts.values
            if len(values) > 1:
                self.finding("X171", f"Measure data of eCQM {name} has {len(values)} population codes; "
                             "it needs exactly one.", values[1], measure_id=mid)
            value = values[0] if values else None
            code = (value.get("code") if value is not None else None) or ""
            code = "IPOP" if code.strip().upper() == "IPP" else code.strip().upper()
            if code not in T.POPULATION_CODES:
                self.finding("X134", f"Measure data of eCQM {name} has population code "
                             f"'{code or '(none)'}', which is not one of {', '.join(T.POPULATION_CODES)}; "
                             "it was ignored.", obs, severity=WARNING, measure_id=mid)
                continue
            if code != "IPOP" and code not in defined:
                self.finding("X175", f"eCQM {name} reports a {code} population, which its "
                             f"{self.catalog.year} definition does not have.", obs, measure_id=mid)
                continue
            uuid_els = parts.ids
            if len(uuid_els) != 1:
                self.finding("X172", f"Population {code} of eCQM {name} has {len(uuid_els)} population "
                             "ids (reference/externalObservation/id); it needs exactly one.", obs,
                             measure_id=mid)
                if not uuid_els:
                    continue
            uuid = (uuid_els[0].get("root") or "").strip().upper()
            index = by_uuid.get(uuid)
            if index is None:
                self.finding("X132", f"Population {code} of eCQM {name} has UUID "
                             f"'{uuid or '(none)'}', which is not a population of that measure "
                             f"in {self.catalog.year}.", obs, measure_id=mid)
                if not (self.app and len(groups) == 1):
                    continue
                index = 0  # CMS converts APP files whatever their UUIDs: read the counts by code
            count = self.aggregate_count(obs, parts.counts, f"population {code} ({uuid}) of eCQM {name}", mid)
            if code in counts[index]:
                self.finding("X137", f"Population {code} ({uuid}) of eCQM {name} is reported twice; "
                             "the first count is used.", obs, measure_id=mid)
                continue
            counts[index][code] = count
            if first_el[index] is None or code == "NUMER":
                first_el[index] = obs
        for index, (_, uuids) in enumerate(groups):
            for code, uuid in uuids.items():
                if code in ("DENOM", "NUMER", "DENEX", "DENEXCEP") and code not in counts[index]:
                    self.finding("X135", f"eCQM {name} lacks its {code} population (UUID {uuid}).",
                                 organizer, measure_id=mid)
            denom, ipop = counts[index].get("DENOM"), counts[index].get("IPOP")
            if denom is not None and ipop is not None and denom > ipop:
                at = first_el[index] if first_el[index] is not None else organizer
                self.finding("X163", f"eCQM {name} has DENOM {denom} greater than its initial population "
                             f"{ipop} (population {uuids.get('DENOM', '')}).", at, measure_id=mid)
        for obs, parts in rates:
            self.performance_rate(obs, parts, name, mid, definition.numerators)
        ref = self.lines.ref(organizer)
        if definition.multi_rate:
            strata = []
            for index, (stratum_name, uuids) in enumerate(groups):
                if not uuids:
                    strata.append(Stratum(stratum_name, _zero_counts(), ref))
                elif counts[index]:
                    el = first_el[index]
                    strata.append(Stratum(stratum_name, _counts(counts[index]),
                                          self.lines.ref(el) if el is not None else ref))
            return Measurement(mid, MultiRateValue(tuple(strata), is_end_to_end=True), ref)
        if len(groups) > 1:
            return Measurement(mid, SingleRateValue(_summed_counts(counts), is_end_to_end=True), ref)
        return Measurement(mid, SingleRateValue(_counts(counts[0] if counts else {}), is_end_to_end=True), ref)

    def performance_rate(self, obs, parts: _Observation, name: str, mid, numerators) -> None:
        value = parts.values[0] if parts.values else None
        raw = value.get("value") if value is not None else None
        if not raw:
            if value is None or value.get("nullFlavor") != "NA":
                self.finding("X168", f"A performance rate of eCQM {name} has no value and no "
                             'nullFlavor="NA".', value if value is not None else obs, measure_id=mid)
        else:
            try:
                rate = float(raw)
            except ValueError:
                rate = None
            if rate is None or not 0 <= rate <= 1:
                self.finding("X167", f"The performance rate '{raw}' of eCQM {name} is not a number "
                             "from 0 to 1.", value, measure_id=mid)
        refs = parts.ids
        if len(refs) != 1:
            self.finding("X169", f"A performance rate of eCQM {name} references {len(refs)} numerators "
                         "(reference/externalObservation/id); it needs exactly one.", obs, measure_id=mid)
            return
        uuid = (refs[0].get("root") or "").strip().upper()
        if numerators and uuid not in numerators:
            self.finding("X170", f"A performance rate of eCQM {name} references '{uuid or '(none)'}', "
                         f"which is not a NUMER population of the measure in {self.catalog.year}.",
                         refs[0], measure_id=mid)

    def aggregate_count(self, obs, values: list, what: str, measure_id: str | None, *,
                        plain: bool = False) -> int | None:
        """The count of ``obs`` from ``values``, the values of its aggregate counts."""
        if len(values) != 1:
            self.finding("X133", f"The {what} has {len(values)} aggregate counts; it needs exactly one.",
                         obs, measure_id=measure_id)
            return None
        raw = values[0].get("value")
        count = _plain_integer(raw) if plain else _integer(raw)
        if count is None:
            self.finding("X133", f"The count '{shown(raw) if raw is not None else '(missing)'}' of the {what} "
                         f"is not a whole number from 0 to {MAX_COUNT:,}: {RULE}.", values[0],
                         measure_id=measure_id)
        return count

    # -- improvement activities -----------------------------------------------------
    def ia_measures(self, section) -> list[Measurement]:
        out = []
        for child in _entry_elements(section):
            roots = _template_roots(child)
            current = T.IA_MEASURE in roots or (T.LEGACY_IA_MEASURE in roots and self.year in T.LEGACY_IA_YEARS)
            if child.tag != ORGANIZER or not current:
                self.ia_other_entry(child, roots)
                continue
            organizer = child
            ids = [i for i in _measure_ids(organizer) if i]
            measure_id = ids[0] if ids else None
            if measure_id is None:
                self.finding("X140", "An improvement activity has no activity id "
                             "(reference/externalDocument/id/@extension).", organizer, severity=WARNING)
            value = self.performed(organizer, f"improvement activity {measure_id or '(no id)'}", measure_id)
            out.append(Measurement(measure_id, BooleanValue(value), self.lines.ref(organizer)))
        if not out:
            self.finding("X166", "The improvement activities section holds no improvement activity "
                         f"(templateId {T.IA_MEASURE}).", section)
        return out

    def ia_other_entry(self, el, roots) -> None:
        """What else an IA entry holds: its reporting period, or something CMS refuses or skips."""
        if T.REPORTING_PARAMETERS_ACT in roots:
            return
        if T.LEGACY_IA_MEASURE in roots:
            self.finding("X176", "An improvement activity uses the legacy template "
                         f"{T.LEGACY_IA_MEASURE}, which CMS's intake skips since 2020: it will not be received "
                         f"(use {T.IA_MEASURE}).", el)
            return
        known = [r for r in roots if r in T.CONVERTER_TEMPLATES]
        if known:
            self.finding("X165", "The improvement activities section holds an entry with templateId "
                         f"{known[0]}; it may hold only improvement activities and its reporting "
                         "parameters act.", el)
        if T.PI_NUMERATOR_DENOMINATOR in roots:
            self.pi_outside_pi_section(el, "improvement activities")

    def pi_outside_pi_section(self, el, section_name: str) -> None:
        self.finding("X164", "A Promoting Interoperability numerator/denominator measure "
                     f"(templateId {T.PI_NUMERATOR_DENOMINATOR}) sits in the {section_name} section; "
                     "it belongs in the Promoting Interoperability section.", el)

    def performed(self, organizer, what: str, measure_id) -> bool | None:
        for value in _performed_value(organizer):
            code = value.get("code") or ""
            if code.lower() in _YES:
                return True
            if code.lower() in _NO:
                return False
            self.finding("X141", f"The {what} has performed value '{code or '(missing)'}'; "
                         "it must be Y or N.", value, measure_id=measure_id)
            return None
        for obs in _measure_performed(organizer)[:1]:
            self.finding("X141", f"The {what} has performed value '(missing)'; it must be Y or N.", obs,
                         measure_id=measure_id)
            return None
        self.finding("X141", f"The {what} has no Measure Performed observation "
                     f"(templateId {T.MEASURE_PERFORMED}).", organizer, measure_id=measure_id)
        return None

    # -- promoting interoperability --------------------------------------------------
    def pi_measures(self, section) -> list[Measurement]:
        out = []
        for organizer, proportion in _pi_measures(section):
            ids = [i for i in _measure_ids(organizer) if i]
            measure_id = ids[0] if ids else None
            if len(ids) != 1:
                self.finding("X142", f"A Promoting Interoperability measure has {len(ids)} measure ids; "
                             "it needs exactly one.", organizer, measure_id=measure_id)
            what = f"Promoting Interoperability measure {measure_id or '(no id)'}"
            value: ProportionValue | BooleanValue
            if proportion:
                found = _pi_counts(organizer)
                value = ProportionValue(
                    self.pi_count(organizer, found[T.PI_NUMERATOR], "numerator", what, measure_id),
                    self.pi_count(organizer, found[T.PI_DENOMINATOR], "denominator", what, measure_id))
            else:
                value = BooleanValue(self.performed(organizer, what, measure_id))
            out.append(Measurement(measure_id, value, self.lines.ref(organizer)))
        return out

    def pi_count(self, organizer, found: list, label: str, what: str, measure_id) -> int | None:
        """The count of the PI proportion ``organizer`` from ``found``, its observations of one kind."""
        if len(found) != 1:
            self.finding("X143", f"The {what} has {len(found)} {label} observations; it needs exactly one.",
                         organizer, measure_id=measure_id)
            return None
        return self.aggregate_count(found[0], _aggregate_values(found[0]), f"{label} of the {what}", measure_id,
                                    plain=True)


_CATEGORY_NAMES = {"quality": "eCQM measure", "ia": "improvement activities", "pi": "Promoting Interoperability"}


def _local(tag) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else str(tag)


def _years(years) -> str:
    return " and ".join(str(y) for y in years)


def _integer(raw: str | None) -> int | None:
    """eCQM counts as CMS parses them: an optional plus sign and ASCII digits, no spaces, at most MAX_COUNT."""
    if raw and len(raw) < _SHORT and is_ascii_digits(raw):
        return int(raw)
    return ascii_count(raw or "")


def _plain_integer(raw: str | None) -> int | None:
    """PI counts: ASCII digits only, as CMS reads them (no sign, no spaces)."""
    text = raw or ""
    if not is_ascii_digits(text):
        return None
    return int(text) if len(text) < _SHORT else ascii_count(text)


# Fewer digits than MAX_COUNT has are a count below it: no further check.
_SHORT = len(str(MAX_COUNT))


def _not_met(c: dict[str, int | None]) -> int | None:
    denom, numer = c.get("DENOM"), c.get("NUMER")
    if denom is None or numer is None:
        return None
    excl, exc = c.get("DENEX"), c.get("DENEXCEP")
    if ("DENEX" in c and excl is None) or ("DENEXCEP" in c and exc is None):
        return None
    return denom - numer - (excl or 0) - (exc or 0)


def _counts(c: dict[str, int | None]) -> Counts:
    return Counts(
        performance_met=c.get("NUMER"),
        performance_not_met=_not_met(c),
        eligible_population=c.get("DENOM"),
        eligible_population_exclusion=c.get("DENEX"),
        eligible_population_exception=c.get("DENEXCEP"),
    )


def _zero_counts() -> Counts:
    # What CMS writes for a stratum the file gives no counts for: no exception count is invented.
    return Counts(0, 0, 0, 0, None)


def _summed_counts(groups: list[dict[str, int | None]]) -> Counts:
    """Single-rate eCQMs with several sub-populations: CMS sums them and reports every field."""
    total: dict[str, int | None] = {}
    for code in ("NUMER", "DENOM", "DENEX", "DENEXCEP"):
        values = [g.get(code) for g in groups]
        total[code] = None if any(g.get(code, 0) is None for g in groups) else sum(v or 0 for v in values)
    return _counts(total)
