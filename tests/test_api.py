"""The public Python API: ``import qppfiles`` and its functions, the same ones the commands use."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import qppfiles
from qppfiles.cli import main

from .conftest import FIXTURES
from .conftest import ROOT

JSON_FIXTURE = FIXTURES / "2024" / "group-traditional.json"
XML_FIXTURE = FIXTURES / "qrda3" / "2024-group-mips.xml"


def test_all_names_are_exported_and_typed():
    assert set(qppfiles.__all__) >= {"read", "validate", "validate_many", "score", "convert", "fake_submission",
                                     "from_table", "write", "ReadError", "ConvertError", "__version__"}
    for name in qppfiles.__all__:
        assert getattr(qppfiles, name) is not None
    assert (ROOT / "qppfiles" / "py.typed").is_file()


def test_import_is_lazy():
    code = ("import sys, qppfiles; import qppfiles.cli; "
            "print(sorted(m for m in ('qppfiles.api', 'qppfiles.pipeline.validate', 'pathspec', 'rich', 'lxml') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_read_paths_and_bytes():
    submission = qppfiles.read(JSON_FIXTURE)
    assert submission.performance_year == 2024 and submission.entity_type == "group"
    assert qppfiles.read(JSON_FIXTURE.read_bytes()) == submission
    assert qppfiles.read(str(XML_FIXTURE)).performance_year == 2024
    with pytest.raises(qppfiles.ReadError) as broken:
        qppfiles.read(b'{"entityType": "group",')
    assert [f.code for f in broken.value.findings] == ["F005"]
    with pytest.raises(qppfiles.ReadError):
        qppfiles.read(FIXTURES / "missing.json")


def test_validate_matches_the_command_line(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_bytes(JSON_FIXTURE.read_bytes().replace(b'"performanceYear": 2024', b'"performanceYear": 2016'))
    report = qppfiles.validate(broken)
    cli = json.loads(CliRunner().invoke(main, ["validate", str(broken), "--format", "json"]).stdout)["files"][0]
    assert report.to_dict() == cli and [f.code for f in report.findings] == ["Y001"]
    assert qppfiles.validate(broken, year=2024).errors == 0
    assert [f.code for f in qppfiles.validate(broken.read_bytes(), path="x.json").findings] == ["Y001"]
    assert qppfiles.validate(JSON_FIXTURE, ignore=["Q106"]).findings == []
    assert [f.code for f in qppfiles.validate(tmp_path / "nope.json").findings] == ["F011"]


def test_validate_many_walks_directories():
    reports = list(qppfiles.validate_many([FIXTURES / "invalid" / "file"]))
    assert len(reports) == len(list((FIXTURES / "invalid" / "file").glob("*.json")))
    assert all(r.errors for r in reports)


def test_score_is_what_the_command_prints():
    card = qppfiles.score(JSON_FIXTURE, small_practice=True)
    cli = CliRunner().invoke(main, ["score", str(JSON_FIXTURE), "--small-practice", "--format", "json"])
    printed = json.loads(cli.stdout)
    assert printed["finalScore"] == card.final_score and printed["performanceYear"] == card.performance_year
    assert [(m["measureId"], m["points"]) for m in printed["measures"]] == [
        (m.measure_id, m.points) for m in card.measures]
    assert qppfiles.score(qppfiles.read(JSON_FIXTURE)).final_score == qppfiles.score(JSON_FIXTURE).final_score


def test_convert_both_ways(tmp_path):
    source = tmp_path / "group.json"
    source.write_bytes(qppfiles.convert(XML_FIXTURE, "json"))  # QPP JSON that QRDA III holds exactly
    xml = qppfiles.convert(source)
    assert xml.startswith(b"<?xml") and b"ClinicalDocument" in xml[:200]
    back = qppfiles.convert(xml)
    assert json.loads(back)["performanceYear"] == 2024
    assert qppfiles.convert(qppfiles.read(xml), "json") == back
    cli = CliRunner().invoke(main, ["convert", str(XML_FIXTURE), "--to", "json"])
    assert cli.stdout.encode() == qppfiles.convert(XML_FIXTURE, "json")
    with pytest.raises(ValueError):
        qppfiles.convert(JSON_FIXTURE, "pdf")
    with pytest.raises(qppfiles.ConvertError) as refused:
        qppfiles.convert(JSON_FIXTURE)  # eCQMs below 100% data completeness
    assert refused.value.code == "F014" and "not reported" in str(refused.value)


def test_convert_refuses_what_qrda3_cannot_hold():
    registry = qppfiles.read(FIXTURES / "2024" / "individual-traditional.json")
    quality = [s for s in registry.measurement_sets if s.category == "quality"]
    if not quality or quality[0].submission_method != "registry":
        pytest.skip("the fixture has no MIPS CQM set")
    with pytest.raises(qppfiles.ConvertError):
        qppfiles.convert(registry, "qrda3")


def test_generated_submissions_validate():
    submission = qppfiles.fake_submission(2025, "individual", seed=7)
    assert submission == qppfiles.fake_submission(2025, "individual", seed=7)
    assert qppfiles.validate(qppfiles.write(submission)).errors == 0
    table = qppfiles.from_table(FIXTURES / "generate" / "individual-2024.csv", year=2024, entity_type="individual",
                                tin="123456789", npi="1234567893")
    assert table.performance_year == 2024 and table.measurement_sets
    yaml_built = qppfiles.from_table(FIXTURES / "generate" / "group-2024.yaml")
    assert qppfiles.validate(qppfiles.write(yaml_built)).errors == 0


def test_readme_library_example_runs(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Library"):]
    code = section[section.index("```python") + len("```python"):]
    code = code[:code.index("```")]
    monkeypatch.chdir(ROOT)
    out = tmp_path / "findings.jsonl"
    namespace = {"__name__": "example"}
    exec(compile(code.replace("findings.jsonl", str(out)), "README", "exec"), namespace)
    lines = [json.loads(line) for line in Path(out).read_text().splitlines()]
    assert lines and all({"path", "code", "severity", "message"} <= set(line) for line in lines)
    assert namespace["errors"] == sum(1 for line in lines if line["severity"] == "error")
