"""The two parsers of QPP JSON (orjson for plain texts, the json module otherwise) read every text alike."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from qppfiles.formats.qppjson import parse as json_parse

# Fragments that the two parsers could read differently: every kind of number, escapes, surrogates,
# duplicates, white space, literals json accepts and CMS does not, and broken syntax.
_SCALARS = ["0", "-0", "1.5", "-2e3", "1E+2", "01", "1.", ".5", "+1", "18446744073709551616", "9" * 25,
            "1e400", "NaN", "-Infinity", "true", "false", "null", '"a:b"', '"\\u0041"', '"\\ud800"',
            '"\\ud83d\\ude00"', '"tab\there"', '"x\\"', '"\\u003a"', '"\u00e9"', '"\t"', "tru", '"']
_KEYS = ['"a"', '"b"', '"a:"', '"\\u0061"', '"measureId"']


def _json_like():
    scalar = st.sampled_from(_SCALARS)
    space = st.sampled_from(["", " ", "\n  ", "\t", "\r\n", "\x0c"])

    def containers(children):
        members = st.lists(st.tuples(st.sampled_from(_KEYS), space, children), max_size=4)
        obj = members.map(lambda ms: "{" + ",".join(f"{k}{w}:{v}" for k, w, v in ms) + "}")
        arr = st.lists(children, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
        return obj | arr

    return st.recursive(scalar, containers, max_leaves=12)


def _outcome(text: str):
    doc, findings, _, _ = json_parse.parse(text.encode())
    return repr(doc), [(f.code, f.message, f.location.pointer, f.location.line, f.location.column)
                       for f in findings]


def test_orjson_and_json_parse_every_text_alike(monkeypatch):
    if json_parse._orjson is None:
        pytest.skip("orjson is not installed")

    @settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(_json_like())
    def same(text):
        fast = _outcome(text)
        with monkeypatch.context() as m:
            m.setattr(json_parse, "_orjson", None)
            assert _outcome(text) == fast, text

    same()
