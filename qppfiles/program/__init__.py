"""The MIPS program rules of each performance year ("year packs").

``year_pack(year)`` returns a frozen, cached :class:`YearPack` with one group of
rules per category (``quality``, ``ia``, ``pi``, ``cost``, ``final``) plus
``periods``, ``identifiers`` and ``eligibility``; ``supported_years()`` lists
the years that have one.  The facts themselves are in ``years/<year>.toml``
(see :mod:`qppfiles.program.yeardata`).
"""

from .packs import CATEGORIES
from .packs import CategoryWeights
from .packs import CostRules
from .packs import Eligibility
from .packs import FinalRules
from .packs import IaRules
from .packs import Identifiers
from .packs import ImprovementScoring
from .packs import MeasureBonusRules
from .packs import NewMeasureFloor
from .packs import Periods
from .packs import PiRequirement
from .packs import PiRules
from .packs import QualityRules
from .packs import UnsupportedYear
from .packs import YearPack
from .packs import default_year
from .packs import supported_years
from .packs import year_pack

__all__ = [
    "CATEGORIES", "CategoryWeights", "CostRules", "Eligibility", "FinalRules", "IaRules",
    "Identifiers", "ImprovementScoring", "MeasureBonusRules", "NewMeasureFloor", "Periods",
    "PiRequirement", "PiRules", "QualityRules", "UnsupportedYear", "YearPack",
    "default_year", "supported_years", "year_pack",
]
