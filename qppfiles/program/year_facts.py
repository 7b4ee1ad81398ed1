"""The facts of one performance year, looked up on first use: its rules (the year pack) and its catalog."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from ..catalog import load_catalog
from .packs import YearPack
from .packs import year_pack


class YearFacts:
    """A base for what knows its ``year`` (a field of the subclass) and reads that year's rules and catalog."""

    year: int

    @cached_property
    def pack(self) -> YearPack:
        return year_pack(self.year)

    @cached_property
    def catalog(self) -> Any:  # a Catalog: left untyped while rule modules mix its tables of different records
        return load_catalog(self.year)
