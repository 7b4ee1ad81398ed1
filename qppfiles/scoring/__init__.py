"""MIPS score estimate of a submission, driven by the year pack and the catalog's benchmarks.

    >>> from qppfiles.scoring import score_submission, score_points
    >>> card = score_points(2019, quality_points=[7.1, 6.5, 7.0, 5.5, 4.2, 3], ia_points=30)
    >>> card.final_score
    58.425

``score_submission(submission, ...)`` scores a :class:`qppfiles.model.submission.Submission`;
``score_points(year, ...)`` scores from per-measure points and category inputs.
Both return a :class:`ScoreCard` whose ``to_dict()`` is the JSON form.
"""

from .benchmarks import DecilePosition
from .benchmarks import decile_bounds
from .benchmarks import position
from .card import Adjustment
from .card import CategoryScore
from .card import MeasureScore
from .card import ScoreCard
from .card import Suggestion
from .engine import ScoringError
from .engine import score_points
from .engine import score_submission
from .final import adjustment
from .final import weights_for
from .quality import achievement

__all__ = [
    "Adjustment", "CategoryScore", "DecilePosition", "MeasureScore", "ScoreCard", "ScoringError", "Suggestion",
    "achievement", "adjustment", "decile_bounds", "position", "score_points", "score_submission", "weights_for",
]
