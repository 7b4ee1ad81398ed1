"""The scaling example gives exactly the sequential results, over a process pool and over dask.bag."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from qppfiles.validate import validate_path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))

import scale_futures  # noqa: E402  (lives in examples/, not in the package)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The 2024 JSON fixtures plus one invalid file, so that the summary has something to count."""
    folder = tmp_path_factory.mktemp("corpus")
    for path in sorted((ROOT / "fixtures" / "2024").glob("*.json")):
        shutil.copy(path, folder / path.name)
    (folder / "nested").mkdir()
    (folder / "nested" / "broken.json").write_text('{"performanceYear": 2024, "entityType": "group"', "utf-8")
    return folder


@pytest.fixture(scope="module")
def sequential(corpus) -> list:
    paths = scale_futures.find_files(str(corpus))
    assert len(paths) >= 8
    return [validate_path(p).to_dict() for p in paths]


def test_find_files_walks_the_tree_in_a_stable_order(corpus):
    paths = scale_futures.find_files(str(corpus))
    top = sorted(str(p) for p in corpus.glob("*.json"))
    assert paths == top + [str(corpus / "nested" / "broken.json")]


def test_process_pool_equals_sequential(corpus, sequential):
    paths = scale_futures.find_files(str(corpus))
    # Chunks of 2 over 2 workers: several chunks in flight, results must still come back in order.
    got = list(scale_futures.validate_with_futures(paths, jobs=2, chunk_size=2))
    assert got == sequential
    assert any(not r["valid"] for r in got) and any(r["valid"] for r in got)


def test_command_streams_one_json_line_per_file_then_a_summary(corpus, sequential):
    out = io.StringIO()
    code = scale_futures.main([str(corpus), "--jobs", "2", "--chunk-size", "3"], out=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[:-1] == sequential
    assert lines[-1] == {"summary": scale_futures.summarise(sequential)}
    assert lines[-1]["summary"]["files"] == len(sequential)
    assert code == 1  # the broken file has errors


def test_dask_bag_equals_sequential(corpus, sequential):
    pytest.importorskip("dask.bag", reason="dask is not installed (pip install dask)")
    paths = scale_futures.find_files(str(corpus))
    reports, summary = scale_futures.validate_with_dask(paths, jobs=2, chunk_size=3)
    assert list(reports) == sequential
    assert summary == scale_futures.summarise(sequential)
