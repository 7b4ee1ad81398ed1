"""Text from a file made inert before a person sees it: control characters shown, never obeyed."""

from __future__ import annotations

import re

# C0 controls (tab and newlines included: a value must not start a fake report line), DEL, C1 controls,
# unpaired surrogates, bidirectional marks, embeddings, overrides and isolates, the line and paragraph
# separators, and the noncharacters U+FFFE and U+FFFF.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                     "\ud800-\udfff\ufffe\uffff]")


def _shown(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: str) -> str:
    r"""``text`` with every control, bidi and surrogate character written as an escape (``\x1b``,
    ``\u202e``), so printing it cannot move the cursor, recolour a terminal or reorder what follows."""
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(_shown, text)
