"""Which QPP JSON key holds which model attribute: one table read by the reader and the writer.

Each table is in the order the writer puts the keys, which is the canonical order of written files.
"""

from __future__ import annotations

Fields = tuple[tuple[str, str], ...]

# The text fields of a submission (its performance year is a number, read and written on its own).
SUBMISSION_TEXT: Fields = (
    ("entityType", "entity_type"),
    ("entityId", "entity_id"),
    ("taxpayerIdentificationNumber", "taxpayer_identification_number"),
    ("nationalProviderIdentifier", "national_provider_identifier"),
)
# The text fields of a measurement set, after its category.
SET_TEXT: Fields = (
    ("submissionMethod", "submission_method"),
    ("programName", "program_name"),
    ("cehrtId", "cehrt_id"),
    ("performanceStart", "performance_start"),
    ("performanceEnd", "performance_end"),
    ("source", "source"),
)
# The counts of a performance-rate value or stratum, in written order.
COUNTS_WRITTEN: Fields = (
    ("performanceMet", "performance_met"),
    ("performanceNotMet", "performance_not_met"),
    ("eligiblePopulationExclusion", "eligible_population_exclusion"),
    ("eligiblePopulationException", "eligible_population_exception"),
    ("numeratorExclusion", "numerator_exclusion"),
    ("eligiblePopulation", "eligible_population"),
)
