"""QPP JSON parse, reader, locator and canonical writer."""

from __future__ import annotations

import json

import pytest

from qppfiles.formats import qppjson
from qppfiles.formats.qppjson import JsonLocator
from qppfiles.formats.qppjson import parse as json_parse
from qppfiles.formats.qppjson.pointers import MeasureIdKeys
from qppfiles.formats.qppjson.tokens import build
from qppfiles.model.findings import Location
from qppfiles.model.submission import BooleanValue
from qppfiles.model.submission import MultiRateValue
from qppfiles.model.submission import ProportionValue
from qppfiles.model.submission import SingleRateValue


@pytest.fixture(autouse=True, params=["orjson", "json"])
def parser(request, monkeypatch):
    """Every test here runs with orjson (when installed) and with the json module alone."""
    if request.param == "json":
        monkeypatch.setattr(json_parse, "_orjson", None)
    elif json_parse._orjson is None:
        pytest.skip("orjson is not installed")
    return request.param


SUBMISSION = {
    "entityType": "individual",
    "taxpayerIdentificationNumber": "000456789",
    "nationalProviderIdentifier": "2567891421",
    "performanceYear": 2024,
    "measurementSets": [
        {
            "category": "quality",
            "submissionMethod": "registry",
            "performanceStart": "2024-01-01",
            "performanceEnd": "2024-12-31",
            "measurements": [
                {"measureId": "236", "value": {"isEndToEndReported": False, "performanceMet": 40,
                                                "performanceNotMet": 10, "eligiblePopulation": 60}},
                {"measureId": "007", "value": {"isEndToEndReported": False, "strata": [
                    {"stratum": "a", "performanceMet": 1, "performanceNotMet": 2, "eligiblePopulation": 4}]}},
            ],
        },
        {
            "category": "pi",
            "submissionMethod": "registry",
            "performanceStart": "2024-01-01",
            "performanceEnd": "2024-07-01",
            "measurements": [
                {"measureId": "PI_PPHI_1", "value": True},
                {"measureId": "PI_EP_1", "value": {"numerator": 5, "denominator": 9}},
            ],
        },
    ],
}


def _bytes(doc) -> bytes:
    return json.dumps(doc, indent=2).encode()


def find(text, pointer):
    return JsonLocator(text).find(pointer)


def test_reads_bare_submission_into_typed_model():
    result = qppjson.read(_bytes(SUBMISSION))
    assert result.findings == []
    sub = result.submission
    assert sub.performance_year == 2024 and sub.entity_type == "individual"
    quality, pi = sub.measurement_sets
    assert quality.ref == "/measurementSets/0"
    m236 = quality.measurements[0]
    assert isinstance(m236.value, SingleRateValue)
    assert m236.value.counts.performance_met == 40 and m236.value.counts.eligible_population == 60
    assert m236.ref == "/measurementSets/0/measurements/0"
    assert isinstance(quality.measurements[1].value, MultiRateValue)
    assert quality.measurements[1].value.strata[0].name == "a"
    assert isinstance(pi.measurements[0].value, BooleanValue) and pi.measurements[0].value.value is True
    assert isinstance(pi.measurements[1].value, ProportionValue)
    assert quality.program == "mips"  # a missing programName is recorded as mips


def test_reads_api_envelope_with_prefixed_pointers():
    result = qppjson.read(_bytes({"data": {"submission": SUBMISSION}}))
    assert result.findings == []
    sub = result.submission
    assert sub.performance_year == 2024
    assert sub.measurement_sets[1].measurements[1].ref == "/data/submission/measurementSets/1/measurements/1"


def test_reads_measurement_set_only_document_and_takes_year_from_period():
    result = qppjson.read(_bytes(SUBMISSION["measurementSets"][1]))
    sub = result.submission
    assert sub.set_only and sub.performance_year == 2024
    assert sub.measurement_sets[0].category == "pi"
    assert sub.measurement_sets[0].measurements[0].ref == "/measurements/0"


