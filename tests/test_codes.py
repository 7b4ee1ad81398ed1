"""Every finding code the code base can emit is registered, explained and unique."""

from __future__ import annotations

import re
from pathlib import Path

from qppfiles.model.codes import all_codes

PACKAGE = Path(__file__).resolve().parents[1] / "qppfiles"
CODE_LITERAL = re.compile(r'"([FSXIYMAQVPRB]\d{3})"')


def test_every_emitted_code_is_registered():
    registered = {c.code for c in all_codes()}
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(CODE_LITERAL.findall(path.read_text(encoding="utf-8")))
    assert used, "the scan found no codes"
    assert sorted(used - registered) == []


def test_every_code_has_summary_layer_and_severity():
    for c in all_codes():
        assert re.fullmatch(r"[A-Z]\d{3}", c.code)
        assert c.severity in ("error", "warning", "info")
        assert c.layer in ("file", "schema", "xsd", "schematron", "rules", "scoring")
        assert c.summary.endswith(".") and c.explanation, c.code
