"""QRDA Category III writer: a model Submission -> a CMS QRDA III document for its year.

Only eCQMs can be written: a quality measure must have an eMeasure GUID and
population UUIDs in the year's catalog.  The document carries no patient
data: supplemental data elements are reported with a null value ("unknown")
holding the whole population, since the model has no breakdown.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from datetime import datetime
from datetime import timezone

from lxml import etree

from ...model.codes_io import NOT_REPRESENTABLE
from ...model.codes_io import NUMBER_WOULD_CHANGE
from ...model.submission import BooleanValue
from ...model.submission import Counts
from ...model.submission import Measurement
from ...model.submission import MeasurementSet
from ...model.submission import MultiRateValue
from ...model.submission import ProportionValue
from ...model.submission import SingleRateValue
from ...model.submission import Submission
from . import _catalog
from . import templates as T

_H = "{" + T.NS + "}"
_XSI_TYPE = "{" + T.XSI + "}type"
LOINC = "2.16.840.1.113883.6.1"
SNOMED = "2.16.840.1.113883.6.96"
ACT_CODE = "2.16.840.1.113883.5.4"
OBSERVATION_VALUE = "2.16.840.1.113883.5.1063"
CMS_PAYER_CODES = "2.16.840.1.113883.3.249.12"
ORGANIZATION_NAME = "Reporting organization"

# The text of a section, by the category of its set (ordered_sets lets no other category through).
_SECTION_TEXTS: dict[str | None, str] = {
    "quality": "Electronic clinical quality measures", "pi": "Promoting Interoperability measures",
    "ia": "Improvement activities"}

# XML program names by (programName family, entityType).
_PROGRAM_NAMES = {value: key for key, value in T.PROGRAMS.items() if key != "MIPS"}
_FAMILIES = {"mips", "app1", "appPlus"}

# Supplemental data elements: template name -> (LOINC code, display name).
_SUPPLEMENTAL = (
    ("ethnicity", "69490-1", "Ethnic"),
    ("race", "72826-1", "Race"),
    ("sex", "76689-9", "Sex assigned at birth"),
    ("payer", "48768-6", "Payment source"),
)





def document_time() -> datetime:
    """When a written document says it was made: now, or ``SOURCE_DATE_EPOCH`` when that is set, so the same
    input converts to the same bytes (the reproducible-builds convention)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isascii() and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc)

class QrdaWriteError(ValueError):
    """The submission cannot be expressed as QRDA III (the message says why).

    ``code`` is the finding code a command reports it under: F014 when writing would change a
    number of the submission, F015 when QRDA III (or CMS's reading of it) has no place for it.
    """

    def __init__(self, message: str, code: str = NOT_REPRESENTABLE) -> None:
        super().__init__(message)
        self.code = code


def write(submission: Submission, *, catalog=None, created: datetime | None = None) -> bytes:
    """Serialise ``submission`` as QRDA III for its performance year's guide."""
    return _Writer(submission, catalog, created).document()