def test_mistyped_fields_become_none():
    doc = json.loads(json.dumps(SUBMISSION))
    doc["performanceYear"] = "2024"
    doc["measurementSets"][0]["measurements"][0]["value"]["performanceMet"] = "40"
    sub = qppjson.read(_bytes(doc)).submission
    assert sub.performance_year is None
    assert sub.measurement_sets[0].measurements[0].value.counts.performance_met is None


def test_locator_gives_line_and_column_of_pointer():
    data = _bytes(SUBMISSION)
    result = qppjson.read(data)
    loc = result.locate(Location(pointer="/measurementSets/0/measurements/0/value/eligiblePopulation"))
    lines = data.decode().splitlines()
    assert '"eligiblePopulation": 60' in lines[loc.line - 1]
    assert lines[loc.line - 1][loc.column - 1:].startswith('"eligiblePopulation"')


def test_position_map_handles_escapes_and_arrays():
    text = '{"a\\"b": [1, {"c/d": "x\\\\"}, [2, 3]], "e": {}}'
    pm = build(text)
    assert text[pm.offsets["/a\"b/1"]] == "{"
    assert text[pm.offsets["/a\"b/1/c~1d"]:].startswith('"c/d"')
    assert text[pm.offsets["/a\"b/2/1"]] == "3"
    assert text[pm.offsets["/e"]:].startswith('"e"')


@pytest.mark.parametrize("data, code, line", [
    (b"", "F001", None),
    (b"   \n ", "F001", None),
    (b'{"a": 1, "a": 2}', "F008", 1),
    (b'{\n "rate": NaN\n}', "F006", 2),
    (b'{"rate": -Infinity}', "F006", 1),
    (b'{"n": 1e400}', "F006", 1),
    (b'{"performanceYear": 2024,', "F005", 1),
    (b"[1, 2]", "F009", 1),
    (b'"text"', "F009", 1),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "F002", 1),
    (b'{"a": "\x00"}', "F004", 1),
    (b"[" * 5000 + b"]" * 5000, "F007", 1),
    (b'{"a": ' * 100 + b"1" + b"}" * 100, "F007", 1),
])
def test_bad_input_gives_one_clear_file_finding(data, code, line):
    result = qppjson.read(data)
    assert [f.code for f in result.findings] == [code]
    assert result.findings[0].layer == "file"
    loc = result.locate(result.findings[0].location)
    assert loc.line == line
    if code != "F008":  # a file with duplicate keys still parses; later layers skip it
        assert result.submission is None


def test_utf8_bom_accepted_and_utf16_warned():
    assert qppjson.read(b"\xef\xbb\xbf" + _bytes(SUBMISSION)).findings == []
    result = qppjson.read(json.dumps(SUBMISSION).encode("utf-16"))
    assert [f.code for f in result.findings] == ["F003"]
    assert result.submission.performance_year == 2024


def test_writer_is_canonical_and_round_trips():
    sub = qppjson.read(_bytes(SUBMISSION)).submission
    once = qppjson.write(sub)
    again = qppjson.write(qppjson.read(once).submission)
    assert once == again
    assert json.loads(once) == SUBMISSION
    assert once.endswith(b"\n") and once.startswith(b'{\n  "entityType"')


def test_writer_round_trips_envelope_and_set_only():
    sub = qppjson.read(_bytes(SUBMISSION["measurementSets"][0])).submission
    assert json.loads(qppjson.write(sub)) == SUBMISSION["measurementSets"][0]


def test_single_pointer_lookup_agrees_with_full_map_on_every_fixture_node():
    from .conftest import FIXTURES

    checked = 0
    for path in sorted(FIXTURES.glob("20*/*.json")):
        text = path.read_text(encoding="utf-8")
        for pointer, offset in build(text).offsets.items():
            assert find(text, pointer) == (offset, True), (path.name, pointer)
            checked += 1
    assert checked > 1000
    text = '{"a": [1, {"b": 2}]}'
    assert find(text, "/a/5") == (text.index('"a"'), False)
    assert find(text, "/a/1/zz") == (text.index('{"b"'), False)


