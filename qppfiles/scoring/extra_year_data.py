"""Per-year facts the scoring needs that the year packs do not hold yet (data only).

OPT_IN_AVAILABLE: whether a clinician who exceeds some but not all low-volume
criteria may opt in to MIPS (the opt-in election began with PY2019, together
with the third, covered-services criterion).
"""

OPT_IN_AVAILABLE = {
    2017: False, 2018: False, 2019: True, 2020: True, 2021: True, 2022: True,
    2023: True, 2024: True, 2025: True, 2026: True, 2027: True,
}
