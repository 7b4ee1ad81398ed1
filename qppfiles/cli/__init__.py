"""The ``qppfiles`` command line.  Thin: parse options, call the library's pipeline, render.

``app.main`` is the group; each module here holds commands (``COMMANDS``) and is registered below.
Heavy modules (rich, lxml, the catalog) are imported inside commands so that ``qppfiles --help`` starts fast.
"""

from __future__ import annotations

from . import catalog
from . import check
from . import convert
from . import generate
from . import lint
from . import score
from .app import main

for _module in (check, catalog, convert, score, generate, lint):
    for _command in _module.COMMANDS:
        main.add_command(_command)

__all__ = ["main"]
