"""Where the submission object and its measurement sets stand in a parsed QPP JSON document.

The reader accepts the bare submission object, the API envelope ``{"data": {"submission": ...}}``
and a document holding one measurement set.
"""

from __future__ import annotations

from typing import Any


def unwrap(doc: Any) -> tuple[Any, str]:
    """The submission object of a document and its pointer (envelope aware)."""
    if isinstance(doc, dict) and isinstance(doc.get("data"), dict) and "submission" in doc["data"]:
        return doc["data"]["submission"], "/data/submission"
    return doc, ""


def is_set_only(obj: Any) -> bool:
    return isinstance(obj, dict) and "measurements" in obj and "measurementSets" not in obj \
        and "category" in obj


def set_nodes(obj: dict[str, Any], base: str) -> list[tuple[str, Any]]:
    """(pointer, node) of each measurement set of a submission object, where the model reads them."""
    if is_set_only(obj):
        return [(base, obj)]
    listed = obj.get("measurementSets")
    return [(f"{base}/measurementSets/{i}", s) for i, s in enumerate(listed)] if isinstance(listed, list) else []
