"""Fuzzing the validator: whatever the bytes, ``validate_bytes`` returns findings and never fails inside.

Three kinds of fuzzing, all seeded so CI runs are reproducible:

* a structured one (hypothesis): a valid fixture, parsed, then mutated as a document (keys dropped, types
  changed, values swapped, unicode inserted, extreme numbers, sets and keys duplicated);
* a byte-level one over every JSON and XML fixture: bits flipped, bytes and tokens inserted, ranges deleted
  or repeated, files cut and spliced together;
* targeted generators for the classes of input that broke qppfiles before: unpaired surrogates in keys,
  digits of other scripts in counts and identifiers, control characters in strings, huge counts, and
  JSON -> QRDA III -> JSON round trips (every number back identical, or the conversion refused).

``QPPFILES_FUZZ_BUDGET`` sets the number of byte-level cases (default 3000; the structured fuzzer runs a
tenth of it, at least 100; each targeted generator a hundredth, at least 30); ``QPPFILES_FUZZ_SEED``
changes the seed.  A longer run:

    QPPFILES_FUZZ_BUDGET=200000 python -m pytest tests/test_fuzz.py -q -s
"""

from __future__ import annotations

import copy
import json
import os
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from qppfiles.model.codes import get as get_code
from qppfiles.model.file_report import INTERNAL_ERROR
from qppfiles.model.findings import LAYERS
from qppfiles.model.findings import SEVERITIES
from qppfiles.pipeline.validate import validate_bytes

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
    """The property above checked the documents it was meant to; run it here when the order put it later."""
    if not _structured_cases:
        test_structured_mutations_never_fail_inside()
    _announce(capsys, f"structured fuzz: {len(_structured_cases)} mutated documents from "
                      f"{len(set(_structured_cases))} fixtures, no internal error")
    assert len(_structured_cases) >= STRUCTURED_EXAMPLES // 2
    assert len(set(_structured_cases)) >= min(10, len(VALID_JSON))


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


# ------------------------------------------------------------------ targeted generators
#
# Classes of input that broke qppfiles before, each with its own generator and the property it must keep.
# ``QPPFILES_FUZZ_BUDGET`` scales them too (a hundredth of it per class, at least 30).

