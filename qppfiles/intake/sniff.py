"""Is this file a submission?  Decided from its first few kilobytes, without parsing it.

A QPP JSON submission is a JSON object whose top-level keys are a submission's (``entityType``,
``performanceYear``...), a measurement set's, or the API envelope ``{"data": {"submission": ...}}``.
A QRDA III file is XML whose root element is ``ClinicalDocument``. ``package.json``, editor settings
or ``pom.xml`` are neither.
"""

from __future__ import annotations

import os
import re
import stat

HEAD_SIZE = 8192

SUBMISSION_KEYS = frozenset({
    "entityType", "entityId", "taxpayerIdentificationNumber", "nationalProviderIdentifier",
    "performanceYear", "measurementSets",
})
MEASUREMENT_SET_KEYS = frozenset({
    "measurements", "submissionMethod", "cehrtId", "programName", "performanceStart", "performanceEnd",
})
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,"]')
_XML_PROLOG = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>|\s+)*", re.S)
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")


def read_head(path: str, size: int = HEAD_SIZE) -> bytes | None:
    """The first ``size`` bytes of a regular file; None if it cannot be read (the check says why)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, size)
    except OSError:
        return None
    finally:
        os.close(fd)


def _text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "replace")
    if len(head) > 1 and head[1:2] == b"\x00" and head[:1] != b"\x00":
        return head.decode("utf-16-le", "replace")
    if len(head) > 1 and head[:1] == b"\x00" and head[1:2] != b"\x00":
        return head.decode("utf-16-be", "replace")
    return head.decode("utf-8", "replace").lstrip("\ufeff")


def _json_submission(text: str) -> bool:
    """Whether a top-level key seen in ``text`` (a JSON object's start) is one of a submission."""
    depth = 0
    string = key = parent = None  # the last string; the last top-level key; the key of the open object
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "{[":
            if depth == 1:
                parent = key if token == "{" else None
            depth += 1
        elif token in "}]":
            depth -= 1
            if depth <= 0:
                return False
        elif token == ":":
            if depth == 1:
                key = string
                if key in SUBMISSION_KEYS or key in MEASUREMENT_SET_KEYS:
                    return True
            elif depth == 2 and parent == "data" and string == "submission":
                return True
        elif token == '"':  # a string cut by the end of the head
            return False
        if token != ":" and token[0] == '"':
            string = token[1:-1]
        else:
            string = None if token != ":" else string
    return False


def looks_like_submission(path: str) -> bool | None:
    """True for a QPP JSON or QRDA III submission, False for any other file, None when unreadable
    (checking it then reports why)."""
    head = read_head(path)
    if head is None:
        return None
    text = _text(head).lstrip()
    if text.startswith("{"):
        return _json_submission(text)
    if text.startswith("<"):
        prolog = _XML_PROLOG.match(text)
        rest = text[prolog.end():] if prolog else text
        root = _XML_ROOT.match(rest)
        if root is None:
            # Only a prolog longer than the head hides the root: check the file rather than skip it.
            return len(head) >= HEAD_SIZE and not rest
        return root.group(2) == "ClinicalDocument"
    return False