# The plain parse proves "no duplicate key" by counting; these inputs try to fool the count.
@pytest.mark.parametrize("text, pointers", [
    ('{"a": "x\\":", "a": 1}', ["/a"]),                  # a `":` inside a string hides a lost key
    ('{"a" : 1, "a" :\n 2}', ["/a"]),                    # whitespace before the colons
    ('{"b": {"c": "\\"\\":\\":", "c": 2}}', ["/b/c"]),   # escaped quotes before colons, nested
    ('{"a": "\\":\\":", "b": 1}', []),                   # extra `":` in strings, no duplicate
    ('{"t": "10:30", "a": 1, "a": 2}', ["/a"]),          # colons in a string and a lost key
    ('{"t": "10:30", "u": {"v": "a:b:c"}}', []),         # colons in strings, no duplicate
])
def test_duplicate_keys_found_whatever_the_strings_hold(text, pointers):
    doc, findings, _, _ = json_parse.parse(text.encode())
    assert [f.location.pointer for f in findings if f.code == "F008"] == pointers
    assert doc == json.loads(text)


def test_a_file_whose_colons_all_separate_members_needs_no_position_map():
    text = '{"a": 1, "b": {"c": [1, {"d": "2024-01-01"}]}}'
    assert json_parse._no_duplicates(text, 4)
    assert not json_parse._no_duplicates('{"a": 1, "a": 2}', 1)
    assert json_parse.parse(text.encode()).positions is None


@pytest.mark.parametrize("text, pointer", [
    ('{"a": [1, 1e400]}', "/a/1"),
    ('{"a": -1e400}', "/a"),
    ('{"a": ' + "9" * 400 + "}", "/a"),
    ('{"a": ' + "9" * 5000 + "}", "/a"),                 # past int()'s digit limit
    ('{"a": {"b": NaN}}', "/a/b"),
    ('[-Infinity]', "/0"),
])
def test_numbers_beyond_a_double_are_located(text, pointer):
    doc, findings, _, _ = json_parse.parse(text.encode())
    assert doc is None
    assert [(f.code, f.location.pointer) for f in findings] == [("F006", pointer)]


def test_depth_limit_is_exact():
    ok = "[" * qppjson.MAX_DEPTH + "]" * qppjson.MAX_DEPTH
    deep = "[" * (qppjson.MAX_DEPTH + 1) + "1" + "]" * (qppjson.MAX_DEPTH + 1)
    assert json_parse.parse(ok.encode()).findings == []
    assert [f.code for f in json_parse.parse(deep.encode()).findings] == ["F007"]


def test_plain_text_needs_no_walk_and_integers_stay_exact(parser, monkeypatch):
    walked = []
    monkeypatch.setattr(json_parse, "_walk", lambda doc: walked.append(doc) or 0)
    doc, findings, _, _ = json_parse.parse(_bytes(SUBMISSION))
    assert doc == SUBMISSION and findings == []
    assert walked == ([] if parser == "orjson" else [doc])
    # 20 digits: beyond 64 bits, where orjson would give a float; the json path keeps the integer.
    big = json_parse.parse(b'{"n": 98765432109876543210, "m": -9223372036854775809}').document
    assert big == {"n": 98765432109876543210, "m": -9223372036854775809}
    assert {type(v) for v in big.values()} == {int}


@pytest.mark.parametrize("text", [
    '{"a": "x", "a": "y:"}',            # the kept value holds the colon the lost key had
    '{"a": "x:", "a": "y"}',
    '{"a": {"b": 1}, "c": [{"d": 1, "d": {"e": ":"}}]}',
    '[' * 64 + '{"a": 1, "a": 2}' + ']' * 64,   # too many brackets to prove the depth by counting
])
def test_duplicates_are_never_hidden_by_the_counts(text):
    findings = json_parse.parse(text.encode()).findings
    assert "F008" in [f.code for f in findings]


