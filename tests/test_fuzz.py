"""Fuzzing the validator: whatever the bytes, ``validate_bytes`` returns findings and never fails inside.

Two fuzzers, both seeded so CI runs are reproducible:

* a structured one (hypothesis): a valid fixture, parsed, then mutated as a document (keys dropped, types
  changed, values swapped, unicode inserted, extreme numbers, sets and keys duplicated);
* a byte-level one over every JSON and XML fixture: bits flipped, bytes and tokens inserted, ranges deleted
  or repeated, files cut and spliced together.

``QPPFILES_FUZZ_BUDGET`` sets the number of byte-level cases (default 3000; the structured fuzzer runs a
tenth of it, at least 100); ``QPPFILES_FUZZ_SEED`` changes the seed.  A longer run:

    QPPFILES_FUZZ_BUDGET=200000 python -m pytest tests/test_fuzz.py -q -s
"""

from __future__ import annotations

import copy
import json
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qppfiles.codes import get as get_code
from qppfiles.findings import LAYERS, SEVERITIES
from qppfiles.validate import INTERNAL_ERROR, validate_bytes

from .conftest import FIXTURES

BUDGET = int(os.environ.get("QPPFILES_FUZZ_BUDGET", "3000"))
SEED = int(os.environ.get("QPPFILES_FUZZ_SEED", "20241231"))
XML_SHARE = 0.25  # XML fixtures are ~50x larger and slower to check than JSON ones

JSON_FILES = sorted(FIXTURES.rglob("*.json"))
XML_FILES = sorted(FIXTURES.rglob("*.xml"))


def _parses(path: Path) -> bool:
    try:
        return isinstance(json.loads(path.read_bytes()), dict)
    except ValueError:
        return False


VALID_JSON = [p for p in JSON_FILES if _parses(p) and "invalid" not in p.parts]


def check_report(data: bytes, label: str) -> list:
    """Validate ``data``; return the problems with the report (empty when it is sound)."""
    try:
        report = validate_bytes(data, label)
    except BaseException as exc:  # the contract under test: nothing escapes
        return [f"{label}: raised {type(exc).__name__}: {exc}"]
    problems = []
    for f in report.findings:
        if f.code == INTERNAL_ERROR:
            problems.append(f"{label}: {f.message}")
        elif get_code(f.code) is None:
            problems.append(f"{label}: unregistered code {f.code}")
        if f.severity not in SEVERITIES or f.layer not in LAYERS:
            problems.append(f"{label}: bad severity/layer {f.severity}/{f.layer}")
        if f.layer != "file" and f.location.pointer is None and f.location.xpath is None:
            problems.append(f"{label}: {f.code} has no location")
    try:
        json.dumps(report.to_dict())
    except (TypeError, ValueError) as exc:
        problems.append(f"{label}: report is not serialisable: {exc}")
    return problems


def _announce(capsys, text: str) -> None:
    with capsys.disabled():
        print(f"\n{text}")


# ------------------------------------------------------------------ structured mutations (hypothesis)


class Duplicated(dict):
    """A dict written with its first key twice (the second copy holding ``extra``)."""

    def __init__(self, source: dict, extra):
        super().__init__(source)
        self.extra = extra


def dump(value) -> str:
    if isinstance(value, Duplicated) and value:
        first = next(iter(value))
        members = [(first, value.extra)] + list(value.items())
        return "{" + ", ".join(f"{json.dumps(k)}: {dump(v)}" for k, v in members) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {dump(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(dump(v) for v in value) + "]"
    return json.dumps(value)  # NaN and Infinity come out as the bare literals on purpose


def _slots(doc) -> list:
    """Every (container, key) in the document, parents before children."""
    out, stack = [], [doc]
    while stack:
        node = stack.pop()
        keys = list(node) if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else ()
        for key in keys:
            out.append((node, key))
            stack.append(node[key])
    return out


EXTREMES = [0, -1, 1, 2 ** 31, 2 ** 53 + 1, 2 ** 63, -(2 ** 63), 10 ** 400, -(10 ** 400), 1e308, -1e308, 5e-324,
            -0.0, 0.5, 99.999, float("nan"), float("inf"), float("-inf"), 1960, 2016, 2024, 2027, 9999]

scalars = st.one_of(
    st.none(), st.booleans(), st.sampled_from(EXTREMES), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=40), st.sampled_from(["", " ", "\u202e", "\U0001f600", "\ud800", "\x00", "236", "IA_EPA_1",
                                           "quality", "ia", "pi", "mips", "registry", "2024-02-30", "9" * 400]),
)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)), max_leaves=12)

OPS = ("drop", "retype", "swap", "duplicate_item", "duplicate_key", "rename")