class _Writer:
    def __init__(self, submission: Submission, catalog, created) -> None:
        year = submission.performance_year
        if year is None or year not in T.WRITER_EXTENSIONS:
            raise QrdaWriteError(f"QRDA III can be written for performance years "
                                 f"{T.WRITABLE_YEARS[0]}-{T.WRITABLE_YEARS[-1]}; this submission is for {year}.")
        self.sub = submission
        self.year = year
        self.catalog = catalog if catalog is not None else _catalog.load(year)
        if self.catalog is None:
            raise QrdaWriteError(f"There is no measures catalog for {year}, so its measures cannot be written.")
        self.created = (created or document_time()).strftime("%Y%m%d%H%M%S")
        seed = hashlib.sha256(repr(submission).encode()).hexdigest()
        self._ids = (str(uuid.uuid5(uuid.NAMESPACE_OID, f"{seed}:{n}")) for n in range(1 << 30))

    # -- helpers ------------------------------------------------------------------
    def el(self, parent, tag: str, **attrs):
        node = etree.SubElement(parent, _H + tag)
        for key, value in attrs.items():
            if value is not None:
                node.set(key.rstrip("_").replace("__", ":"), str(value))
        return node

    def templates(self, parent, *names: str) -> None:
        for name in names:
            root, extension = T.template(self.year, name)
            self.el(parent, "templateId", root=root, extension=extension)

    def new_id(self, parent) -> None:
        self.el(parent, "id", root=next(self._ids))

    def code(self, parent, code, system, display=None, system_name=None):
        return self.el(parent, "code", code=code, codeSystem=system, codeSystemName=system_name,
                       displayName=display)

    def typed(self, parent, tag: str, xsi_type: str, **attrs):
        node = self.el(parent, tag, **attrs)
        node.set(_XSI_TYPE, xsi_type)
        return node

    # -- document -----------------------------------------------------------------
    def document(self) -> bytes:
        program, mvp = self.program()
        sets = self.ordered_sets()
        root = etree.Element(_H + "ClinicalDocument", nsmap={None: T.NS, "xsi": T.XSI})
        self.el(root, "realmCode", code="US")
        self.el(root, "typeId", root="2.16.840.1.113883.1.3", extension="POCD_HD000040")
        self.templates(root, "report", "report_cms")
        self.new_id(root)
        self.code(root, "55184-6", LOINC, "Quality Reporting Document Architecture Calculated Summary Report",
                  "LOINC")
        etree.SubElement(root, _H + "title").text = f"QRDA Category III report, performance year {self.year}"
        self.el(root, "effectiveTime", value=self.created)
        self.el(root, "confidentialityCode", code="N", codeSystem="2.16.840.1.113883.5.25")
        self.el(root, "languageCode", code="en")
        self.el(root, "versionNumber", value="1")
        self.el(self.el(self.el(root, "recordTarget"), "patientRole"), "id", nullFlavor="NA")
        self.author(root)
        self.custodian(root)
        recipient = self.el(self.el(root, "informationRecipient"), "intendedRecipient")
        self.el(recipient, "id", root=T.PROGRAM_NAME_ROOT, extension=program)
        self.legal_authenticator(root)
        cehrt = next((s.cehrt_id for s in sets if s.cehrt_id), None)
        if cehrt:
            entity = self.el(self.el(root, "participant", typeCode="DEV"), "associatedEntity", classCode="RGPR")
            self.el(entity, "id", root=T.CEHRT_ROOT, extension=cehrt)
            self.code(entity, "129465004", SNOMED, "medical record, device", "SNOMED-CT")
        if mvp:
            entity = self.el(self.el(root, "participant", typeCode="TRC"), "associatedEntity", classCode="PROG")
            self.el(entity, "id", root=T.MVP_ROOT, extension=mvp)
        self.documentation_of(root)
        body = self.el(self.el(root, "component"), "structuredBody")
        for mset in sets:
            self.section(self.el(self.el(body, "component"), "section"), mset)
        return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

    def program(self):
        sub = self.sub
        names = {s.program_name or "mips" for s in sub.measurement_sets}
        families = {n for n in names if n in _FAMILIES}
        mvps = sorted(n for n in names if n not in _FAMILIES)
        if len(mvps) > 1 or len(families) > 1 or (mvps and families - {"mips"}):
            raise QrdaWriteError(f"A QRDA III file names one program, but the measurement sets use "
                                 f"{', '.join(sorted(names))}.")
        family = "mips" if mvps else (families.pop() if families else "mips")
        name = _PROGRAM_NAMES.get((family, sub.entity_type))
        if name is None:
            raise QrdaWriteError(f"QRDA III has no program name for a {sub.entity_type} entity reporting "
                                 f"under '{family}'.")
        return name, (mvps[0] if mvps else None)

    def ordered_sets(self) -> list[MeasurementSet]:
        order: dict[str | None, int] = {"quality": 0, "pi": 1, "aci": 1, "ia": 2}
        seen = set()
        out = []
        for mset in sorted(self.sub.measurement_sets, key=lambda s: order.get(s.category, 9)):
            if mset.category not in order:
                raise QrdaWriteError(f"A measurement set of category '{mset.category}' cannot be written "
                                     "as QRDA III (only quality, pi and ia).")
            if mset.category in seen:
                raise QrdaWriteError(f"QRDA III holds one {mset.category} section; the submission has several.")
            seen.add(mset.category)
            out.append(mset)
        if not out:
            raise QrdaWriteError("The submission has no measurement set to write.")
        return out

    def organization(self, parent, add_ids):
        org = self.el(parent, "representedOrganization")
        add_ids(org)
        etree.SubElement(org, _H + "name").text = ORGANIZATION_NAME
        return org

    def author(self, root) -> None:
        author = self.el(root, "author")
        self.el(author, "time", value=self.created)
        assigned = self.el(author, "assignedAuthor")
        self.new_id(assigned)
        device = self.el(assigned, "assignedAuthoringDevice")
        etree.SubElement(device, _H + "softwareName").text = "qppfiles"
        self.organization(assigned, self.new_id)

    def custodian(self, root) -> None:
        org = self.el(self.el(self.el(root, "custodian"), "assignedCustodian"), "representedCustodianOrganization")
        self.new_id(org)
        etree.SubElement(org, _H + "name").text = ORGANIZATION_NAME

    def legal_authenticator(self, root) -> None:
        legal = self.el(root, "legalAuthenticator")
        self.el(legal, "time", value=self.created)
        self.el(legal, "signatureCode", code="S")
        assigned = self.el(legal, "assignedEntity")
        self.new_id(assigned)

    def documentation_of(self, root) -> None:
        sub = self.sub
        event = self.el(self.el(root, "documentationOf", typeCode="DOC"), "serviceEvent", classCode="PCPR")
        assigned = self.el(self.el(event, "performer", typeCode="PRF"), "assignedEntity")
        npi = sub.national_provider_identifier if sub.entity_type == "individual" else None
        if npi:
            self.el(assigned, "id", root=T.NPI_ROOT, extension=npi)
        else:
            self.el(assigned, "id", root=T.NPI_ROOT, nullFlavor="NA")
        self.organization(assigned, self.entity_ids)

    def entity_ids(self, org) -> None:
        sub = self.sub
        entity_root = {"apm": T.APM_ROOT, "subgroup": T.SUBGROUP_ROOT, "virtualGroup": T.VIRTUAL_GROUP_ROOT}
        if sub.entity_type in ("individual", "group", "virtualGroup"):
            if not sub.taxpayer_identification_number:
                raise QrdaWriteError(f"A {sub.entity_type} submission needs a TIN to be written as QRDA III.")
            self.el(org, "id", root=T.TIN_ROOT, extension=sub.taxpayer_identification_number)
        if sub.entity_type in entity_root:
            if not sub.entity_id:
                raise QrdaWriteError(f"A {sub.entity_type} submission needs its entityId to be written as QRDA III.")
            self.el(org, "id", root=entity_root[sub.entity_type], extension=sub.entity_id)

    # -- sections -----------------------------------------------------------------
    def section(self, section, mset: MeasurementSet) -> None:
        category = "pi" if mset.category == "aci" else mset.category
        if category == "quality":
            self.el(section, "templateId", root=T.MEASURE_SECTION)
            self.templates(section, "category_section", "quality_section")
        else:
            self.el(section, "templateId", root=T.MEASURE_SECTION)
            self.templates(section, f"{category}_section")
        self.code(section, "55186-1", LOINC, "Measure Section", "LOINC")
        etree.SubElement(section, _H + "title").text = "Measure Section"
        etree.SubElement(section, _H + "text").text = _SECTION_TEXTS[category]
        if category == "quality":
            if not mset.measurements:
                raise QrdaWriteError("The quality measurement set has no measures; a QRDA III measure section "
                                     "needs at least one eCQM (CMS refuses an empty one).")
            self.reporting_parameters(section, mset)
            for m in mset.measurements:
                self.ecqm(self.el(section, "entry"), m)
        else:
            for m in mset.measurements:
                entry = self.el(section, "entry")
                if category == "ia":
                    self.activity(entry, m)
                else:
                    self.pi_measure(entry, m)
            self.reporting_parameters(section, mset)

    def reporting_parameters(self, section, mset: MeasurementSet) -> None:
        if not (mset.performance_start and mset.performance_end):
            raise QrdaWriteError(f"The {mset.category} measurement set needs performanceStart and "
                                 "performanceEnd to be written as QRDA III.")
        act = self.el(self.el(section, "entry", typeCode="DRIV"), "act", classCode="ACT", moodCode="EVN")
        self.templates(act, "reporting_parameters")
        self.new_id(act)
        self.code(act, "252116004", SNOMED, "Observation Parameters")
        time = self.el(act, "effectiveTime")
        self.el(time, "low", value=mset.performance_start.replace("-", ""))
        self.el(time, "high", value=mset.performance_end.replace("-", ""))

    def title(self, category: str, measure_id: str | None) -> str | None:
        record = getattr(self.catalog, category, {}).get(measure_id) if measure_id else None
        return getattr(record, "title", None) or measure_id

    def external_document(self, organizer, root: str, extension: str, text: str | None = None):
        doc = self.el(self.el(organizer, "reference", typeCode="REFR"), "externalDocument",
                      classCode="DOC", moodCode="EVN")
        self.el(doc, "id", root=root, extension=extension)
        if root == T.EMEASURE_ROOT:
            self.code(doc, "57024-2", LOINC, "Health Quality Measure Document", "LOINC")
        if text:
            etree.SubElement(doc, _H + "text").text = text

    def aggregate_count(self, parent, count: int) -> None:
        obs = self.el(self.el(parent, "entryRelationship", typeCode="SUBJ", inversionInd="true"),
                      "observation", classCode="OBS", moodCode="EVN")
        self.el(obs, "templateId", root=T.AGGREGATE_COUNT)
        self.code(obs, "MSRAGG", ACT_CODE, "rate aggregation", "ActCode")
        self.typed(obs, "value", "INT", value=int(count))
        self.code_method(obs)

    def code_method(self, obs) -> None:
        self.el(obs, "methodCode", code="COUNT", codeSystem="2.16.840.1.113883.5.84",
                codeSystemName="ObservationMethod", displayName="Count")

    def performed(self, organizer, value: bool | None, what: str) -> None:
        if value is None:
            raise QrdaWriteError(f"{what} has no true/false value.")
        obs = self.el(self.el(organizer, "component"), "observation", classCode="OBS", moodCode="EVN")
        self.templates(obs, "measure_performed")
        self.code(obs, "ASSERTION", ACT_CODE, "Assertion", "ActCode")
        self.el(obs, "statusCode", code="completed")
        self.typed(obs, "value", "CD", code="Y" if value else "N", codeSystem="2.16.840.1.113883.12.136",
                   displayName="Yes" if value else "No")

    # -- IA and PI --------------------------------------------------------------------
    def measure_reference(self, organizer, template: str, root: str, category: str, measure_id: str) -> None:
        """An IA or PI organizer's header: its templates, id and status, and the measure it reports."""
        self.el(organizer, "templateId", root=T.MEASURE_REFERENCE)
        self.templates(organizer, template)
        self.new_id(organizer)
        self.el(organizer, "statusCode", code="completed")
        self.external_document(organizer, root, measure_id, self.title(category, measure_id))

    def activity(self, entry, m: Measurement) -> None:
        if not m.measure_id:
            raise QrdaWriteError("An improvement activity has no measureId; QRDA III names each activity by its id.")
        if not isinstance(m.value, BooleanValue):
            raise QrdaWriteError(f"Improvement activity {m.measure_id} must have a true/false value.")
        organizer = self.el(entry, "organizer", classCode="CLUSTER", moodCode="EVN")
        self.measure_reference(organizer, "ia_measure", T.IA_MEASURE_ROOT, "ia", m.measure_id)
        self.performed(organizer, m.value.value, f"Improvement activity {m.measure_id}")

    def pi_measure(self, entry, m: Measurement) -> None:
        if not m.measure_id:
            raise QrdaWriteError("A Promoting Interoperability measurement has no measureId; QRDA III names "
                                 "each measure by its id.")
        organizer = self.el(entry, "organizer", classCode="CLUSTER", moodCode="EVN")
        if isinstance(m.value, ProportionValue):
            self.measure_reference(organizer, "pi_proportion", T.PI_MEASURE_ROOT, "pi", m.measure_id)
            for name, count, code in (("pi_numerator", m.value.numerator, "NUMER"),
                                      ("pi_denominator", m.value.denominator, "DENOM")):
                if not isinstance(count, int) or count < 0:
                    raise QrdaWriteError(f"Promoting Interoperability measure {m.measure_id} needs a whole "
                                         f"{code.lower()} count, not {count!r}.")
                obs = self.el(self.el(organizer, "component"), "observation", classCode="OBS", moodCode="EVN")
                self.templates(obs, name)
                self.code(obs, "ASSERTION", ACT_CODE, "Assertion", "ActCode")
                self.el(obs, "statusCode", code="completed")
                self.typed(obs, "value", "CD", code=code, codeSystem=ACT_CODE, codeSystemName="ActCode")
                self.aggregate_count(obs, count)
        elif isinstance(m.value, BooleanValue):
            self.measure_reference(organizer, "pi_boolean", T.PI_MEASURE_ROOT, "pi", m.measure_id)
            self.performed(organizer, m.value.value, f"Promoting Interoperability measure {m.measure_id}")
        else:
            raise QrdaWriteError(f"Promoting Interoperability measure {m.measure_id} must be a "
                                 "numerator/denominator or a true/false value.")

    # -- eCQMs ------------------------------------------------------------------------
    def ecqm_definition(self, measure_id: str | None):
        measure = self.catalog.quality.get(measure_id) if measure_id else None
        if measure is None:
            raise QrdaWriteError(f"Quality measure {measure_id} is not a {self.year} measure in the catalog, "
                                 "so it cannot be written as QRDA III.")
        name = _catalog.describe(measure)
        if not measure.emeasure_uuid:
            if measure.emeasure_id:
                raise QrdaWriteError(f"The {self.year} measures catalog has no eCQM GUID or population UUIDs "
                                     f"for measure {name} yet, so it cannot be written as QRDA III.")
            raise QrdaWriteError(f"Quality measure {measure_id} is not an eCQM (it has no eMeasure GUID); "
                                 "only eCQMs can be written as QRDA III.")
        groups = _catalog.population_groups(measure)
        if not any(uuids for _, uuids in groups):
            raise QrdaWriteError(f"The {self.year} measures catalog has no population UUIDs for eCQM {name} "
                                 "yet, so it cannot be written as QRDA III.")
        return measure, groups

    def ecqm(self, entry, m: Measurement) -> None:
        measure, groups = self.ecqm_definition(m.measure_id)
        name = _catalog.describe(measure)
        per_group = self.group_counts(m, measure, groups, name)
        organizer = self.el(entry, "organizer", classCode="CLUSTER", moodCode="EVN")
        self.el(organizer, "templateId", root=T.MEASURE_REFERENCE)
        self.templates(organizer, "measure_reference_results", "measure_reference_results_cms")
        self.new_id(organizer)
        self.el(organizer, "statusCode", code="completed")
        self.external_document(organizer, T.EMEASURE_ROOT, measure.emeasure_uuid, measure.title or name)
        for (group_name, uuids), counts in zip(groups, per_group, strict=True):
            if counts is None:
                continue
            lost = [f"{counts[c]} {c}" for c in counts if counts[c] and c not in uuids]
            if lost:
                where = f"stratum '{group_name}' of eCQM {name}" if group_name else f"eCQM {name}"
                raise QrdaWriteError(f"The {where} defines no population for {', '.join(lost)} "
                                     "in the catalog, so those counts cannot be written.")
            for code in ("IPOP", "DENOM", "DENEX", "NUMER", "DENEXCEP", "NUMEX"):
                if code in uuids:
                    self.measure_data(organizer, code, uuids[code], counts.get(code, 0))

    def group_counts(self, m: Measurement, measure, groups, name) -> list[dict[str, int] | None]:
        value = m.value
        if _catalog.is_multi_rate(measure):
            if not isinstance(value, MultiRateValue):
                raise QrdaWriteError(f"eCQM {name} reports several rates: its value needs strata.")
            by_name = {}
            for stratum in value.strata:
                if stratum.name not in {g for g, _ in groups}:
                    raise QrdaWriteError(f"eCQM {name} has no stratum named '{stratum.name}' "
                                         f"(its strata: {', '.join(str(g) for g, _ in groups)}).")
                by_name[stratum.name] = stratum.counts
            out: list[dict[str, int] | None] = []
            for group_name, uuids in groups:
                counts = by_name.get(group_name, Counts(0, 0, 0, 0, 0))
                if not uuids:
                    if any(_int(getattr(counts, f), name) for f in ("performance_met", "eligible_population")):
                        raise QrdaWriteError(f"Stratum '{group_name}' of eCQM {name} has no population UUIDs "
                                             "in the catalog, so its counts cannot be written.")
                    out.append(None)
                    continue
                out.append(_population_counts(counts, name, group_name))
            return out
        if not isinstance(value, SingleRateValue):
            raise QrdaWriteError(f"eCQM {name} reports one rate: its value needs performance counts.")
        # Several sub-populations of one rate are summed on reading; write the total in the first.
        populations = _population_counts(value.counts, name)
        defined = set().union(*(uuids for _, uuids in groups))
        first = {c: n for c, n in populations.items() if c in groups[0][1] or not n or c not in defined}
        # A population missing from the first sub-population goes to the first one that has it.
        rest: list[dict[str, int]] = [{} for _ in groups[1:]]
        for code, n in populations.items():
            if code not in first:
                index = next(i for i, (_, u) in enumerate(groups[1:]) if code in u)
                rest[index][code] = n
        return [first, *rest]

    def measure_data(self, organizer, code: str, population_uuid: str, count: int) -> None:
        obs = self.el(self.el(organizer, "component"), "observation", classCode="OBS", moodCode="EVN")
        self.templates(obs, "measure_data", "measure_data_cms")
        self.code(obs, "ASSERTION", ACT_CODE, "Assertion", "ActCode")
        self.el(obs, "statusCode", code="completed")
        system = ACT_CODE if code == "IPOP" else OBSERVATION_VALUE
        self.typed(obs, "value", "CD", code=code, codeSystem=system)
        self.aggregate_count(obs, count)
        for template, loinc, display in _SUPPLEMENTAL:
            self.supplemental(obs, template, loinc, display, count)
        external = self.el(self.el(obs, "reference", typeCode="REFR"), "externalObservation",
                           classCode="OBS", moodCode="EVN")
        self.el(external, "id", root=population_uuid)

    def supplemental(self, parent, template: str, loinc: str, display: str, count: int) -> None:
        obs = self.el(self.el(parent, "entryRelationship", typeCode="COMP"), "observation",
                      classCode="OBS", moodCode="EVN")
        if template == "payer":
            self.templates(obs, "payer_base")
        self.templates(obs, template)
        self.new_id(obs)
        self.code(obs, loinc, LOINC, display, "LOINC")
        self.el(obs, "statusCode", code="completed")
        if template == "payer":
            # The payer element must name a CMS payer code; without a breakdown, "other".
            value = self.typed(obs, "value", "CD", nullFlavor="OTH")
            self.el(value, "translation", code="D", codeSystem=CMS_PAYER_CODES, codeSystemName="CMS Clinical Codes",
                    displayName="Other")
        else:
            self.typed(obs, "value", "CD", nullFlavor="UNK")
        self.aggregate_count(obs, count)


