"""Hostile and broken input through the command line: one clear finding, the right exit code, nothing else.

Every case runs ``qppfiles validate`` in-process and checks that the verdict is a located finding (or one
file-level finding), that no traceback is printed, that no network connection is made (a listener of our
own on 127.0.0.1 would see libxml2's, a patched ``socket.connect`` Python's) and that no file is written.
How long a run takes is measured by the benchmarks, not asserted here.
"""

from __future__ import annotations

import json
import random
import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.model.options import Options
from qppfiles.pipeline.validate import validate_bytes

from .conftest import FIXTURES

CANARY = "canary-7f3a9e-secret-content"

JSON_FIXTURE = FIXTURES / "2024" / "group-traditional.json"
XML_FIXTURE = FIXTURES / "qrda3" / "2024-group-mips.xml"


# ------------------------------------------------------------------ harness


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1: any connection made by the parser, in Python or C, lands in its queue."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.setblocking(False)
    yield server
    server.close()


def _connections(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except (BlockingIOError, OSError):
            return count
        conn.close()
        count += 1


def _unused_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any Python-level connection attempt fails the test."""
    attempts = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError("network access attempted during a hostile-input test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    yield attempts
    assert attempts == [], f"connection attempts: {attempts}"


def _listing(root: Path) -> dict:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if not p.is_symlink()}


def validate_cli(tmp_path: Path, name: str, data: bytes, *extra: str) -> tuple[int, dict, str]:
    """Write ``data`` to tmp_path/name, validate it, check the invariants; return (exit code, report, output)."""
    work = tmp_path / "in"
    work.mkdir(exist_ok=True)
    path = work / name
    path.write_bytes(data)
    before = _listing(tmp_path)
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(tmp_path)
        result = CliRunner().invoke(main, ["validate", str(path), "--format", "json", *extra])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    assert _listing(tmp_path) == before, "validate wrote or changed a file"
    assert path.read_bytes() == data
    report = json.loads(result.stdout)
    assert len(report["files"]) == 1
    findings = report["files"][0]["findings"]
    assert "F012" not in [f["code"] for f in findings], findings
    return result.exit_code, report["files"][0], result.output


def codes(file_report: dict) -> list:
    return [f["code"] for f in file_report["findings"]]


def assert_one_file_finding(file_report: dict, code: str, *, located: bool = True) -> dict:
    findings = file_report["findings"]
    assert codes(file_report) == [code], findings
    finding = findings[0]
    assert finding["layer"] == "file" and finding["severity"] == "error"
    if located:
        assert finding["location"]["line"] is not None, finding
    return finding


def _xml_body() -> bytes:
    data = XML_FIXTURE.read_bytes()
    return data[data.index(b"<ClinicalDocument"):]


def _with_title(body: bytes, title: bytes) -> bytes:
    start = body.index(b"<title>") + len(b"<title>")
    end = body.index(b"</title>")
    return body[:start] + title + body[end:]


XML_DECL = b'<?xml version="1.0" encoding="UTF-8"?>\n'


# ------------------------------------------------------------------ XML: entities, DTDs, XInclude, PIs


def _hostile_xml(kind: str, secret: Path, port: int, unused: int) -> bytes:
    body = _xml_body()
    if kind == "xxe_file":
        return (XML_DECL + f'<!DOCTYPE ClinicalDocument [<!ENTITY x SYSTEM "file://{secret}">]>\n'.encode()
                + _with_title(body, b"&x;"))
    if kind == "xxe_network":
        return (XML_DECL + f'<!DOCTYPE ClinicalDocument [<!ENTITY x SYSTEM "http://127.0.0.1:{port}/x">]>\n'.encode()
                + _with_title(body, b"&x;"))
    if kind == "xxe_network_unused_port":
        return (XML_DECL + f'<!DOCTYPE ClinicalDocument [<!ENTITY x SYSTEM "http://127.0.0.1:{unused}/x">]>\n'
                .encode() + _with_title(body, b"&x;"))
    if kind == "parameter_entity":
        return (XML_DECL + f'<!DOCTYPE ClinicalDocument [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p.dtd"> %p;]>\n'
                .encode() + body)
    if kind == "external_dtd":
        return XML_DECL + f'<!DOCTYPE ClinicalDocument SYSTEM "http://127.0.0.1:{port}/cda.dtd">\n'.encode() + body
    if kind == "external_dtd_file":
        return XML_DECL + f'<!DOCTYPE ClinicalDocument SYSTEM "file://{secret}">\n'.encode() + body
    if kind == "billion_laughs":
        entities = b'<!ENTITY l0 "lol">' + b"".join(
            b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10) for i in range(1, 10))
        return XML_DECL + b"<!DOCTYPE ClinicalDocument [" + entities + b"]>\n" + _with_title(body, b"&l9;")
    if kind == "quadratic_blowup":
        entity = b'<!ENTITY a "' + b"x" * 50_000 + b'">'
        return (XML_DECL + b"<!DOCTYPE ClinicalDocument [" + entity + b"]>\n"
                + _with_title(body, b"&a;" * 50_000))
    if kind == "doctype_after_comment":
        return XML_DECL + b"<!-- harmless -->\n<!DOCTYPE ClinicalDocument [<!ENTITY x 'y'>]>\n" + body
    if kind == "billion_laughs_utf16":
        entities = '<!ENTITY l0 "lol">' + "".join(
            f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
        text = ('<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE ClinicalDocument [' + entities + "]>\n"
                + _with_title(body, b"&l9;").decode("utf-8"))
        return text.encode("utf-16")
    raise AssertionError(kind)


DECLARATION_ATTACKS = ["xxe_file", "xxe_network", "xxe_network_unused_port", "parameter_entity", "external_dtd",
                       "external_dtd_file", "billion_laughs", "quadratic_blowup", "doctype_after_comment",
                       "billion_laughs_utf16"]


@pytest.mark.parametrize("kind", DECLARATION_ATTACKS)
def test_xml_declarations_are_refused_unread(tmp_path, listener, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text(CANARY)
    data = _hostile_xml(kind, secret, listener.getsockname()[1], _unused_port())
    code, report, output = validate_cli(tmp_path, "attack.xml", data)
    assert code == 1
    assert_one_file_finding(report, "X103")
    assert CANARY not in output and "lollol" not in output
    assert _connections(listener) == 0


@pytest.fixture(scope="module")
def clean_xml_codes():
    return [f.code for f in validate_bytes(XML_FIXTURE.read_bytes()).findings]


def test_xinclude_is_not_processed(tmp_path, listener, clean_xml_codes):
    secret = tmp_path / "secret.txt"
    secret.write_text(CANARY)
    port = listener.getsockname()[1]
    include = (f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file://{secret}" parse="text"/>'
               f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="http://127.0.0.1:{port}/x.xml"/>')
    body = _xml_body()
    at = body.index(b"</title>") + len(b"</title>")
    data = XML_DECL + body[:at] + include.encode() + body[at:]
    code, report, output = validate_cli(tmp_path, "xinclude.xml", data)
    assert CANARY not in output
    assert codes(report) == clean_xml_codes  # read exactly as the clean file: the include is inert
    assert code == (1 if any(f["severity"] == "error" for f in report["findings"]) else 0)
    assert _connections(listener) == 0


def test_stylesheet_processing_instruction_is_ignored(tmp_path, listener, clean_xml_codes):
    port = listener.getsockname()[1]
    pis = (f'<?xml-stylesheet type="text/xsl" href="http://127.0.0.1:{port}/cda.xsl"?>\n'
           f'<?xml-stylesheet type="text/xsl" href="file://{tmp_path}/evil.xsl"?>\n').encode()
    data = XML_DECL + pis + _xml_body()
    _, report, _ = validate_cli(tmp_path, "stylesheet.xml", data)
    assert codes(report) == clean_xml_codes
    assert _connections(listener) == 0


def test_deeply_nested_xml_is_one_finding(tmp_path):
    body = _xml_body()
    depth = 100_000
    at = body.index(b"</title>") + len(b"</title>")
    data = XML_DECL + body[:at] + b"<a>" * depth + b"</a>" * depth + body[at:]
    code, report, _ = validate_cli(tmp_path, "deep.xml", data)
    assert code == 1
    assert_one_file_finding(report, "X102")


# ------------------------------------------------------------------ JSON oddities


def _json_doc() -> dict:
    return json.loads(JSON_FIXTURE.read_text())


def test_deeply_nested_json_is_one_finding(tmp_path):
    for name, data in {
        "arrays.json": b"[" * 100_000 + b"]" * 100_000,
        "objects.json": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        "just-over.json": b'{"performanceYear": 2024, "x": ' + b"[" * 70 + b"]" * 70 + b"}",
    }.items():
        code, report, _ = validate_cli(tmp_path, name, data)
        assert code == 1
        assert_one_file_finding(report, "F007")


def test_shallow_nesting_is_not_refused(tmp_path):
    data = b'{"performanceYear": 2024, "x": ' + b"[" * 20 + b"]" * 20 + b"}"
    _, report, _ = validate_cli(tmp_path, "shallow.json", data)
    assert "F007" not in codes(report)


def test_duplicate_keys_are_located(tmp_path):
    text = JSON_FIXTURE.read_text()
    text = text.replace('"performanceYear": 2024,', '"performanceYear": 2024,\n  "performanceYear": 2025,', 1)
    text = text.replace('"performanceMet": 196,', '"performanceMet": 196, "performanceMet": 300,', 1)
    code, report, _ = validate_cli(tmp_path, "dup.json", text.encode())
    assert code == 1
    dups = [f for f in report["findings"] if f["code"] == "F008"]
    assert [f["location"]["pointer"] for f in dups] == [
        "/performanceYear", "/measurementSets/0/measurements/0/value/performanceMet"]
    lines = text.splitlines()
    for f in dups:
        assert f["location"]["line"] is not None
        assert f["location"]["pointer"].rsplit("/", 1)[1] in lines[f["location"]["line"] - 1]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", "1" + "0" * 400,
                                     "-1" + "0" * 400, "1" + "0" * 5000])
def test_non_finite_and_huge_numbers_are_located(tmp_path, literal):
    text = JSON_FIXTURE.read_text().replace('"performanceMet": 196,', f'"performanceMet": {literal},', 1)
    code, report, _ = validate_cli(tmp_path, "number.json", text.encode())
    assert code == 1
    finding = assert_one_file_finding(report, "F006")
    assert finding["location"]["pointer"] == "/measurementSets/0/measurements/0/value/performanceMet"
    assert "performanceMet" in text.splitlines()[finding["location"]["line"] - 1]
    assert len(finding["message"]) < 300  # the number itself is not echoed back


def test_large_but_finite_numbers_are_rule_findings(tmp_path):
    doc = _json_doc()
    value = doc["measurementSets"][0]["measurements"][0]["value"]
    value["performanceMet"] = 10 ** 300
    value["eligiblePopulation"] = 10 ** 300
    code, report, _ = validate_cli(tmp_path, "huge.json", json.dumps(doc, indent=2).encode())
    assert code == 1
    assert report["findings"] and all(f["location"]["line"] is not None for f in report["findings"])


@pytest.mark.parametrize("field, value, expected", [
    ("performanceMet", "196", {"S002"}),
    ("performanceMet", -5, {"A101"}),
    ("performanceNotMet", 2.5, {"S002", "A102"}),
    ("eligiblePopulation", True, {"S002"}),
    ("eligiblePopulation", None, {"S002"}),
    ("eligiblePopulation", [315], {"S002"}),
])
def test_wrong_numbers_are_located_findings(tmp_path, field, value, expected):
    doc = _json_doc()
    doc["measurementSets"][0]["measurements"][0]["value"][field] = value
    text = json.dumps(doc, indent=2)
    code, report, _ = validate_cli(tmp_path, "counts.json", text.encode())
    assert code == 1
    at_field = [f for f in report["findings"] if f["location"].get("pointer", "").endswith(f"/0/value/{field}")]
    assert expected <= {f["code"] for f in at_field}, report["findings"]
    for f in at_field:
        assert field in text.splitlines()[f["location"]["line"] - 1]


def test_huge_measurement_array_is_located(tmp_path):
    doc = _json_doc()
    count = 200_000
    doc["measurementSets"][2]["measurements"] = [{"measureId": f"PI_X{i}", "value": True} for i in range(count)]
    # No findings limit: every one of the 200,000 findings is located.
    report = validate_bytes(json.dumps(doc, indent=None).encode(), "huge.json", Options(max_findings=0))
    unknown = [f for f in report.findings if f.location.pointer and f.location.pointer.startswith(
        "/measurementSets/2/measurements/")]
    assert len(unknown) >= count
    assert all(f.location.line == 1 and f.location.column for f in unknown)
    assert not report.internal_error


# ------------------------------------------------------------------ encodings and bytes


@pytest.fixture(scope="module")
def clean_json_codes():
    return [f.code for f in validate_bytes(JSON_FIXTURE.read_bytes()).findings]


def test_utf8_bom_is_accepted(tmp_path, clean_json_codes, clean_xml_codes):
    _, report, _ = validate_cli(tmp_path, "bom.json", b"\xef\xbb\xbf" + JSON_FIXTURE.read_bytes())
    assert codes(report) == clean_json_codes
    _, report, _ = validate_cli(tmp_path, "bom.xml", b"\xef\xbb\xbf" + XML_FIXTURE.read_bytes())
    assert codes(report) == clean_xml_codes


def test_utf16_is_read(tmp_path, clean_json_codes, clean_xml_codes):
    _, report, _ = validate_cli(tmp_path, "utf16.json", JSON_FIXTURE.read_text().encode("utf-16"))
    assert codes(report) == sorted(["F003"] + clean_json_codes, key=lambda c: (c[0] != "F",))
    xml = XML_FIXTURE.read_text().replace("encoding='UTF-8'", "encoding='UTF-16'")
    _, report, _ = validate_cli(tmp_path, "utf16.xml", xml.encode("utf-16"))
    assert codes(report) == clean_xml_codes


@pytest.mark.parametrize("encoding, order", [("utf-16-le", "little-endian"), ("utf-16-be", "big-endian")])
def test_utf16_without_bom_is_read_with_a_warning(tmp_path, clean_json_codes, encoding, order):
    _, report, _ = validate_cli(tmp_path, "utf16.json", JSON_FIXTURE.read_text().encode(encoding))
    assert codes(report) == sorted(["F003"] + clean_json_codes, key=lambda c: (c[0] != "F",))
    warning = report["findings"][0]
    assert warning["severity"] == "warning" and order in warning["message"] and "UTF-8" in warning["message"]
    # Findings still point at the right lines of the decoded text.
    lines = JSON_FIXTURE.read_text().splitlines()
    for f in report["findings"][1:]:
        key = f["location"]["pointer"].rsplit("/", 1)[-1]
        assert not key or key.isdigit() or key in lines[f["location"]["line"] - 1], f


def test_utf16_without_bom_that_does_not_decode_is_one_file_finding(tmp_path):
    data = JSON_FIXTURE.read_text().encode("utf-16-le")[:-1]  # an odd number of bytes
    code, report, _ = validate_cli(tmp_path, "odd.json", data)
    assert code == 1
    assert_one_file_finding(report, "F002", located=False)


def test_a_nul_after_the_first_characters_is_still_binary(tmp_path):
    # Only NUL bytes beside each of the first characters mean UTF-16.
    code, report, _ = validate_cli(tmp_path, "nul.json", b'{"a\x00": 1}')
    assert code == 1
    assert_one_file_finding(report, "F004")


def test_invalid_utf8(tmp_path):
    data = JSON_FIXTURE.read_bytes()
    at = data.index(b"group")
    code, report, _ = validate_cli(tmp_path, "latin1.json", data[:at] + b"gr\xfcup" + data[at + 5:])
    assert code == 1
    finding = assert_one_file_finding(report, "F002")
    assert finding["location"]["line"] == 2 and "0xfc" in finding["message"]
    data = XML_FIXTURE.read_bytes()
    at = data.index(b"Reporting organization")
    code, report, _ = validate_cli(tmp_path, "latin1.xml", data[:at] + b"\xc3\x28" + data[at:])
    assert code == 1
    finding = assert_one_file_finding(report, "X102")
    assert finding["location"]["line"] == data[:at].count(b"\n") + 1


def test_nul_bytes(tmp_path):
    data = JSON_FIXTURE.read_bytes()
    at = data.index(b"measurementSets")
    code, report, _ = validate_cli(tmp_path, "nul.json", data[:at] + b"\x00" + data[at:])
    assert code == 1
    finding = assert_one_file_finding(report, "F004")
    assert finding["location"]["line"] == data[:at].count(b"\n") + 1
    data = XML_FIXTURE.read_bytes()
    at = data.index(b"<title>")
    code, report, _ = validate_cli(tmp_path, "nul.xml", data[:at] + b"\x00" + data[at:])
    assert code == 1
    assert_one_file_finding(report, "X102")


@pytest.mark.parametrize("fixture, name, code", [(JSON_FIXTURE, "cut.json", "F005"), (XML_FIXTURE, "cut.xml", "X102")])
def test_truncated_at_every_tenth(tmp_path, fixture, name, code):
    data = fixture.read_bytes()
    for tenth in range(10):
        cut = data[: len(data) * tenth // 10]
        exit_code, report, _ = validate_cli(tmp_path, name, cut)
        assert exit_code == 1, tenth
        if tenth == 0:
            assert_one_file_finding(report, "F001", located=False)
        else:
            finding = assert_one_file_finding(report, code)
            assert finding["location"]["line"] <= cut.count(b"\n") + 1


def test_binary_junk(tmp_path):
    rng = random.Random(20240101)
    for i in range(20):
        junk = bytes(rng.getrandbits(8) for _ in range(rng.choice([1, 7, 512, 4096])))
        exit_code, report, _ = validate_cli(tmp_path, f"junk{i}.json", junk)
        assert exit_code == 1
        assert len(report["findings"]) == 1 and report["findings"][0]["layer"] == "file", report["findings"]


@pytest.mark.parametrize("name", ["empty.json", "empty.xml"])
@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n"])
def test_empty_files(tmp_path, name, content):
    exit_code, report, _ = validate_cli(tmp_path, name, content)
    assert exit_code == 1
    assert_one_file_finding(report, "F001", located=False)


@pytest.mark.parametrize("name", ["bom.json", "bom.xml"])
@pytest.mark.parametrize("content", [b"\xef\xbb\xbf", b"\xef\xbb\xbf \r\n\t", b"\xff\xfe", b"\xfe\xff",
                                     " \n".encode("utf-16"), " \n ".encode("utf-16-le")])
def test_a_byte_order_mark_alone_is_an_empty_file(tmp_path, name, content):
    exit_code, report, _ = validate_cli(tmp_path, name, content)
    assert exit_code == 1
    finding = assert_one_file_finding(report, "F001", located=False)
    assert "empty" in finding["message"]


@pytest.mark.parametrize("escape, pointer", [
    (r"\ud800", "/entityType"),
    (r"\udfff", "/entityType"),
])
def test_unpaired_surrogate_escape_is_a_file_finding(tmp_path, escape, pointer):
    text = JSON_FIXTURE.read_text().replace('"group"', f'"gr{escape}oup"', 1)
    code, report, _ = validate_cli(tmp_path, "surrogate.json", text.encode())
    assert code == 1
    finding = assert_one_file_finding(report, "F002")
    assert finding["location"]["pointer"] == pointer and finding["location"]["line"] == 2
    paired = JSON_FIXTURE.read_text().replace('"group"', r'"\ud83d\ude00"', 1)
    _, report, _ = validate_cli(tmp_path, "paired.json", paired.encode())
    assert "F002" not in codes(report)  # a proper pair is just an odd (and wrong) entity type
