"""Submission-method rules: who may use the CMS Web Interface and claims, what an eCQM set needs."""

from __future__ import annotations

from ..model.findings import ERROR, WARNING
from . import Hit, rule
from ._walk import field_ref, is_pi

SRC = ("42 CFR 414.1325(c) (data submission types; the CMS Web Interface for groups of 25 or more); "
       "CMS qpp-measures-data benchmarks/<PY>.json (submission methods with benchmarks)")
WEB = "cmsWebInterface"
WEB_ENTITIES = ("group", "virtualGroup", "apm")
NOT_FOR_IA_PI = ("claims", "administrativeClaims", "certifiedSurveyVendor", WEB)


def _sets(ctx, method: str):
    return [ms for ms in ctx.submission.measurement_sets if ms.submission_method == method]


@rule("B101", ERROR, summary="The CMS Web Interface is not available.",
      explanation="The CMS Web Interface collection type ended for MIPS groups after 2022 (only Shared Savings "
                  "Program ACOs kept it) and was retired altogether from 2025.",
      source=SRC, example='"submissionMethod": "cmsWebInterface" for a group in 2024', consequence="rejected")
def web_interface_available(ctx):
    rules = ctx.pack.eligibility
    for ms in _sets(ctx, WEB):
        if not rules.web_interface_available:
            reason = f"the CMS Web Interface was retired; it cannot be used in {ctx.year}"
        elif not rules.web_interface_for_mips_groups and ctx.submission.entity_type != "apm":
            reason = f"in {ctx.year} the CMS Web Interface is open only to APM entities (ACOs)"
        else:
            continue
        yield Hit(field_ref(ctx, ms.ref, "submissionMethod"), reason)


@rule("B102", WARNING, summary="The CMS Web Interface needs 25 or more clinicians.",
      explanation="Only groups, virtual groups and APM entities of 25 or more clinicians may report through the CMS "
                  "Web Interface, after registering for it. The file does not say how many clinicians the entity has, "
                  "so this is a reminder to check.",
      source=SRC, example='"submissionMethod": "cmsWebInterface" for a group of 10')
def web_interface_size(ctx):
    rules = ctx.pack.eligibility
    if not rules.web_interface_available or not rules.web_interface_min_clinicians:
        return
    entity = ctx.submission.entity_type
    if not rules.web_interface_for_mips_groups and entity != "apm":
        return  # B101 already rejects it
    for ms in _sets(ctx, WEB):
        if entity in WEB_ENTITIES:
            yield Hit(field_ref(ctx, ms.ref, "submissionMethod"),
                      f"the CMS Web Interface is only for registered entities of {rules.web_interface_min_clinicians} "
                      f"or more clinicians; the file does not show the size, so check it")


@rule("B103", ERROR, summary="An individual or subgroup uses the CMS Web Interface.",
      explanation="The CMS Web Interface is a group-level collection type: individuals and subgroups cannot use it.",
      source=SRC, example='{"entityType": "individual", ... "submissionMethod": "cmsWebInterface"}',
      consequence="rejected")
def web_interface_entity(ctx):
    entity = ctx.submission.entity_type
    if not ctx.pack.eligibility.web_interface_available or entity is None or entity in WEB_ENTITIES:
        return
    for ms in _sets(ctx, WEB):
        yield Hit(field_ref(ctx, ms.ref, "submissionMethod"),
                  f"entityType '{entity}' cannot report through the CMS Web Interface (groups, virtual groups "
                  f"and APM entities only)")


@rule("B104", WARNING, summary="Claims reporting is only for small practices.",
      explanation="From 2019 Medicare Part B claims quality reporting is limited to clinicians in small practices (15 "
                  "or fewer clinicians). Pass --small-practice if the practice is one; otherwise these measures will "
                  "not be scored.",
      source="42 CFR 414.1325(c) (Medicare Part B claims: clinicians in small practices, from 2019)",
      example='"submissionMethod": "claims" without --small-practice')
def claims_small_practice(ctx):
    if not ctx.pack.eligibility.claims_small_practice_only or ctx.options.small_practice:
        return
    for ms in _sets(ctx, "claims"):
        if ms.category == "quality":
            yield Hit(field_ref(ctx, ms.ref, "submissionMethod"),
                      f"claims reporting in {ctx.year} is only for small practices (15 or fewer clinicians): "
                      f"confirm the practice size (--small-practice), otherwise the measures are not scored")


@rule("B105", WARNING, summary="A group reports quality by claims before group claims reporting existed.",
      explanation="Before 2019 Medicare Part B claims reporting is believed to have been for individual clinicians "
                  "only; claims measures of a group may not be scored.",
      source="42 CFR 414.1325(c) (Medicare Part B claims reporting by groups, from 2019)",
      example='{"entityType": "group", "performanceYear": 2018, ... "submissionMethod": "claims"}')
def claims_groups(ctx):
    entity = ctx.submission.entity_type
    if ctx.pack.eligibility.claims_groups_allowed or entity in (None, "individual"):
        return
    for ms in _sets(ctx, "claims"):
        yield Hit(field_ref(ctx, ms.ref, "submissionMethod"),
                  f"in {ctx.year} claims reporting is believed open to individual clinicians only, not "
                  f"entityType '{entity}': the measures may not be scored")


@rule("B106", ERROR, summary="An eCQM quality set has no CEHRT ID.",
      explanation="From 2025 a quality set reported as eCQMs (submissionMethod electronicHealthRecord) must carry the "
                  "CMS EHR Certification ID (cehrtId) of the certified EHR that produced it.",
      source="QPP Submissions API change log 08/28/2025 (a CEHRT ID on eCQM quality sets from 2025)",
      example='a 2025 electronicHealthRecord quality set without "cehrtId"', consequence="rejected")
def ecqm_cehrt(ctx):
    if "quality_ecqm" not in ctx.pack.identifiers.cehrt_id_required_for:
        return
    for ms in _sets(ctx, "electronicHealthRecord"):
        if ms.category == "quality" and ms.cehrt_id is None:
            yield Hit(ms.ref, f"an eCQM quality set needs a cehrtId from {ctx.year}: without it the set is rejected")


@rule("B107", ERROR, summary="The submission method does not apply to improvement activities or PI.",
      explanation="Improvement activities and Promoting Interoperability are sent as 'registry' (QPP JSON) or "
                  "'electronicHealthRecord' (QRDA III). Claims, administrative claims, survey vendor and Web "
                  "Interface are quality collection types only.",
      source="QPP JSON reference: measurementSets.submissionMethod",
      example='{"category": "ia", "submissionMethod": "claims"}', consequence="rejected")
def method_for_category(ctx):
    for ms in ctx.submission.measurement_sets:
        if (ms.category == "ia" or is_pi(ms.category)) and ms.submission_method in NOT_FOR_IA_PI:
            yield Hit(field_ref(ctx, ms.ref, "submissionMethod"),
                      f"submissionMethod '{ms.submission_method}' is for quality measures; the {ms.category} set "
                      f"is sent as 'registry' or 'electronicHealthRecord'")
