"""The registry behind faults and near misses: edits at a part of the document, table rows of field values,
the side of a near miss, and the year facts every edit and rule reads."""

from __future__ import annotations

import dataclasses
import random

import pytest

from qppfiles.catalog import load_catalog
from qppfiles.checks import Context
from qppfiles.formats import qppjson
from qppfiles.generate import fake_submission
from qppfiles.generate import faults
from qppfiles.generate import near_misses
from qppfiles.generate.docparts import QUALITY
from qppfiles.generate.docparts import first
from qppfiles.generate.docparts import set_of
from qppfiles.generate.edits import DoesNotApply
from qppfiles.generate.edits import Edits
from qppfiles.generate.edits import Env
from qppfiles.generate.edits import at
from qppfiles.generate.edits import needed
from qppfiles.generate.edits import side
from qppfiles.generate.render import TargetUnavailable
from qppfiles.generate.render import to_bytes
from qppfiles.program import year_pack


def _doc() -> dict:
    return qppjson.to_dict(fake_submission(2024, "group", random.Random(5)))


def _env(over: bool = False) -> Env:
    return Env(2024, "group", random.Random(1), over)


def test_a_code_takes_one_edit_per_registry():
    edits = Edits("fault injector")
    edits.add("Z001", "first", lambda doc, env: doc)
    with pytest.raises(ValueError, match="two fault injectors for Z001"):
        edits.add("Z001", "second", lambda doc, env: doc)
    with pytest.raises(faults.FaultError, match="no fault injector for Z002; known: Z001"):
        edits.apply({}, "Z002", _env())


def test_an_edit_at_a_part_changes_a_copy_and_applies_only_where_the_part_is():
    edits = Edits("fault injector")

    @edits.register("Z001", "the quality period moved")
    @at(set_of(QUALITY))
    def _move(ms, env):
        ms["performanceStart"] = "2024-03-01"

    @edits.register("Z002", "an IA set with no spare activity")
    @at(set_of("ia"))
    def _none(ms, env):
        needed([])

    doc = _doc()
    changed = edits.apply(doc, "Z001", _env())
    assert first(changed, QUALITY)["performanceStart"] == "2024-03-01"
    assert first(doc, QUALITY)["performanceStart"] != "2024-03-01"
    assert edits.apply({"measurementSets": []}, "Z001", _env()) is None
    assert edits.apply(doc, "Z002", _env()) is None
    with pytest.raises(DoesNotApply):
        needed(0)
    assert needed([3]) == [3]


def test_table_rows_set_their_fields_in_order_from_constants_and_functions():
    edits = Edits("near miss")
    edits.add_rows([("Z001", "counts", set_of(QUALITY), {
        "performanceEnd": "2024-06-30",
        "performanceStart": lambda ms, env: ms["performanceEnd"][:8] + "01",
        "programName": side("mips", "G0053"),
    })], crosses=True)
    clean = first(edits.apply(_doc(), "Z001", _env()), QUALITY)
    over = first(edits.apply(_doc(), "Z001", _env(over=True)), QUALITY)
    assert (clean["performanceStart"], clean["performanceEnd"], clean["programName"]) == \
        ("2024-06-01", "2024-06-30", "mips")
    assert over["programName"] == "G0053"
    assert edits["Z001"].crosses


def test_field_faults_write_the_exact_values():
    doc = qppjson.to_dict(fake_submission(2024, "individual", random.Random(5)))
    tin = doc["taxpayerIdentificationNumber"]
    assert faults.apply(doc, "I101", _env())["taxpayerIdentificationNumber"] == tin[:8]
    assert faults.apply(doc, "Y101", _env())["measurementSets"][0]["performanceEnd"] == "2024-02-30"
    assert faults.apply(doc, "S002", _env())["performanceYear"] == "2024"
    assert faults.apply(doc, "I106", _env()) is None  # an individual has no entityId


def test_near_miss_sides_of_a_field_row():
    doc = qppjson.to_dict(fake_submission(2024, "individual", random.Random(5)))
    assert near_misses.apply(doc, "Y001", _env())["performanceYear"] == 2017
    assert near_misses.apply(doc, "Y001", _env(), over=True)["performanceYear"] == 2016
    assert near_misses.apply(doc, "I103", _env())["nationalProviderIdentifier"] == "1234567893"
    assert near_misses.apply(doc, "I103", _env(), over=True)["nationalProviderIdentifier"] == "1234567894"


def test_one_unit_past_some_near_misses_is_the_fault_itself():
    doc = _doc()
    for code in ("M106", "P102"):
        over = near_misses.apply(doc, code, _env(), over=True)
        assert over is not None and over == faults.apply(doc, code, _env())


def test_rules_and_edits_read_the_same_year_facts():
    sub = fake_submission(2024, "group", random.Random(5))
    ctx, env = Context(sub, 2024), _env()
    assert ctx.pack is env.pack is year_pack(2024)
    assert ctx.catalog is env.catalog is load_catalog(2024)


def test_a_submission_without_a_year_is_refused_with_a_reason():
    sub = dataclasses.replace(fake_submission(2024, "group", random.Random(5)), performance_year=None)
    with pytest.raises(faults.FaultError, match="no performance year"):
        faults.inject(sub, ["I101"], random.Random(1))
    with pytest.raises(TargetUnavailable, match="no performance year"):
        to_bytes(sub, "qrda3")