def _int(value, name) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise QrdaWriteError(f"eCQM {name} has a count {value!r}; QRDA III counts are whole numbers of zero or more.")
    return value


def _population_counts(counts: Counts, name: str, stratum: str | None = None) -> dict[str, int]:
    if counts.eligible_population is None or counts.performance_met is None:
        raise QrdaWriteError(f"eCQM {name} needs eligiblePopulation and performanceMet to be written.")
    denom = _int(counts.eligible_population, name)
    out = {
        "IPOP": denom,  # the model has no initial population; it is at least the denominator
        "DENOM": denom,
        "NUMER": _int(counts.performance_met, name),
        "DENEX": _int(counts.eligible_population_exclusion, name),
        "DENEXCEP": _int(counts.eligible_population_exception, name),
        "NUMEX": _int(counts.numerator_exclusion, name),
    }
    _refuse_lost_numbers(counts, out, name, stratum)
    return out


def _refuse_lost_numbers(counts: Counts, out: dict[str, int], name: str, stratum: str | None) -> None:
    """QRDA III has no performanceNotMet: CMS reads it as DENOM - NUMER - DENEX - DENEXCEP, and drops NUMEX.

    So patients not reported (data completeness below 100%) would become "not met"; refuse instead.
    """
    what = f"eCQM {name}" + (f", stratum '{stratum}'," if stratum else "")
    if out["NUMEX"]:
        raise QrdaWriteError(f"{what} has numeratorExclusion {out['NUMEX']}; CMS does not read a numerator "
                             "exclusion from QRDA III, so it would be lost.", NUMBER_WOULD_CHANGE)
    read_back = out["DENOM"] - out["NUMER"] - out["DENEX"] - out["DENEXCEP"]
    not_met = counts.performance_not_met
    if not_met is not None and not_met == read_back:
        return
    if not_met is None:
        raise QrdaWriteError(f"{what} has no performanceNotMet; QRDA III cannot say so, and CMS would read "
                             f"performanceNotMet as {read_back}.", NUMBER_WOULD_CHANGE)
    reported = out["NUMER"] + not_met + out["DENEX"] + out["DENEXCEP"]
    parts = (f"performanceMet {out['NUMER']} + performanceNotMet {_number(not_met)} + exclusions {out['DENEX']} "
             f"+ exceptions {out['DENEXCEP']} = {_number(reported)}")
    if reported < out["DENOM"]:
        completeness = 100.0 * reported / out["DENOM"]
        raise QrdaWriteError(
            f"{what} reports {_number(reported)} of its {out['DENOM']} eligible patients ({parts}; data "
            f"completeness {completeness:.1f}%). QRDA III has no place for patients not reported: CMS would count "
            f"the {_number(out['DENOM'] - reported)} others as not met (performanceNotMet {read_back} instead of "
            f"{_number(not_met)}). Report every eligible patient, or submit this measure as QPP JSON.",
            NUMBER_WOULD_CHANGE)
    raise QrdaWriteError(
        f"{what} reports more patients than its eligible population {out['DENOM']} ({parts}); QRDA III carries "
        f"only the eligible population, so CMS would read performanceNotMet as {read_back} instead of "
        f"{_number(not_met)}.", NUMBER_WOULD_CHANGE)


def _number(value) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