def _measure_id_pointers(doc):
    obj, base = qppjson.unwrap(doc)
    sets = [(base, obj)] if qppjson.is_set_only(obj) else \
        [(f"{base}/measurementSets/{i}", s) for i, s in enumerate(obj.get("measurementSets", []))]
    return [f"{p}/measurements/{j}/measureId" for p, s in sets for j, m in enumerate(s.get("measurements", []))
            if isinstance(m, dict) and "measureId" in m]


@pytest.mark.parametrize("text, shortcut", [
    (json.dumps(SUBMISSION, indent=2), True),
    (json.dumps({"data": {"submission": SUBMISSION}}), True),                 # the API envelope
    (json.dumps(SUBMISSION["measurementSets"][1]), True),                     # a set on its own
    ('{"measurementSets": [{"category": "ia", "measurements": [{"value": true}, {"measureId": "B"}]}]}', True),
    ('{"note": "measureId", "measurementSets": [{"measurements": [{"measureId": "A"}]}]}', False),
    ('{"x": {"measureId": 1}, "measurementSets": [{"measurements": [{"measureId": "A"}]}]}', False),
    ('{"measurementSets": [{"measurements": [{"measureId": "A\\u0041"}, {"measureId": "B"}]}]}', False),
    ('{"measurementSets": [{"measurements": [{"measureId": "A", "measureId": "B"}, {"measureId": "C"}]}]}', False),
])
def test_measure_id_keys_found_by_search_agree_with_the_locator(text, shortcut):
    doc = json.loads(text)
    keys = MeasureIdKeys(text, doc)
    pointers = _measure_id_pointers(doc)
    assert pointers
    for pointer in pointers:
        expected = find(text, pointer)
        assert expected[1]
        assert keys.offset(pointer) == (expected[0] if shortcut else None), pointer
    assert keys.offset("/measurementSets/0/measurements/9/measureId") is None


def test_measure_id_keys_agree_with_the_locator_on_every_fixture():
    from .conftest import FIXTURES

    checked = 0
    for path in sorted(FIXTURES.rglob("*.json")):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        if not isinstance(qppjson.unwrap(doc)[0], dict):
            continue
        keys = MeasureIdKeys(text, doc)
        for pointer in _measure_id_pointers(doc):
            offset = keys.offset(pointer)
            if offset is not None:
                assert offset == find(text, pointer)[0], (path, pointer)
                checked += 1
    assert checked > 100


def test_locator_places_many_pointers_in_one_pass_and_a_few_one_by_one(monkeypatch):
    from qppfiles.formats.qppjson import locate

    passes = []
    one_pass = locate.one_pass

    def counted(text, pointers):
        passes.append(len(pointers))
        return one_pass(text, pointers)

    monkeypatch.setattr(locate, "one_pass", counted)
    text = json.dumps({"a": list(range(40))}, indent=1)  # element i on line i + 3, column 3
    pointers = [f"/a/{i}" for i in range(40)] + ["/a/99"]
    few = JsonLocator(text).positions(pointers[:32])
    assert passes == []
    many = JsonLocator(text).positions(pointers[:32] + pointers[-1:])
    assert passes == [33]
    assert few == {f"/a/{i}": (i + 3, 3) for i in range(32)}
    assert many == dict(few, **{"/a/99": (2, 2)})  # not there: placed at its array's key
    located = JsonLocator(text).locate_all([Location(pointer="/a/1"), Location(pointer="/a/2", line=9),
                                            Location(xpath="/x")])
    assert located == [Location(pointer="/a/1", line=4, column=3), Location(pointer="/a/2", line=9),
                       Location(xpath="/x")]
