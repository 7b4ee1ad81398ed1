"""The scaling example gives exactly the sequential results, over a process pool and over dask.bag."""

from __future__ import annotations

import io
import json
import random
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qppfiles.cli import main
from qppfiles.pipeline.validate import validate_path

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


def test_dask_bag_writes_partitions_equal_to_sequential(corpus, sequential, tmp_path):
    pytest.importorskip("dask.bag", reason="dask is not installed (pip install dask)")
    paths = scale_futures.find_files(str(corpus))
    summary, parts = scale_futures.validate_with_dask(paths, str(tmp_path / "parts"), jobs=2, chunk_size=3)
    assert len(parts) == -(-len(paths) // 3) and all(Path(p).is_file() for p in parts)
    lines = [json.loads(line) for part in parts for line in Path(part).read_text("utf-8").splitlines()]
    assert lines == sequential
    assert summary == scale_futures.summarise(sequential)
    assert sorted(p.name for p in (tmp_path / "parts").iterdir()) == [Path(p).name for p in parts]  # no leftovers


def test_dask_command_streams_the_partitions_then_the_summary(corpus, sequential):
    pytest.importorskip("dask.bag", reason="dask is not installed (pip install dask)")
    out = io.StringIO()
    code = scale_futures.main([str(corpus), "--dask", "--jobs", "2", "--chunk-size", "4"], out=out)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines[:-1] == sequential
    assert lines[-1] == {"summary": scale_futures.summarise(sequential)}
    assert code == 1


@pytest.fixture(scope="module")
def sixty_files(tmp_path_factory) -> Path:
    """60 generated QPP JSON files of every 2024 level, some broken so that errors and warnings are counted."""
    from qppfiles.generate import fake_submission
    from qppfiles.generate import levels_for
    from qppfiles.generate.render import to_bytes

    folder = tmp_path_factory.mktemp("sixty")
    levels = levels_for(2024)
    for i in range(60):
        level = levels[i % len(levels)]
        data = to_bytes(fake_submission(2024, level, random.Random(i)), target="json")
        if i % 7 == 3:
            data = data.replace(b'"performanceYear": 2024', b'"performanceYear": "2024"', 1)
        elif i % 11 == 5:
            data = data[: len(data) // 2]
        (folder / f"{i:03d}-{level}.json").write_bytes(data)
    return folder


def test_dask_distributed_summary_equals_the_cli_summary(sixty_files, tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
    paths = scale_futures.find_files(str(sixty_files))
    assert len(paths) == 60
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        summary, parts = scale_futures.validate_with_dask(paths, str(tmp_path / "parts"), chunk_size=8,
                                                          scheduler=client)
    result = CliRunner().invoke(main, ["validate", "--format", "json", str(sixty_files)], catch_exceptions=False)
    cli = json.loads(result.output)
    assert {key: summary[key] for key in cli["summary"]} == cli["summary"]
    assert summary["files"] == 60 and summary["errors"] > 0 and 0 < summary["valid"] < 60
    reports = [json.loads(line) for part in parts for line in Path(part).read_text("utf-8").splitlines()]
    assert sorted(reports, key=lambda r: r["path"]) == sorted(cli["files"], key=lambda r: r["path"])
