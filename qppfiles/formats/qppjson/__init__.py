"""QPP JSON (Submissions API format): one parse, one locator, the reader and the canonical writer.

- :mod:`.parse`: bytes -> document + file findings; every reader of submission JSON text uses it.
- :mod:`.locate`: :class:`JsonLocator`, JSON pointer -> line and column, for one or many pointers.
- :mod:`.reader`: the document as the model ``Submission`` (:func:`read`, :func:`to_model`).
- :mod:`.writer`: the model as canonical QPP JSON (:func:`write`, :func:`to_dict`).

The searches behind the locator live in :mod:`.pointers` (without a full map) and :mod:`.tokens`
(the full position map that the parse builds for duplicate keys and bad numbers).
"""

from __future__ import annotations

from .locate import JsonLocator
from .parse import MAX_DEPTH
from .parse import ParsedJson
from .pointers import escape_token
from .reader import read
from .reader import to_model
from .shape import is_set_only
from .shape import set_nodes
from .shape import unwrap
from .writer import set_to_dict
from .writer import to_dict
from .writer import write

__all__ = ["MAX_DEPTH", "JsonLocator", "ParsedJson", "escape_token", "is_set_only", "read", "set_nodes",
           "set_to_dict", "to_dict", "to_model", "unwrap", "write"]
