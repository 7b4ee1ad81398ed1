"""Identifier rules: TIN, NPI, entity ids, and which fields each entity type takes."""

from __future__ import annotations

import re

from ..model.digits import RULE
from ..model.digits import foreign_digit
from ..model.digits import shown
from . import Hit
from . import rule
from ._walk import field_ref

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


@rule("I101")
def tin_format(ctx):
    yield from _not_digits(ctx, "taxpayerIdentificationNumber", "TIN", 9)


@rule("I102")
def npi_format(ctx):
    yield from _not_digits(ctx, "nationalProviderIdentifier", "NPI", 10)


@rule("I103")
def npi_check_digit(ctx):
    npi = ctx.submission.national_provider_identifier
    if npi is not None and len(npi) == 10 and _DIGITS.fullmatch(npi) and not npi_check_digit_ok(npi):
        yield Hit(field_ref(ctx, ctx.submission.ref, "nationalProviderIdentifier"),
                  f"NPI '{npi}' fails its check digit: it is not a valid NPI (typo?)")


@rule("I104")
def required_identifiers(ctx):
    sub = ctx.submission
    if sub.set_only:
        return
    for name in REQUIRED.get(sub.entity_type, ()):
        if _field(sub, name) is None:
            yield Hit(sub.ref, f"entityType '{sub.entity_type}' requires '{name}'")


@rule("I105")
def forbidden_identifiers(ctx):
    sub = ctx.submission
    for name in FORBIDDEN.get(sub.entity_type, ()):
        if _field(sub, name) is not None:
            yield Hit(field_ref(ctx, sub.ref, name), f"entityType '{sub.entity_type}' does not take '{name}'")


@rule("I106")
def entity_id_form(ctx):
    eid = ctx.submission.entity_id
    if eid is not None and not _ENTITY_ID.fullmatch(eid):
        yield Hit(field_ref(ctx, ctx.submission.ref, "entityId"),
                  f"entityId '{eid}' is not a valid identifier (letters, digits, '-' and '_' only)")


@rule("I107")
def subgroup_needs_mvp(ctx):
    sub = ctx.submission
    if sub.entity_type != "subgroup":
        return
    mvps = ctx.catalog.mvps
    for ms in sub.measurement_sets:
        if ms.program not in mvps:
            yield Hit(field_ref(ctx, ms.ref, "programName"),
                      f"a subgroup must report under an MVP of {ctx.year}, not programName '{ms.program}'")