TARGETED_CASES = max(30, BUDGET // 100)
FOREIGN_DIGITS = "²³¹⁰１２３４５６７８９٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹०१२३४५६७८९"
CONTROLS = [chr(c) for c in list(range(0, 32)) + list(range(127, 160))] + ["\u202e", "\u2028", "\u2066"]
_RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
JSON_BASE = FIXTURES / "2024" / "group-traditional.json"
XML_BASE = FIXTURES / "qrda3" / "2024-group-mips.xml"


def printable_report(data: bytes, label: str) -> tuple:
    """(problems, report): ``check_report``'s problems, plus any report format that fails to render, cannot
    be written as UTF-8, or (text and GitHub annotations) prints a control character or surrogate raw."""
    import io

    from qppfiles.report import render

    problems = check_report(data, label)
    report = validate_bytes(data, label)
    for fmt in ("text", "github", "json", "junit", "sarif"):
        out = io.StringIO()
        try:
            render(fmt, [report], out)
            out.getvalue().encode("utf-8")
        except Exception as exc:  # the property: every format renders every report
            problems.append(f"{label}: --format {fmt} failed: {type(exc).__name__}: {exc}")
            continue
        if fmt in ("text", "github") and _RAW.search(out.getvalue().replace("\n", "")):
            problems.append(f"{label}: --format {fmt} prints a control character or surrogate raw")
    return problems, report


def _json_strings(doc, out, path=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            if isinstance(v, str):
                out.append((doc, k))
            _json_strings(v, out, path + (k,))
    elif isinstance(doc, list):
        for v in doc:
            _json_strings(v, out, path)
    return out


def _objects(doc, out):
    if isinstance(doc, dict):
        out.append(doc)
        for v in doc.values():
            _objects(v, out)
    elif isinstance(doc, list):
        for v in doc:
            _objects(v, out)
    return out


def _lone_surrogate_keys(rng):
    """A key holding an unpaired surrogate escape, alone or twice in one object, anywhere."""
    text = JSON_BASE.read_text()
    spots = [i + 1 for i, c in enumerate(text) if c == "{"]
    key = f"\\u{rng.randrange(0xD800, 0xE000):04x}" + rng.choice(["", "x", "\\u0041"])
    member = f'"{key}": {rng.choice(["1", "null", json.dumps(chr(rng.randrange(32, 127)))])}, '
    at = rng.choice(spots)
    insert = member * rng.choice([1, 2, 2])
    if rng.random() < 0.5:  # the duplicate holds the same key as an existing member
        insert += '"performanceYear": "\\ud800", ' if at == spots[0] else ""
    return (text[:at] + insert + text[at:]).encode(), "error"


def _foreign_digits(rng):
    """Digits of other scripts or superscripts in a QRDA III count, date or TIN, or in JSON identifiers."""
    digits = "".join(rng.choice(FOREIGN_DIGITS) for _ in range(rng.randint(1, 4)))
    mixed = rng.choice([digits, "1" + digits, digits + "0"])
    if rng.random() < 0.6:
        xml = XML_BASE.read_text()
        spot = rng.choice(["count", "date", "tin"])
        if spot == "count":  # a population's aggregate count (supplemental data counts are not read)
            population = rng.choice(list(re.finditer(r'code="(?:IPOP|DENOM|NUMER|DENEX|DENEXCEP)"', xml)))
            m = re.compile(r'<value value="(\d+)" xsi:type="INT"').search(xml, population.end())
        elif spot == "date":
            m = rng.choice(list(re.finditer(r'<(?:low|high) value="(\d+)"', xml)))
        else:
            m = rng.choice(list(re.finditer(r'root="2\.16\.840\.1\.113883\.4\.2" extension="(\d+)"', xml)))
        return (xml[:m.start(1)] + mixed + xml[m.end(1):]).encode(), "error"
    doc = json.loads(JSON_BASE.read_text())
    field = rng.choice(["taxpayerIdentificationNumber", "performanceYear"])
    doc[field] = ("１２３４５６７８９" if field == "taxpayerIdentificationNumber" and rng.random() < 0.5
                  else mixed)
    return json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode(), "error"


def _control_characters(rng):
    """Control characters, line separators and bidirectional overrides in any string or key."""
    doc = json.loads(JSON_BASE.read_text())
    for _ in range(rng.randint(1, 3)):
        node, key = rng.choice(_json_strings(doc, []))
        value = node[key]
        at = rng.randrange(len(value) + 1)
        node[key] = value[:at] + rng.choice(CONTROLS) + value[at:]
    if rng.random() < 0.3:
        rng.choice(_objects(doc, []))[rng.choice(CONTROLS) + "key"] = 1
    return json.dumps(doc, ensure_ascii=rng.random() < 0.5).encode(), None


def _huge_counts(rng):
    """Counts past CMS's integers: 11 to 6,000 digits in QRDA III, beyond a double (400+) in QPP JSON."""
    xml = rng.random() < 0.5
    length = rng.choice([11, 20, 400, 5000, 6000] if xml else [400, 5000, 6000])
    digits = str(rng.randint(1, 9)) + "".join(str(rng.randrange(10)) for _ in range(length - 1))
    if xml:
        xml = XML_BASE.read_text()
        # The aggregate count of a population (supplemental data counts are not read, by CMS either).
        population = rng.choice(list(re.finditer(r'code="(?:IPOP|DENOM|NUMER|DENEX|DENEXCEP)"', xml)))
        m = re.compile(r'<value value="(\d+)" xsi:type="INT"').search(xml, population.end())
        return (xml[:m.start(1)] + digits + xml[m.end(1):]).encode(), "error"
    text = JSON_BASE.read_text()
    values = list(re.finditer(r'"(performanceMet|eligiblePopulation|numerator|denominator)": (\d+)', text))
    m = rng.choice(values)
    return (text[:m.start(2)] + digits + text[m.end(2):]).encode(), "error"


GENERATORS = {
    "lone surrogate keys": _lone_surrogate_keys,
    "non-ASCII digits": _foreign_digits,
    "control characters": _control_characters,
    "huge counts": _huge_counts,
}


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_targeted_generators_find_no_failure(capsys, name):
    rng = random.Random(f"{SEED}:{name}")
    problems, cases, errors = [], 0, 0
    for case in range(TARGETED_CASES):
        data, must_be = GENERATORS[name](rng)
        found, report = printable_report(data, f"{name} case {case} (seed {SEED})")
        if must_be == "error" and report.valid:
            found.append(f"{name} case {case} (seed {SEED}): accepted as valid")
        errors += not report.valid
        cases += 1
        problems.extend(found)
    _announce(capsys, f"targeted fuzz, {name}: {cases} cases, {errors} with errors, {len(problems)} failures")
    assert cases == TARGETED_CASES > 0 and errors > 0
    assert problems == []


def _numbers(doc: dict) -> dict:
    out = {}
    for mset in doc.get("measurementSets", []):
        for m in mset["measurements"]:
            value = m["value"]
            blocks = value.get("strata", [value]) if isinstance(value, dict) else [{"value": value}]
            for block in blocks:
                key = (mset["category"], m["measureId"], block.get("stratum"))
                out[key] = {k: v for k, v in block.items() if k not in ("stratum", "isEndToEndReported")}
                for zero in ("eligiblePopulationExclusion", "eligiblePopulationException"):
                    out[key].setdefault(zero, 0)
    return out


def test_round_trips_change_no_number_or_are_refused(capsys):
    """JSON -> QRDA III -> JSON over generated submissions, some with unreported patients."""
    from qppfiles.formats import qppjson
    from qppfiles.formats.qrda3 import QrdaWriteError
    from qppfiles.formats.qrda3 import read as read_qrda3
    from qppfiles.formats.qrda3 import write as write_qrda3
    from qppfiles.generate.fake import fake_submission
    from qppfiles.generate.fake import levels_for
    from qppfiles.pipeline.conversion import refusals

    rng = random.Random(f"{SEED}:round trips")
    outcomes = {"identical": 0, "F014": 0, "F015": 0}
    problems = []
    for case in range(TARGETED_CASES):
        year = rng.choice([2022, 2023, 2024, 2025])
        level = rng.choice(levels_for(year))
        sub = fake_submission(year, level, random.Random(rng.random()), target=rng.choice(["json", "qrda3"]))
        doc = qppjson.to_dict(sub)
        if rng.random() < 0.5:  # leave some patients unreported, or report too many
            blocks = [b for s in doc["measurementSets"] if s["category"] == "quality"
                      for m in s["measurements"] for b in m["value"].get("strata", [m["value"]])]
            rng.choice(blocks)["performanceNotMet"] += rng.choice([-3, -1, 1, 5])
        source = qppjson.read(json.dumps(doc).encode())
        try:
            written = write_qrda3(source.submission)
        except QrdaWriteError as exc:
            outcomes[exc.code] += 1
            continue
        refused = refusals(source, written)
        if refused:
            outcomes[refused[0].code] += 1
            continue
        back = qppjson.to_dict(read_qrda3(written).submission)
        if _numbers(back) != _numbers(doc):
            problems.append(f"round trip case {case} (seed {SEED}) changed a number")
        outcomes["identical"] += 1
    _announce(capsys, f"targeted fuzz, round trips: {TARGETED_CASES} cases, {outcomes}, {len(problems)} failures")
    assert outcomes["identical"] > 0 and outcomes["F014"] > 0
    assert problems == []
