"""Finding the files to check: only submissions for lint, .gitignore, symbolic links, unreadable
directories, names that are not UTF-8, and glob patterns that cannot blow up."""

from __future__ import annotations

import json
import os
import sys

import pathspec
import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.intake.discover import discover
from qppfiles.intake.globs import WildMatch
from qppfiles.intake.globs import matches
from qppfiles.intake.sniff import looks_like_submission

from .conftest import FIXTURES
from .conftest import lock_directories

VALID = FIXTURES / "2024" / "group-traditional.json"
QRDA3 = FIXTURES / "qrda3" / "2024-group-mips.xml"


def invoke(*args, env=None):
    result = CliRunner(env=env or {}).invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository with submissions beside the JSON and XML files of other tools."""
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "group.json").write_bytes(VALID.read_bytes())
    (tmp_path / "subs" / "report.xml").write_bytes(QRDA3.read_bytes())
    (tmp_path / "package.json").write_text('{"name": "site", "version": "1.0.0", "scripts": {"test": "jest"}}')
    (tmp_path / "tsconfig.json").write_text('{"compilerOptions": {"strict": true}}\n')
    (tmp_path / ".vscode").mkdir()
    (tmp_path / ".vscode" / "settings.json").write_text('{"editor.tabSize": 2}')
    (tmp_path / "pom.xml").write_text('<?xml version="1.0"?>\n<!-- build -->\n'
                                      '<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0'
                                      '</modelVersion></project>\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------ only submissions

def test_lint_skips_files_that_are_not_submissions_and_counts_them(repo):
    result = invoke("lint", "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert sorted(os.path.basename(f["path"]) for f in report["files"]) == ["group.json", "report.xml"]
    assert report["summary"]["skipped"] == 3  # package.json, tsconfig.json, pom.xml
    assert "skipped 3 files: 3 not a submission" in result.stderr


def test_pre_commit_passing_every_changed_file_does_not_fail(repo):
    # pre-commit gives the hook each changed file matching \.(json|xml)$, named on the command line.
    named = ["package.json", ".vscode/settings.json", "pom.xml", "tsconfig.json", "subs/group.json"]
    result = invoke("lint", *named)
    assert result.exit_code == 0, result.output
    assert "skipped 4 files: 4 not a submission" in result.stderr
    assert "group.json" in result.stdout
    only_others = invoke("lint", "--format", "json", "package.json", "pom.xml")
    assert only_others.exit_code == 0 and json.loads(only_others.stdout)["summary"] == {
        "files": 0, "errors": 0, "warnings": 0, "skipped": 2}


def test_a_broken_submission_is_still_linted(repo):
    (repo / "subs" / "cut.json").write_bytes(VALID.read_bytes()[:300])
    result = invoke("lint", "--format", "json")
    assert result.exit_code == 1
    codes = {os.path.basename(f["path"]): [x["code"] for x in f["findings"]]
             for f in json.loads(result.stdout)["files"]}
    assert codes["cut.json"] == ["F005"]


def test_validate_still_checks_every_named_file(repo):
    assert invoke("validate", "package.json").exit_code == 1


def test_lint_honours_gitignore(repo):
    (repo / "build").mkdir()
    (repo / "build" / "copy.json").write_bytes(VALID.read_bytes()[:300])  # broken, but ignored
    (repo / "subs" / "scratch.json").write_bytes(VALID.read_bytes()[:300])
    (repo / "subs" / "keep.json").write_bytes(VALID.read_bytes())
    (repo / ".gitignore").write_text("build/\n*.json\n!keep.json\n!group.json\n")
    result = invoke("lint", "--format", "json")
    paths = sorted(os.path.basename(f["path"]) for f in json.loads(result.stdout)["files"])
    assert paths == ["group.json", "keep.json", "report.xml"] and result.exit_code == 0
    (repo / "subs" / ".gitignore").write_text("group.json\n")  # a deeper file decides for its directory
    paths = sorted(os.path.basename(f["path"]) for f in json.loads(invoke("lint", "--format", "json").stdout)["files"])
    assert paths == ["keep.json", "report.xml"]


@pytest.mark.parametrize("content, expected", [
    ('{"entityType": "group", "performanceYear": 2024}', True),
    ('{"data": {"submission": {"entityType": "group"}}}', True),
    ('{"category": "quality", "submissionMethod": "registry", "measurements": []}', True),
    ('{"entityType": "gro', True),  # truncated: still a submission, linted and reported broken
    ('{"name": "x", "scripts": {"performanceYear": 1}}', False),  # the key is not at the top level
    ('{"data": {"rows": []}}', False),
    ('[{"entityType": "group"}]', False),
    ("", False),
    ('<?xml version="1.0"?><!-- x --><!DOCTYPE a><cda:ClinicalDocument xmlns:cda="urn:hl7-org:v3"/>', True),
    ('<?xml version="1.0"?><project/>', False),
])
def test_sniffing_decides_by_content(tmp_path, content, expected):
    path = tmp_path / "f.json"
    path.write_text(content)
    assert looks_like_submission(str(path)) is expected
    path.write_bytes(content.encode("utf-16"))
    assert looks_like_submission(str(path)) is expected


def test_every_fixture_submission_is_recognised():
    files = [p for p in FIXTURES.rglob("*") if p.suffix in (".json", ".xml") and "invalid" not in p.parts]
    assert len(files) > 40 and all(looks_like_submission(str(p)) for p in files)


def test_sniffing_reads_only_the_head(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_bytes(VALID.read_bytes().rstrip()[:-1] + b"," + b'"x": 1,' * 100_000 + b"}")
    sizes = []
    real_read = os.read
    monkeypatch.setattr(os, "read", lambda fd, n: sizes.append(n) or real_read(fd, n))
    assert looks_like_submission(str(path)) is True and sizes == [8192]


# ------------------------------------------------------------------ hostile trees

def test_an_unreadable_subdirectory_is_a_finding_and_the_run_goes_on(repo, monkeypatch):
    (repo / "subs" / "locked").mkdir()
    (repo / "subs" / "locked" / "hidden.json").write_bytes(VALID.read_bytes())
    lock_directories(monkeypatch)
    for command in ("lint", "validate"):
        result = invoke(command, "subs", "--format", "json")
        assert result.exit_code == 2, (command, result.output)
        files = {os.path.basename(f["path"]): f["findings"] for f in json.loads(result.stdout)["files"]}
        assert [f["code"] for f in files["locked"]] == ["F040"]
        assert "Permission denied" in files["locked"][0]["message"]
        assert "group.json" in files and "hidden.json" not in files  # the others were still checked
        assert "locked: cannot list the directory" in result.stderr


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads a chmod 000 directory anyway; the monkeypatched test covers it")
def test_a_chmod_000_directory_exits_2(repo):
    locked = repo / "subs" / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        assert invoke("lint", "--format", "json").exit_code == 2
    finally:
        locked.chmod(0o755)


@pytest.mark.skipif(sys.platform == "win32" or sys.platform == "darwin", reason="needs byte file names")
def test_a_file_name_that_is_not_utf8_is_checked_and_reported(repo):
    name = os.fsdecode(b"clinic-\xff.json")
    (repo / "subs" / name).write_bytes(VALID.read_bytes())
    for command in ("lint", "validate"):
        result = invoke(command, "subs", "--format", "json")
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        odd = [f for f in report["files"] if "clinic-" in f["path"]]
        assert len(odd) == 1 and odd[0]["path"].endswith(name)  # the name's bytes, escaped in JSON
        assert [f["code"] for f in odd[0]["findings"] if f["severity"] != "info"] == ["F041"]
        assert "clinic-\\xff.json" in odd[0]["findings"][0]["message"]
    text = invoke("lint", "subs")
    assert text.exit_code == 0 and "F041" in text.stdout


def test_lint_keeps_to_the_project_unless_asked(tmp_path, monkeypatch):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_bytes(VALID.read_bytes()[:300])
    project = tmp_path / "project"
    (project / "subs").mkdir(parents=True)
    (project / "pyproject.toml").write_text("[tool.qppfiles]\n")
    (project / "subs" / "group.json").write_bytes(VALID.read_bytes())
    os.symlink(outside, project / "subs" / "elsewhere")
    os.symlink(outside / "secret.json", project / "subs" / "link.json")
    os.symlink(project / "subs", project / "subs" / "loop")
    monkeypatch.chdir(project)
    kept = invoke("lint", "--format", "json")
    assert kept.exit_code == 0
    assert [os.path.basename(f["path"]) for f in json.loads(kept.stdout)["files"]] == ["group.json"]
    assert json.loads(kept.stdout)["summary"]["skipped"] == 2
    assert "symbolic link out of the project" in kept.stderr
    followed = invoke("lint", "--format", "json", "--follow-symlinks")
    names = sorted(os.path.basename(f["path"]) for f in json.loads(followed.stdout)["files"])
    assert followed.exit_code == 1 and names == ["group.json", "link.json", "secret.json"]  # no loop


def test_deep_trees_do_not_exhaust_recursion(tmp_path):
    here = tmp_path
    for _ in range(300):
        here = here / "d"
    here.mkdir(parents=True)
    (here / "x.json").write_text("{}")
    assert [os.path.basename(p) for p in discover([str(tmp_path)]).files] == ["x.json"]


# ------------------------------------------------------------------ globs

def test_a_pathological_glob_is_matched_quickly_and_right():
    name = "a" * 20_000
    assert matches(name, ["a*a*a*a*a*a*a*a*b"]) is False
    assert matches(name + "b", ["a*a*a*a*a*a*a*a*b"]) is True
    assert matches("x/" + name + "/y.json", ["**/a*a*a*a*a*a*a*a*/**"]) is True


PATTERNS = ["*.json", "clinic-a", "clinic-a/", "x/*.json", "**/*.json", "/top.json", "a/**/b", "a/**/b/*.xml",
            "build/", "*.[jx]s*", "f?o.json", "a/*/c", "docs/**/*.json", "[!a]*.json", "node_modules"]
PATHS = ["clinic-a/y.json", "q/clinic-a/y.json", "x/file.json", "x/y/file.json", "c.json", "clinic-ab/y.json",
         "top.json", "s/top.json", "a/b", "a/x/y/b", "a/b/z.xml", "a/x/b/z.xml", "build/o.json", "q/build/o.json",
         "build", "foo.json", "fo.json", "a/q/c", "a/q/c/d.json", "docs/x.json", "docs/p/q/x.json", "b.json"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_globs_mean_what_gitignore_means(pattern):
    reference = pathspec.GitIgnoreSpec.from_lines([pattern])
    ours = pathspec.PathSpec([WildMatch(pattern)])
    for path in PATHS:
        for candidate in (path, path + "/"):
            assert ours.match_file(candidate) == reference.match_file(candidate), candidate


def test_config_globs_with_a_pathological_pattern_do_not_hang_lint(repo):
    (repo / "pyproject.toml").write_text('[tool.qppfiles]\nexclude = ["a*a*a*a*a*a*a*a*a*a*b"]\n')
    (repo / "subs" / ("a" * 200 + ".json")).write_bytes(VALID.read_bytes())
    result = invoke("lint", "--format", "json")
    assert result.exit_code == 0 and len(json.loads(result.stdout)["files"]) == 3


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_an_unreadable_file_is_reported_by_lint_and_the_run_goes_on(repo):
    os.mkfifo(repo / "subs" / "pipe.json")  # never read: a FIFO would block
    result = invoke("lint", "--format", "json")
    assert result.exit_code == 2
    files = {os.path.basename(f["path"]): [x["code"] for x in f["findings"]]
             for f in json.loads(result.stdout)["files"]}
    assert files["pipe.json"] == ["F011"] and "group.json" in files and "report.xml" in files
