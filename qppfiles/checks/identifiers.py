"""Identifier rules: TIN, NPI, entity ids, and which fields each entity type takes."""

from __future__ import annotations

import re

from ..model.digits import RULE, foreign_digit, shown
from ..model.findings import ERROR
from . import Hit, rule
from ._walk import field_ref

SRC = "QPP JSON reference: submissions.entityType, entityId, taxpayerIdentificationNumber, nationalProviderIdentifier"
_DIGITS = re.compile(r"[0-9]+")  # not \d: it matches full-width and other scripts' digits
_ENTITY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")

# Which identifier fields each entity type requires and which it must not carry.
REQUIRED = {
    "individual": ("taxpayerIdentificationNumber", "nationalProviderIdentifier"),
    "group": ("taxpayerIdentificationNumber",),
    "subgroup": ("entityId",),
    "virtualGroup": ("entityId",),
    "apm": ("entityId",),
}
FORBIDDEN = {
    "individual": ("entityId",),
    "group": ("nationalProviderIdentifier", "entityId"),
    "subgroup": ("nationalProviderIdentifier",),
    "virtualGroup": ("nationalProviderIdentifier",),
    "apm": ("nationalProviderIdentifier",),
}


def npi_luhn_digit(first_nine: str) -> str:
    """The Luhn check digit of an NPI, computed over 80840 (the US health card issuer prefix) + nine digits."""
    total = 0
    # Counting from the right of the payload, every first, third, ... digit is doubled: the check digit
    # will stand to its right.
    for i, c in enumerate(reversed("80840" + first_nine)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def npi_check_digit_ok(npi: str) -> bool:
    return npi[-1] == npi_luhn_digit(npi[:9])


def _foreign(text: str) -> str:
    digit = foreign_digit(text)
    return f"; '{digit}' is not one of 0-9: {RULE}" if digit else ""


def _not_digits(ctx, name: str, label: str, length: int):
    """A hit when the submission's identifier ``name`` is present but not ``length`` ASCII digits."""
    value = _field(ctx.submission, name)
    if value is not None and not (len(value) == length and _DIGITS.fullmatch(value)):
        yield Hit(field_ref(ctx, ctx.submission.ref, name),
                  f"{label} '{shown(value)}' must be exactly {length} digits (it has {len(value)} characters)"
                  f"{_foreign(value)}")


def _field(sub, name: str):
    return {
        "taxpayerIdentificationNumber": sub.taxpayer_identification_number,
        "nationalProviderIdentifier": sub.national_provider_identifier,
        "entityId": sub.entity_id,
    }[name]


@rule("I101", ERROR, summary="The TIN is not 9 digits.",
      explanation="A taxpayer identification number is exactly nine ASCII digits 0-9 (not full-width or other "
                  "scripts' digits), with no dashes or spaces. Leading zeros count: keep the value a string.",
      source=SRC, example='"taxpayerIdentificationNumber": "12-3456789"', consequence="rejected")
def tin_format(ctx):
    yield from _not_digits(ctx, "taxpayerIdentificationNumber", "TIN", 9)


@rule("I102", ERROR, summary="The NPI is not 10 digits.",
      explanation="A national provider identifier is exactly ten ASCII digits 0-9 (not full-width or other scripts' "
                  "digits).",
      source=SRC, example='"nationalProviderIdentifier": "123456789"', consequence="rejected")
def npi_format(ctx):
    yield from _not_digits(ctx, "nationalProviderIdentifier", "NPI", 10)


@rule("I103", ERROR, summary="The NPI's check digit is wrong.",
      explanation="The tenth digit of an NPI is a Luhn check digit computed over the first nine digits prefixed with "
                  "80840. A wrong check digit means a typo: CMS cannot match the clinician.",
      source="CMS NPI standard (45 CFR 162.406); ISO/IEC 7812 Luhn formula",
      example='"nationalProviderIdentifier": "1234567890"', consequence="rejected")
def npi_check_digit(ctx):
    npi = ctx.submission.national_provider_identifier
    if npi is not None and len(npi) == 10 and _DIGITS.fullmatch(npi) and not npi_check_digit_ok(npi):
        yield Hit(field_ref(ctx, ctx.submission.ref, "nationalProviderIdentifier"),
                  f"NPI '{npi}' fails its check digit: it is not a valid NPI (typo?)")


@rule("I104", ERROR, summary="An identifier the entity type requires is missing.",
      explanation="individual: TIN and NPI; group: TIN; subgroup, virtualGroup and apm: entityId.", source=SRC,
      example='{"entityType": "individual", "taxpayerIdentificationNumber": "000456789"}  (no NPI)',
      consequence="rejected")
def required_identifiers(ctx):
    sub = ctx.submission
    if sub.set_only:
        return
    for name in REQUIRED.get(sub.entity_type, ()):
        if _field(sub, name) is None:
            yield Hit(sub.ref, f"entityType '{sub.entity_type}' requires '{name}'")


@rule("I105", ERROR, summary="An identifier the entity type does not take is present.",
      explanation="A group carries no NPI or entityId; an individual no entityId; subgroups, virtual groups and APM "
                  "entities no NPI. CMS rejects the extra identifier rather than guess which entity is meant.",
      source=SRC, example='{"entityType": "group", "nationalProviderIdentifier": "2567891421"}', consequence="rejected")
def forbidden_identifiers(ctx):
    sub = ctx.submission
    for name in FORBIDDEN.get(sub.entity_type, ()):
        if _field(sub, name) is not None:
            yield Hit(field_ref(ctx, sub.ref, name), f"entityType '{sub.entity_type}' does not take '{name}'")


@rule("I106", ERROR, summary="The entityId is blank or malformed.",
      explanation="An APM entity, virtual group or subgroup id is a single token of letters, digits, '-' or '_'.",
      source=SRC, example='"entityId": " "', consequence="rejected")
def entity_id_form(ctx):
    eid = ctx.submission.entity_id
    if eid is not None and not _ENTITY_ID.fullmatch(eid):
        yield Hit(field_ref(ctx, ctx.submission.ref, "entityId"),
                  f"entityId '{eid}' is not a valid identifier (letters, digits, '-' and '_' only)")


@rule("I107", ERROR, summary="A subgroup reports outside an MVP.",
      explanation="Subgroups exist only for MVP reporting: every measurement set of a subgroup must name an MVP id as "
                  "its programName.",
      source="42 CFR 414.1318 (subgroups) and 414.1365 (subgroups report through an MVP)",
      example='{"entityType": "subgroup", ... "programName": "mips"}', consequence="rejected")
def subgroup_needs_mvp(ctx):
    sub = ctx.submission
    if sub.entity_type != "subgroup":
        return
    mvps = ctx.catalog.mvps
    for ms in sub.measurement_sets:
        if ms.program not in mvps:
            yield Hit(field_ref(ctx, ms.ref, "programName"),
                      f"a subgroup must report under an MVP of {ctx.year}, not programName '{ms.program}'")
