"""Synthetic but well-formed identifiers: TINs, NPIs with a correct check digit, CEHRT ids, entity ids."""

from __future__ import annotations

import random
import re
import string

from ..checks.identifiers import npi_luhn_digit as npi_check_digit  # one Luhn implementation

_ALNUM = string.ascii_uppercase + string.digits


def fake_npi(rng: random.Random) -> str:
    # Issued NPIs start with 1 or 2.
    first_nine = str(rng.choice((1, 2))) + "".join(str(rng.randrange(10)) for _ in range(8))
    return first_nine + npi_check_digit(first_nine)


def fake_tin(rng: random.Random) -> str:
    # Employer identification numbers never start with 00; keep to a common prefix range.
    return str(rng.randint(10, 99)) + "".join(str(rng.randrange(10)) for _ in range(7))


def fake_cehrt_id(rng: random.Random, formats, patterns) -> str:
    """A CEHRT id in one of the year's formats (X = any letter or digit) that matches its patterns."""
    compiled = [re.compile(p) for p in patterns]
    for _ in range(20):
        template = rng.choice(tuple(formats))
        # CHPL ids begin with the two-digit product line "00"; the rest is free.
        chars = []
        for i, c in enumerate(template):
            if c == "X":
                chars.append("0" if i < 2 else rng.choice(_ALNUM))
            else:
                chars.append(c)
        value = "".join(chars)
        if any(p.match(value) for p in compiled):
            return value
    raise ValueError(f"no CEHRT id format of {formats} matches the year's patterns")


def fake_entity_id(rng: random.Random, entity_type: str) -> str:
    if entity_type == "apm":
        return f"A{rng.randint(1000, 9999)}"
    if entity_type == "virtualGroup":
        return f"VG-{rng.randint(10000, 99999)}"
    return f"SG-{rng.randint(10000000, 99999999)}"
