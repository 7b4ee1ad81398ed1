"""A rule never crashes on a file that is wrong elsewhere, and works with XPath references."""

from __future__ import annotations

import copy
import json
import random

import pytest

from qppfiles.checks import Context
from qppfiles.checks import run
from qppfiles.formats.qppjson import to_model
from qppfiles.model.options import Options
from qppfiles.pipeline.validate import validate_bytes

from .conftest import FIXTURES
from .conftest import node_refs

VALID = sorted(FIXTURES.glob("20*/*.json"))
RULE_FIXTURES = sorted((FIXTURES / "invalid" / "rules").glob("*.json"))
ODD_VALUES = (None, -1, -7.5, 0, 1.5, "", "x", "2024-13-45", True, False, [], {}, [1, "a"], {"a": None},
              10 ** 12, "0015CV68PDMRXVU", "G0053", "aci", "pi", "ia", "quality", "apm", "cmsWebInterface", "claims")


def _paths(node, path=()):
    """Every (container path, key) inside a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield path, key
            yield from _paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield path, i
            yield from _paths(value, path + (i,))


def _get(doc, path):
    for step in path:
        doc = doc[step]
    return doc


def mutations(doc, rng: random.Random, count: int):
    """Copies of ``doc`` with one to three random keys dropped or set to odd values."""
    spots = list(_paths(doc))
    for _ in range(count):
        mutant = copy.deepcopy(doc)
        for _ in range(rng.randint(1, 3)):
            path, key = rng.choice(spots)
            try:
                parent = _get(mutant, path)
                if rng.random() < 0.3 and isinstance(parent, dict):
                    parent.pop(key, None)
                else:
                    parent[key] = copy.deepcopy(rng.choice(ODD_VALUES))
            except (KeyError, IndexError, TypeError):
                continue
        yield mutant


@pytest.mark.parametrize("path", VALID, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_rules_survive_mutated_files(path):
    doc = json.loads(path.read_text())
    rng = random.Random(path.name)
    options = (Options(), Options(small_practice=True, special_status=True))
    for i, mutant in enumerate(mutations(doc, rng, 60)):
        report = validate_bytes(json.dumps(mutant).encode(), str(path), options[i % 2])
        internal = [f.message for f in report.findings if f.code == "F012"]
        assert not internal, (internal, json.dumps(mutant)[:2000])


@pytest.mark.parametrize("year", [2017, 2020, 2023, 2024, 2025, 2027])
def test_rules_survive_a_file_checked_as_another_year(year):
    for path in VALID[::3]:
        report = validate_bytes(path.read_bytes(), str(path), Options(year=year))
        assert not [f for f in report.findings if f.code == "F012"], path


@pytest.mark.parametrize("path", RULE_FIXTURES[::2] + VALID[::4], ids=lambda p: p.stem)
def test_xpath_models_get_node_references(path):
    # A QRDA III model points at elements, not at JSON fields: every finding must name a node's own ref.
    sub = to_model(json.loads(path.read_text()))
    year = sub.performance_year
    if year is None or not 2017 <= year <= 2027:
        pytest.skip("no supported year")
    ctx = Context(sub, year, Options(), xpath_refs=True)
    refs = set(node_refs(sub))
    for finding in run(ctx):
        assert finding.location.xpath in refs, (finding.code, finding.location.xpath)
