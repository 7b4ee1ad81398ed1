"""Submission-method rules: who may use the CMS Web Interface and claims, what an eCQM set needs."""

from __future__ import annotations

from . import Hit
from . import rule
from ._walk import field_ref
from ._walk import is_pi

WEB = "cmsWebInterface"
WEB_ENTITIES = ("group", "virtualGroup", "apm")
NOT_FOR_IA_PI = ("claims", "administrativeClaims", "certifiedSurveyVendor", WEB)


def _sets(ctx, method: str):
    return [ms for ms in ctx.submission.measurement_sets if ms.submission_method == method]


@rule("B101")
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


@rule("B102")
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


@rule("B103")
def web_interface_entity(ctx):
    entity = ctx.submission.entity_type
    if not ctx.pack.eligibility.web_interface_available or entity is None or entity in WEB_ENTITIES:
        return
    for ms in _sets(ctx, WEB):
        yield Hit(field_ref(ctx, ms.ref, "submissionMethod"),
                  f"entityType '{entity}' cannot report through the CMS Web Interface (groups, virtual groups "
                  f"and APM entities only)")


@rule("B104")
def claims_small_practice(ctx):
    if not ctx.pack.eligibility.claims_small_practice_only or ctx.options.small_practice:
        return
    for ms in _sets(ctx, "claims"):
        if ms.category == "quality":
            yield Hit(field_ref(ctx, ms.ref, "submissionMethod"),
                      f"claims reporting in {ctx.year} is only for small practices (15 or fewer clinicians): "
                      f"confirm the practice size (--small-practice), otherwise the measures are not scored")


@rule("B105")
def claims_groups(ctx):
    entity = ctx.submission.entity_type
    if ctx.pack.eligibility.claims_groups_allowed or entity in (None, "individual"):
        return
    for ms in _sets(ctx, "claims"):
        yield Hit(field_ref(ctx, ms.ref, "submissionMethod"),
                  f"in {ctx.year} claims reporting is believed open to individual clinicians only, not "
                  f"entityType '{entity}': the measures may not be scored")


@rule("B106")
def ecqm_cehrt(ctx):
    if "quality_ecqm" not in ctx.pack.identifiers.cehrt_id_required_for:
        return
    for ms in _sets(ctx, "electronicHealthRecord"):
        if ms.category == "quality" and ms.cehrt_id is None:
            yield Hit(ms.ref, f"an eCQM quality set needs a cehrtId from {ctx.year}: without it the set is rejected")


@rule("B107")
def method_for_category(ctx):
    for ms in ctx.submission.measurement_sets:
        if (ms.category == "ia" or is_pi(ms.category)) and ms.submission_method in NOT_FOR_IA_PI:
            yield Hit(field_ref(ctx, ms.ref, "submissionMethod"),
                      f"submissionMethod '{ms.submission_method}' is for quality measures; the {ms.category} set "
                      f"is sent as 'registry' or 'electronicHealthRecord'")
