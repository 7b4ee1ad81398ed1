"""What a user gets besides the code: the licence, the changelog, the tag convention, the published
JSON Schemas (one copy, loaded by the package, usable from any directory) and the README's recipes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile

import pytest
import yaml

import qppfiles
from qppfiles.checks import schema as schema_check

from .conftest import FIXTURES
from .conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib


def test_licence_is_the_apache_2_text():
    text = (ROOT / "LICENSE").read_text()
    assert text.lstrip().startswith("Apache License") and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text.splitlines()) > 190
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "Apache-2.0"


def test_changelog_has_an_unreleased_section_and_the_current_version():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in text and f"## [{qppfiles.__version__}]" in text


def test_ci_lints_and_type_checks_before_the_tests():
    # .ci/run stops at the first failing command (set -e): ruff and mypy must come before pytest.
    script = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in script
    commands = [line.strip() for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert commands.index("ruff check .") < commands.index("mypy") < commands.index("pytest")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extra = {re.split(r"[<>=;\[ ]", req, maxsplit=1)[0].lower()
             for req in project["project"]["optional-dependencies"]["test"]}
    assert {"ruff", "mypy"} <= extra
    assert project["tool"]["ruff"]["line-length"] == 120
    assert {"E", "F", "W", "I", "B", "UP"} <= set(project["tool"]["ruff"]["lint"]["select"])
    overrides = project["tool"]["mypy"]["overrides"]
    strict = [o for o in overrides if o.get("disallow_untyped_defs")]
    assert {"qppfiles.model.*", "qppfiles.pipeline.*"} <= set(strict[0]["module"])
    # No module of the package has its type errors silenced.
    assert not [o["module"] for o in overrides if "disable_error_code" in o]


def test_pre_commit_rev_is_the_tag_of_the_current_version():
    readme = (ROOT / "README.md").read_text()
    block = readme[readme.index("#### pre-commit"):]
    block = block[block.index("```yaml") + 7:]
    config = yaml.safe_load(block[:block.index("```")])
    repo = config["repos"][0]
    assert repo["rev"] == f"v{qppfiles.__version__}"
    hooks = {h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert {h["id"] for h in repo["hooks"]} <= hooks


def test_schemas_are_one_copy_at_the_top_and_the_package_reads_them():
    top = ROOT / "schemas"
    assert not (ROOT / "qppfiles" / "schemas").exists()  # one copy in the repository
    assert os.path.samefile(str(schema_check.schema_dir()), top)
    names = sorted(p.name for p in top.glob("*.json"))
    assert names == sorted(schema_check.load_schemas()) and "document.json" in names
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"] == {"schemas": "qppfiles/schemas"}
    assert "schemas" in pyproject["tool"]["hatch"]["build"]["targets"]["sdist"]["include"]


def test_the_wheel_carries_the_year_files_and_reads_them_from_the_zip(tmp_path):
    from hatchling.builders.wheel import WheelBuilder

    wheel = next(iter(WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"])))
    inside = {name for name in zipfile.ZipFile(wheel).namelist() if name.startswith("qppfiles/program/years/")}
    expected = {f"qppfiles/program/years/{p.name}" for p in (ROOT / "qppfiles" / "program" / "years").glob("*.toml")}
    assert inside == expected and "qppfiles/program/years/shared.toml" in inside
    assert "qppfiles/model/codes.toml" in zipfile.ZipFile(wheel).namelist()  # the register of codes
    # Imported from the wheel itself, a zip: the year files are package resources, not paths beside the code.
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import qppfiles.program as p; "
            "print(p.__file__.startswith(sys.argv[1]), p.supported_years()[-1], p.year_pack(2019).pi.exclusion_links)")
    run = subprocess.run([sys.executable, "-c", code, wheel], capture_output=True, text=True, cwd=tmp_path, check=True)
    in_zip, last, links = run.stdout.split(" ", 2)
    assert in_zip == "True" and int(last) == max(int(name[-9:-5]) for name in inside if name[-9:-5].isdigit())
    assert "'PI_HIE_4': ('PI_LVITC_2', 'PI_CUITC_1')" in links and "'PI_PHCDRR_5_MULTI'" in links


def test_schema_refs_resolve_from_files_in_another_directory(tmp_path, monkeypatch):
    from jsonschema import Draft202012Validator
    from referencing import Registry
    from referencing import Resource

    fetched = []

    def retrieve(uri: str):
        assert uri.startswith("file://"), uri
        fetched.append(uri.rsplit("/", 1)[-1])
        with open(uri[len("file://"):], encoding="utf-8") as fh:
            return Resource.from_contents(json.load(fh))

    monkeypatch.chdir(tmp_path)  # nothing relative to the working directory
    root = (ROOT / "schemas" / "document.json").resolve()
    schema = json.loads(root.read_text())
    registry = Registry(retrieve=retrieve)
    resource = Resource.from_contents(schema)
    base = root.as_uri()
    registry = registry.with_resource(base, resource)
    validator = Draft202012Validator({"$ref": base}, registry=registry)
    valid = json.loads((FIXTURES / "2024" / "group-traditional.json").read_text())
    assert list(validator.iter_errors(valid)) == []
    broken = dict(valid, measurementSets=[dict(valid["measurementSets"][0], measurements=[{"measureId": 5}])])
    messages = [e.message for e in validator.iter_errors(broken)]
    assert messages and {"submission.json", "measurement-set.json", "measurement.json"} <= set(fetched)


def _ci_commands(readme: str, heading: str):
    block = readme[readme.index(heading):]
    block = block[block.index("```yaml") + 7:]
    steps = yaml.safe_load(block[:block.index("```")])
    text = json.dumps(steps)
    return [re.sub(r"\s*\|\|\s*true$", "", c) for c in re.findall(r'(qppfiles [^"\\]*)', text)]


def test_github_actions_recipe_commands_run_in_a_repository(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from qppfiles.cli import main

    readme = (ROOT / "README.md").read_text()
    commands = _ci_commands(readme, "#### GitHub Actions")
    assert any("--format github" in c for c in commands) and any("sarif" in c for c in commands)
    (tmp_path / "submissions").mkdir()
    (tmp_path / "submissions" / "group.json").write_bytes((FIXTURES / "2024" / "group-traditional.json").read_bytes())
    (tmp_path / "package.json").write_text('{"name": "site"}')
    monkeypatch.chdir(tmp_path)
    for command in commands:
        args = command.split()[1:]
        args = [a for a in args if not a.startswith("#")]
        result = CliRunner(env={}).invoke(main, args)
        assert result.exit_code == 0, (command, result.output)
    assert json.loads((tmp_path / "qppfiles.sarif").read_text())["version"] == "2.1.0"


def test_check_jsonschema_reads_the_published_schemas(tmp_path, monkeypatch):
    pytest.importorskip("check_jsonschema", reason="check-jsonschema is not installed here")
    import subprocess

    monkeypatch.chdir(tmp_path)
    schema = str(ROOT / "schemas" / "document.json")
    run = [sys.executable, "-m", "check_jsonschema", "--schemafile", schema]
    good = subprocess.run(run + [str(FIXTURES / "2024" / "group-traditional.json")], capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    bad = subprocess.run(run + [str(FIXTURES / "invalid" / "schema" / "wrong-types.json")], capture_output=True,
                         text=True)
    assert bad.returncode == 1 and "is not of type 'integer'" in bad.stdout
