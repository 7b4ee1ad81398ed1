"""qppfiles: check, score and build CMS Quality Payment Program submission files.

    >>> import qppfiles
    >>> report = qppfiles.validate("fixtures/2024/group-traditional.json")
    >>> report.errors
    0

The names below are imported on first use, so that ``import qppfiles`` (and the command line's
start) stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from typing import Any

__version__ = "0.1.0"

# Public name -> module that defines it.
_EXPORTS = {
    "read": "qppfiles.api",
    "validate": "qppfiles.api",
    "validate_many": "qppfiles.api",
    "score": "qppfiles.api",
    "convert": "qppfiles.api",
    "write": "qppfiles.api",
    "fake_submission": "qppfiles.api",
    "from_table": "qppfiles.api",
    "ReadError": "qppfiles.api",
    "ConvertError": "qppfiles.api",
    "Options": "qppfiles.model.options",
    "FileReport": "qppfiles.model.file_report",
    "Finding": "qppfiles.model.findings",
    "Location": "qppfiles.model.findings",
    "Submission": "qppfiles.model.submission",
    "ScoreCard": "qppfiles.scoring",
    "ScoringError": "qppfiles.scoring",
}

__all__ = ["__version__", *_EXPORTS]  # noqa: PLE0604 - the keys of _EXPORTS, all strings

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports on first use
    from .api import ConvertError  # noqa: F401
    from .api import ReadError  # noqa: F401
    from .api import convert  # noqa: F401
    from .api import fake_submission  # noqa: F401
    from .api import from_table  # noqa: F401
    from .api import read  # noqa: F401
    from .api import score  # noqa: F401
    from .api import validate  # noqa: F401
    from .api import validate_many  # noqa: F401
    from .api import write  # noqa: F401
    from .model.file_report import FileReport  # noqa: F401
    from .model.findings import Finding  # noqa: F401
    from .model.findings import Location  # noqa: F401
    from .model.options import Options  # noqa: F401
    from .model.submission import Submission  # noqa: F401
    from .scoring import ScoreCard  # noqa: F401
    from .scoring import ScoringError  # noqa: F401


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'qppfiles' has no attribute {name!r}")
    import importlib

    imported = importlib.import_module(module)
    value = getattr(imported, name)
    globals()[name] = value
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_EXPORTS))