def mutate(doc, ops) -> None:
    for op, where, other, value, name in ops:
        slots = _slots(doc)
        if not slots:
            return
        node, key = slots[where % len(slots)]
        if op == "drop":
            del node[key]
        elif op == "retype":
            node[key] = value
        elif op == "swap":
            node2, key2 = slots[other % len(slots)]
            if node2 is not node[key] and node is not node2.get(key2) if isinstance(node2, dict) else True:
                a, b = node[key], node2[key2]
                if not _contains(a, node2) and not _contains(b, node):
                    node[key], node2[key2] = b, a
        elif op == "duplicate_item" and isinstance(node[key], list) and node[key]:
            node[key].append(copy.deepcopy(node[key][other % len(node[key])]))
        elif op == "duplicate_key" and isinstance(node[key], dict) and node[key]:
            node[key] = Duplicated(node[key], value)
        elif op == "rename" and isinstance(node, dict):
            node[name] = node.pop(key)


def _contains(haystack, needle) -> bool:
    if haystack is needle:
        return True
    if isinstance(haystack, dict):
        return any(_contains(v, needle) for v in haystack.values())
    if isinstance(haystack, list):
        return any(_contains(v, needle) for v in haystack)
    return False


STRUCTURED_EXAMPLES = max(100, BUDGET // 10)
_structured_cases = []


@settings(max_examples=STRUCTURED_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
@given(
    fixture=st.sampled_from(VALID_JSON),
    ops=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10 ** 6), st.integers(0, 10 ** 6), json_values,
                           st.text(max_size=20)), min_size=1, max_size=6),
    envelope=st.booleans(),
)
def test_structured_mutations_never_fail_inside(fixture, ops, envelope):
    doc = json.loads(fixture.read_bytes())
    mutate(doc, ops)
    if envelope:
        doc = {"data": {"submission": doc}}
    _structured_cases.append(fixture.name)
    problems = check_report(dump(doc).encode("utf-8", "surrogatepass"), fixture.name)
    assert not problems, (problems, ops)


def test_structured_fuzz_ran(capsys):
    # Runs after the property above (file order) and reports how many documents it checked.
    if not _structured_cases:
        pytest.skip("the structured fuzzer did not run in this session")
    _announce(capsys, f"structured fuzz: {len(_structured_cases)} mutated documents from "
                      f"{len(set(_structured_cases))} fixtures, no internal error")


# ------------------------------------------------------------------ byte-level mutations

TOKENS = [b"<", b">", b"/>", b"</", b"<!DOCTYPE r [<!ENTITY x 'y'>]>", b"&x;", b"&amp;", b"&#0;", b"]]>",
          b"<![CDATA[", b"<?pi?>", b"<!--", b"-->", b'"', b"'", b"=", b"{", b"}", b"[", b"]", b",", b":",
          b"null", b"true", b"NaN", b"Infinity", b"-", b"1e400", b"1" + b"0" * 400, b"\\u0000", b"\\ud800",
          b"\x00", b"\xff", b"\xfe", b"\xef\xbb\xbf", b"\xc3", b"\xe2\x80\xae", b"\xf0\x9f\x98\x80", b"\n", b" ",
          b"xmlns=\"\"", b'value="-1"', b'value="99999999999999999999"', b'extension="2016-11-01"']


def _mutate_bytes(rng: random.Random, data: bytes, corpus: list) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(buf) + 1)
        kind = rng.randrange(7)
        if kind == 0 and buf:  # flip a bit
            at = min(at, len(buf) - 1)
            buf[at] ^= 1 << rng.randrange(8)
        elif kind == 1:  # insert random bytes
            buf[at:at] = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 8)))
        elif kind == 2:  # insert a meaningful token
            buf[at:at] = rng.choice(TOKENS)
        elif kind == 3:  # delete a range
            del buf[at:at + rng.randint(1, 64)]
        elif kind == 4:  # repeat a range
            buf[at:at] = buf[at:at + rng.randint(1, 256)] * rng.randint(2, 8)
        elif kind == 5:  # cut
            del buf[at:]
        else:  # splice with another fixture
            other = rng.choice(corpus)
            cut = rng.randrange(len(other) + 1)
            buf = buf[:at] + bytearray(other[cut:])
    return bytes(buf)


def test_byte_level_mutations_never_fail_inside(capsys):
    rng = random.Random(SEED)
    json_corpus = [p.read_bytes() for p in JSON_FILES]
    xml_corpus = [p.read_bytes() for p in XML_FILES]
    corpus = json_corpus + xml_corpus
    problems, counts = [], {"json": 0, "xml": 0}
    for case in range(BUDGET):
        kind = "xml" if rng.random() < XML_SHARE else "json"
        pool = xml_corpus if kind == "xml" else json_corpus
        index = rng.randrange(len(pool))
        data = _mutate_bytes(rng, pool[index], corpus)
        counts[kind] += 1
        found = check_report(data, f"case {case} ({kind} fixture {index}, seed {SEED})")
        if found:
            problems.extend(found)
            if len(problems) >= 5:
                break
    _announce(capsys, f"byte fuzz: {sum(counts.values())} cases ({counts['json']} JSON, {counts['xml']} XML) "
                      f"from {len(corpus)} fixtures, seed {SEED}, {len(problems)} problems")
    assert not problems, problems


def test_fixtures_are_present():
    assert len(VALID_JSON) >= 10 and len(XML_FILES) >= 3
