"""The shipped JSON Schemas, the schema layer's messages, and the fixture files."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from qppfiles.checks import schema as schema_check
from qppfiles.checks.schema import available_backends
from qppfiles.checks.schema import load_schemas
from qppfiles.checks.schema import validate_document

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
VALID = sorted(FIXTURES.glob("20[0-9][0-9]/*.json"))
INVALID_SCHEMA = sorted((FIXTURES / "invalid" / "schema").glob("*.json"))
INVALID_FILE = sorted((FIXTURES / "invalid" / "file").glob("*.json"))
BACKENDS = available_backends()


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _expected(path: Path) -> list[tuple[str, str]]:
    lines = path.with_suffix(".expected").read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line.strip()]


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


def test_both_backends_are_installed_here():
    assert set(BACKENDS) == {"jsonschema_rs", "jsonschema"}


def test_schemas_are_valid_draft_2020_12():
    from jsonschema import Draft202012Validator

    schemas = load_schemas()
    assert set(schemas) >= {"document.json", "submission.json", "measurement-set.json", "measurement.json"}
    for name, schema in schemas.items():
        Draft202012Validator.check_schema(schema)
        assert schema["$id"] == name


def test_every_year_and_level_has_a_fixture():
    names = {(p.parent.name, p.name) for p in VALID}
    for year in range(2017, 2027):
        assert (str(year), "individual-traditional.json") in names
        assert (str(year), "group-traditional.json") in names
        if year >= 2018:
            assert (str(year), "virtual-group.json") in names
        if year >= 2023:
            assert (str(year), "subgroup-mvp.json") in names
    for year in (2024, 2025):
        assert any(y == str(year) and n.startswith("apm-entity-app") for y, n in names)


@pytest.mark.parametrize("path", VALID, ids=_id)
def test_valid_fixture_passes(path, backend):
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert validate_document(doc, backend=backend) == []


def test_valid_fixtures_cover_every_document_form():
    forms = set()
    for path in VALID:
        doc = json.loads(path.read_text(encoding="utf-8"))
        forms.add("envelope" if "data" in doc else "measurementSet" if "category" in doc else "submission")
    assert forms == {"envelope", "measurementSet", "submission"}


@pytest.mark.parametrize("path", INVALID_SCHEMA, ids=_id)
def test_invalid_fixture_gives_exactly_the_expected_findings(path, backend):
    doc = json.loads(path.read_text(encoding="utf-8"))
    found = dict(validate_document(doc, backend=backend))
    expected = _expected(path)
    assert sorted(found) == sorted(pointer for pointer, _ in expected)
    for pointer, fragment in expected:
        assert fragment in found[pointer], (pointer, found[pointer])


@pytest.mark.parametrize("path", VALID + INVALID_SCHEMA, ids=_id)
def test_fixture_is_pretty_printed(path):
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=2) + "\n"


def _strict_load(raw: bytes):
    def no_duplicates(pairs):
        keys = [key for key, _ in pairs]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key")
        return dict(pairs)

    def no_constants(name):
        raise ValueError(name)

    return json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates, parse_constant=no_constants)


@pytest.mark.parametrize("path", INVALID_FILE, ids=_id)
def test_file_level_fixture_is_unreadable_as_strict_json(path):
    with pytest.raises(ValueError):
        _strict_load(path.read_bytes())
    assert _expected(path), "each file fixture lists its expected finding"


def test_readme_lists_every_fixture():
    readme = (FIXTURES / "README.md").read_text(encoding="utf-8")
    for path in VALID + INVALID_SCHEMA + INVALID_FILE:
        assert str(path.relative_to(FIXTURES)) in readme, path


# --- behaviour on hand-made documents -----------------------------------------------------------

SINGLE = {"isEndToEndReported": False, "performanceMet": 30, "performanceNotMet": 5, "eligiblePopulation": 40}


def _submission(*measurements, **fields):
    doc = {
        "entityType": "group",
        "taxpayerIdentificationNumber": "123456789",
        "performanceYear": 2024,
        "measurementSets": [
            {
                "category": "quality",
                "submissionMethod": "registry",
                "performanceStart": "2024-01-01",
                "performanceEnd": "2024-12-31",
                "measurements": [{"measureId": mid, "value": value} for mid, value in measurements],
            }
        ],
    }
    doc.update(fields)
    return doc


VALUE = "/measurementSets/0/measurements/0/value"

CASES = [
    # (document, expected findings)
    (_submission(("IA_EPA_1", True)), []),
    (_submission(("PI_EP_1", {"numerator": 3, "denominator": 9})), []),
    (_submission(("236", {**SINGLE, "eligiblePopulationExclusion": None})), []),
    (_submission(("999", {**SINGLE, "performanceRate": 87.5, "numeratorExclusion": 0})), []),
    (
        _submission(("458", {"numerator": 1.5, "denominator": 2.0, "isEndToEndReported": True,
                             "observationInstances": 9})),
        [],
    ),
    # The value shape is chosen by its keys, so only that shape's complaint is reported.
    (
        _submission(("458", {"numerator": 1.5, "denominator": 2.0, "isEndToEndReported": True})),
        [(VALUE, "'observationInstances' is required")],
    ),
    (_submission(("236", {"performanceMet": 3})),
     [(VALUE, "'eligiblePopulation' and 'isEndToEndReported' are required")]),
    (_submission(("226", {"isEndToEndReported": False, "strata": []})),
     [(VALUE + "/strata", "expected at least 1 item, found 0")]),
    (_submission(("PI_EP_1", {"numerator": "3", "denominator": 9})),
     [(VALUE + "/numerator", 'expected an integer, found a string "3"')]),
    (_submission(("IA_EPA_1", [True])), [(VALUE, "expected a boolean or an object, found an array")]),
    (_submission(("236", {**SINGLE, "performanceRate": -1})),
     [(VALUE + "/performanceRate", "must be at least 0, found -1")]),
    # Pointers escape '/' and '~' in key names (RFC 6901).
    (_submission(("236", {**SINGLE, "a/b~c": 1})), [(VALUE + "/a~1b~0c", "unknown field 'a/b~c'")]),
    # Entity-dependent requirements.
    (_submission(entityType="apm"), [("", "'entityId' is required")]),
    (
        {"entityType": "individual", "performanceYear": 2024},
        [("", "'nationalProviderIdentifier' and 'taxpayerIdentificationNumber' are required")],
    ),
    ({"entityType": "subgroup", "entityId": "SG-00012345", "performanceYear": 2024}, []),
    ({"entityType": "group", "taxpayerIdentificationNumber": 123456789, "performanceYear": 2024},
     [("/taxpayerIdentificationNumber", "expected a string, found an integer 123456789")]),
    # Document forms.
    ({"data": {"submission": {"entityType": "apm", "entityId": "A1234", "performanceYear": 2024}}}, []),
    ({"data": {}}, [("/data", "'submission' is required")]),
    ({"category": "ia", "submissionMethod": "registry", "performanceStart": "2024-01-01",
      "performanceEnd": "2024-03-31"}, []),
    ({"category": "ia", "performanceYear": 2024},
     [("", "'entityType' is required"), ("/category", "unknown field 'category'")]),
    ({}, [("", "'entityType' and 'performanceYear' are required")]),
    ("text", [("", 'expected an object, found a string "text"')]),
    (None, [("", "expected an object, found null")]),
    (_submission(performanceYear=2024.5), [("/performanceYear", "expected an integer, found a number 2024.5")]),
]


@pytest.mark.parametrize("doc, expected", CASES)
def test_messages_and_pointers(doc, expected, backend):
    found = validate_document(doc, backend=backend)
    assert [pointer for pointer, _ in found] == [pointer for pointer, _ in expected]
    for (_, message), (_, fragment) in zip(found, expected, strict=True):
        assert fragment in message


def _mutations(doc):
    """Small breakages of a valid document: each touches one node."""
    body = doc["data"]["submission"] if "data" in doc else doc
    sets = body.get("measurementSets", [body])
    ms = sets[0]
    yield lambda d: d.pop(next(iter(d)))
    yield lambda d: d.__setitem__("extraField", {"nested": [1, 2]})
    for m in ms["measurements"][:3]:
        value = m["value"]
        mid = m["measureId"]

        def set_value(d, mid=mid, new=None):
            body = d["data"]["submission"] if "data" in d else d
            for target in body.get("measurementSets", [d])[0]["measurements"]:
                if target["measureId"] == mid:
                    target["value"] = new

        if isinstance(value, dict):
            for key in list(value)[:3]:
                yield lambda d, mid=mid, key=key, value=value: set_value(d, mid, {**value, key: str(value[key])})
                yield lambda d, mid=mid, key=key, value=value: set_value(
                    d, mid, {k: v for k, v in value.items() if k != key}
                )
        else:
            yield lambda d, mid=mid: set_value(d, mid, "yes")


@pytest.mark.skipif(len(BACKENDS) < 2, reason="needs both jsonschema-rs and jsonschema")
@pytest.mark.parametrize("path", VALID[::3] + INVALID_SCHEMA, ids=_id)
def test_backends_agree(path):
    original = json.loads(path.read_text(encoding="utf-8"))
    documents = [original]
    if path in VALID:
        for mutate in _mutations(original):
            doc = copy.deepcopy(original)
            mutate(doc)
            documents.append(doc)
    for doc in documents:
        rs = validate_document(doc, backend="jsonschema_rs")
        py = validate_document(doc, backend="jsonschema")
        assert rs == py
        assert len({pointer for pointer, _ in rs}) == len(rs), "one message per pointer"


def test_mutations_are_caught():
    path = FIXTURES / "2024" / "individual-traditional.json"
    original = json.loads(path.read_text(encoding="utf-8"))
    caught = 0
    for mutate in _mutations(original):
        doc = copy.deepcopy(original)
        mutate(doc)
        caught += bool(validate_document(doc))
    assert caught >= 5


def test_unknown_backend_is_refused():
    with pytest.raises(ValueError):
        validate_document({}, backend="nope")


def test_import_is_cheap():
    code = (
        "import sys, qppfiles.checks.schema as m;"
        "print(any(name in sys.modules for name in ('jsonschema', 'jsonschema_rs', 'referencing')), m._schemas)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "None"]


def test_validators_are_compiled_once(backend):
    validate_document({}, backend=backend)
    first = schema_check._validators[backend]
    validate_document({"entityType": "group"}, backend=backend)
    assert schema_check._validators[backend] is first


@pytest.mark.parametrize("field, value, code", [("entityType", "not required", "S004"),
                                                ("taxpayerIdentificationNumber", 7, "S002")])
def test_schema_code_comes_from_the_error_kind_not_the_message_wording(field, value, code):
    from qppfiles.pipeline.validate import validate_bytes

    doc = json.loads((FIXTURES / "2024" / "group-traditional.json").read_text())
    doc[field] = value
    del doc["performanceYear"]
    doc["extraField"] = "required"
    found = {f.location.pointer: f.code for f in validate_bytes(json.dumps(doc).encode()).findings
             if f.layer == "schema"}
    assert found == {f"/{field}": code, "": "S001", "/extraField": "S003"}
