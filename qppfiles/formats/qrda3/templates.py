"""QRDA Category III identifiers: template ids, OIDs and per-year versions, as data.

Inner templates are recognised by their root alone (as CMS's intake does);
only the CMS report template's extension says which guide a file follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

NS = "urn:hl7-org:v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SDTC = "urn:hl7-org:sdtc"

# --- document templates -------------------------------------------------------
QRDA3_REPORT = "2.16.840.1.113883.10.20.27.1.1"
QRDA3_REPORT_CMS = "2.16.840.1.113883.10.20.27.1.2"

# --- sections -------------------------------------------------------------------
MEASURE_SECTION = "2.16.840.1.113883.10.20.24.2.2"
CATEGORY_REPORT_SECTION = "2.16.840.1.113883.10.20.27.2.1"
QUALITY_SECTION = "2.16.840.1.113883.10.20.27.2.3"
IA_SECTION = "2.16.840.1.113883.10.20.27.2.4"
PI_SECTION = "2.16.840.1.113883.10.20.27.2.5"
LEGACY_IA_SECTION = "2.16.840.1.113883.3.249.20.2.1"

# The legacy IA section is not here: CMS's intake no longer recognises it (see LEGACY_IA_TEMPLATES).
SECTION_CATEGORY = MappingProxyType({QUALITY_SECTION: "quality", IA_SECTION: "ia", PI_SECTION: "pi"})

# --- entries --------------------------------------------------------------------
REPORTING_PARAMETERS_ACT = "2.16.840.1.113883.10.20.17.3.8"
MEASURE_REFERENCE = "2.16.840.1.113883.10.20.24.3.98"
MEASURE_REFERENCE_RESULTS = "2.16.840.1.113883.10.20.27.3.1"
MEASURE_REFERENCE_RESULTS_CMS = "2.16.840.1.113883.10.20.27.3.17"
MEASURE_DATA = "2.16.840.1.113883.10.20.27.3.5"
MEASURE_DATA_CMS = "2.16.840.1.113883.10.20.27.3.16"
AGGREGATE_COUNT = "2.16.840.1.113883.10.20.27.3.3"
PERFORMANCE_RATE = "2.16.840.1.113883.10.20.27.3.14"
PERFORMANCE_RATE_CMS = "2.16.840.1.113883.10.20.27.3.25"
REPORTING_STRATUM = "2.16.840.1.113883.10.20.27.3.4"
SEX_SDE = "2.16.840.1.113883.10.20.27.3.6"
ETHNICITY_SDE = "2.16.840.1.113883.10.20.27.3.7"
RACE_SDE = "2.16.840.1.113883.10.20.27.3.8"
PAYER_SDE = "2.16.840.1.113883.10.20.27.3.18"
PAYER_SDE_BASE = "2.16.840.1.113883.10.20.27.3.9"
IA_MEASURE = "2.16.840.1.113883.10.20.27.3.33"
LEGACY_IA_MEASURE = "2.16.840.1.113883.3.249.20.3.1"
MEASURE_PERFORMED = "2.16.840.1.113883.10.20.27.3.27"
PI_NUMERATOR_DENOMINATOR = "2.16.840.1.113883.10.20.27.3.28"
PI_MEASURE_PERFORMED = "2.16.840.1.113883.10.20.27.3.29"
PI_PERFORMANCE_RATE = "2.16.840.1.113883.10.20.27.3.30"
PI_NUMERATOR = "2.16.840.1.113883.10.20.27.3.31"
PI_DENOMINATOR = "2.16.840.1.113883.10.20.27.3.32"

# IA templates of the pre-2020 guides: CMS's intake read IA from them up to 2019 and skips them since,
# so from 2020 their activities never arrive.
LEGACY_IA_TEMPLATES = frozenset({LEGACY_IA_SECTION, LEGACY_IA_MEASURE})
LEGACY_IA_YEARS = frozenset({2017, 2018, 2019})

# Templates CMS's converter decodes (matched by root); an entry carrying none of them is skipped whole.
CONVERTER_TEMPLATES = frozenset({
    QUALITY_SECTION, IA_SECTION, PI_SECTION, REPORTING_PARAMETERS_ACT, MEASURE_REFERENCE_RESULTS_CMS,
    MEASURE_DATA_CMS, AGGREGATE_COUNT, PERFORMANCE_RATE_CMS, REPORTING_STRATUM, SEX_SDE, ETHNICITY_SDE,
    RACE_SDE, PAYER_SDE, IA_MEASURE, MEASURE_PERFORMED, PI_NUMERATOR_DENOMINATOR, PI_MEASURE_PERFORMED,
    PI_NUMERATOR, PI_DENOMINATOR,
})

# --- identifier roots -------------------------------------------------------------
PROGRAM_NAME_ROOT = "2.16.840.1.113883.3.249.7"
CEHRT_ROOT = "2.16.840.1.113883.3.2074.1"
MVP_ROOT = "2.16.840.1.113883.3.249.5.6"
NPI_ROOT = "2.16.840.1.113883.4.6"
TIN_ROOT = "2.16.840.1.113883.4.2"
VIRTUAL_GROUP_ROOT = "2.16.840.1.113883.3.249.5.2"
APM_ROOT = "2.16.840.1.113883.3.249.5.4"
SUBGROUP_ROOT = "2.16.840.1.113883.3.249.5.5"
EMEASURE_ROOT = "2.16.840.1.113883.4.738"
PI_MEASURE_ROOT = "2.16.840.1.113883.3.7031"
IA_MEASURE_ROOT = "2.16.840.1.113883.3.7034"

# --- program names: XML value -> (programName, entityType) ---------------------------
PROGRAMS = MappingProxyType(
    {
        "MIPS_INDIV": ("mips", "individual"),
        "MIPS_GROUP": ("mips", "group"),
        "MIPS_VIRTUALGROUP": ("mips", "virtualGroup"),
        "MIPS_APMENTITY": ("mips", "apm"),
        "MIPS_SUBGROUP": ("mips", "subgroup"),
        "MIPS": ("mips", "individual"),
        "MIPS_APP1_INDIV": ("app1", "individual"),
        "MIPS_APP1_GROUP": ("app1", "group"),
        "MIPS_APP1_APMENTITY": ("app1", "apm"),
        "APP_PLUS_INDIV": ("appPlus", "individual"),
        "APP_PLUS_GROUP": ("appPlus", "group"),
        "APP_PLUS_APMENTITY": ("appPlus", "apm"),
    }
)
# Programs whose eCQM content (GUIDs, population UUIDs, counts against the definition) CMS does not check.
APP_PROGRAMS = frozenset({"app1", "appPlus"})
# Entity types whose sets take the MVP id as program name (MIPS programs only).
MVP_ENTITY_TYPES = frozenset({"individual", "group", "subgroup", "apm"})

# Population type codes of measure data, and the model field each count feeds.
POPULATION_CODES = ("IPP", "IPOP", "DENOM", "DENEX", "DENEXCEP", "NUMER", "NUMEX")

# --- guide versions -----------------------------------------------------------------
# Extension of the CMS report templateId -> performance years whose guide uses it.
# Some extensions were accepted by CMS's intake for more years than the
# schematron of that year names (e.g. 2017-07-01 up to 2019).
REPORT_EXTENSION_YEARS = MappingProxyType(
    {
        "2017-07-01": (2017, 2018, 2019),
        "2018-05-01": (2019,),
        "2019-05-01": (2020,),
        "2020-05-01": (2020, 2021),
        "2021-07-01": (2022,),
        "2022-05-01": (2023,),
        "2022-12-01": (2023, 2024),
        "2024-07-01": (2025,),
        "2024-12-01": (2025,),
        "2025-05-01": (2026,),
        "2026-07-01": (2027,),
    }
)
# The one report extension CMS's intake accepts per performance year (its converter's history;
# 2026 and 2027: the extension that year's published guide requires).  Anything else is refused
# as "not a valid QRDA III document", including a superseded version of the same year's guide.
CMS_REPORT_EXTENSION = MappingProxyType(
    {
        2017: "2017-07-01",
        2018: "2017-07-01",
        2019: "2017-07-01",
        2020: "2019-05-01",
        2021: "2020-05-01",
        2022: "2021-07-01",
        2023: "2022-12-01",
        2024: "2022-12-01",
        2025: "2024-12-01",
        2026: "2025-05-01",
        2027: "2026-07-01",
    }
)
# The category report templateId extension CMS requires on the eCQM section, from the year CMS
# started gating it; absent years are not gated.
CMS_CATEGORY_SECTION_EXTENSION = MappingProxyType(
    {year: "2020-12-01" for year in (2023, 2024, 2025, 2026, 2027)}
)
# Measurement sets that carry the CEHRT id when CMS converts a file; years absent use the default.
CEHRT_CATEGORIES: Mapping[int, tuple[str, ...]] = MappingProxyType({2024: ("pi",)})
DEFAULT_CEHRT_CATEGORIES = ("quality", "pi")


def cms_report_extension(year: int | None) -> str | None:
    return CMS_REPORT_EXTENSION.get(year) if year is not None else None


def cehrt_categories(year: int | None) -> tuple[str, ...]:
    return CEHRT_CATEGORIES.get(year, DEFAULT_CEHRT_CATEGORIES) if year is not None else DEFAULT_CEHRT_CATEGORIES


SUPPORTED_YEARS = tuple(sorted({y for ys in REPORT_EXTENSION_YEARS.values() for y in ys}))


def years_for_extension(extension: str | None) -> tuple[int, ...]:
    return REPORT_EXTENSION_YEARS.get((extension or "").strip(), ())


# --- what the writer emits per performance year ---------------------------------------
# Each entry: template name -> (root, extension or None).  A year absent here
# cannot be written.
_T = {
    "report": QRDA3_REPORT,
    "report_cms": QRDA3_REPORT_CMS,
    "category_section": CATEGORY_REPORT_SECTION,
    "quality_section": QUALITY_SECTION,
    "ia_section": IA_SECTION,
    "pi_section": PI_SECTION,
    "reporting_parameters": REPORTING_PARAMETERS_ACT,
    "measure_reference_results": MEASURE_REFERENCE_RESULTS,
    "measure_reference_results_cms": MEASURE_REFERENCE_RESULTS_CMS,
    "measure_data": MEASURE_DATA,
    "measure_data_cms": MEASURE_DATA_CMS,
    "performance_rate": PERFORMANCE_RATE,
    "performance_rate_cms": PERFORMANCE_RATE_CMS,
    "payer_base": PAYER_SDE_BASE,
    "payer": PAYER_SDE,
    "sex": SEX_SDE,
    "ethnicity": ETHNICITY_SDE,
    "race": RACE_SDE,
    "ia_measure": IA_MEASURE,
    "measure_performed": MEASURE_PERFORMED,
    "pi_proportion": PI_NUMERATOR_DENOMINATOR,
    "pi_boolean": PI_MEASURE_PERFORMED,
    "pi_numerator": PI_NUMERATOR,
    "pi_denominator": PI_DENOMINATOR,
}

_BASE_2023 = {
    "report": "2020-12-01",
    "category_section": "2020-12-01",
    "quality_section": "2022-05-01",
    "ia_section": "2020-12-01",
    "pi_section": "2020-12-01",
    "reporting_parameters": "2020-12-01",
    "measure_reference_results": "2020-12-01",
    "measure_reference_results_cms": "2022-05-01",
    "measure_data": "2016-09-01",
    "measure_data_cms": "2019-05-01",
    "performance_rate": "2020-12-01",
    "performance_rate_cms": "2022-05-01",
    "payer_base": "2016-02-01",
    "payer": "2018-05-01",
    "sex": "2016-09-01",
    "ethnicity": "2016-09-01",
    "race": "2016-09-01",
    "ia_measure": "2016-09-01",
    "measure_performed": "2016-09-01",
    "pi_proportion": "2017-06-01",
    "pi_boolean": "2016-09-01",
    "pi_numerator": "2016-09-01",
    "pi_denominator": "2016-09-01",
}

WRITER_EXTENSIONS: Mapping[int, Mapping[str, str | None]] = MappingProxyType(
    {
        2022: {
            **_BASE_2023,
            "report_cms": "2021-07-01",
            "report": "2017-06-01",
            "category_section": "2017-06-01",
            "quality_section": "2019-05-01",
            "ia_section": "2017-06-01",
            "pi_section": "2017-06-01",
            "reporting_parameters": None,
            "measure_reference_results": "2016-09-01",
            "measure_reference_results_cms": "2019-05-01",
            "performance_rate": "2016-09-01",
            "performance_rate_cms": "2018-05-01",
        },
        2023: {**_BASE_2023, "report_cms": "2022-12-01"},
        2024: {**_BASE_2023, "report_cms": "2022-12-01"},
        2025: {**_BASE_2023, "report_cms": "2024-12-01"},
        2026: {
            **_BASE_2023,
            "report_cms": "2025-05-01",
            "quality_section": "2025-05-01",
            "measure_reference_results_cms": "2025-05-01",
            "measure_data_cms": "2025-05-01",
        },
        2027: {
            **_BASE_2023,
            "report_cms": "2026-07-01",
            "quality_section": "2025-05-01",
            "measure_reference_results_cms": "2025-05-01",
            "measure_data_cms": "2025-05-01",
        },
    }
)
WRITABLE_YEARS = tuple(sorted(WRITER_EXTENSIONS))


def template(year: int, name: str) -> tuple[str, str | None]:
    """(root, extension) of a template the writer emits for ``year``."""
    return _T[name], WRITER_EXTENSIONS[year][name]
