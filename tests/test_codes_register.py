"""The register of finding codes is one data file, model/codes.toml, and the code agrees with it.

Every @rule names a code of the file; every rules code of the file has its function (or is reported by the
pipeline itself); every code the readers and the pipeline report is in the file; a malformed entry stops the
load with a message naming its code.
"""

from __future__ import annotations

import importlib
import re
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from qppfiles import checks
from qppfiles.checks import RuleCodeError
from qppfiles.model.codes import REMOVED
from qppfiles.model.codes import RegisterError
from qppfiles.model.codes import all_codes
from qppfiles.model.codes import extra_entries
from qppfiles.model.codes import get
from qppfiles.model.codes import read_register

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

PACKAGE = Path(__file__).resolve().parents[1] / "qppfiles"
CODE_LITERAL = re.compile(r'"([A-Z]\d{3})"')
# The layers that report findings besides the rule functions; the register module itself only names codes.
EMITTING = ("intake", "formats", "pipeline", "cli", "model")


def emitted_outside_rules() -> set[str]:
    """Codes written as literals in the modules that read files, run the pipeline and build findings."""
    found: set[str] = set()
    for layer in EMITTING:
        for path in (PACKAGE / layer).rglob("*.py"):
            if path.name != "codes.py" or path.parent.name != "model":
                found |= set(CODE_LITERAL.findall(path.read_text(encoding="utf-8")))
    return found


def rules_codes_without_a_function() -> set[str]:
    with_function = {r.code.code for r in checks.rules()}
    return {c.code for c in all_codes() if c.layer == "rules" and c.status != REMOVED} - with_function


def entry(**keys: str) -> dict[str, str]:
    return {"severity": "warning", "layer": "rules", "summary": "A test code.", "explanation": "For a test.",
            "source": "a test", **keys}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "codes.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_register_is_the_packaged_file_in_code_order():
    packaged = files("qppfiles.model") / "codes.toml"
    tables = tomllib.loads(packaged.read_text(encoding="utf-8"))
    assert list(tables) == sorted(tables) and len(tables) == len(all_codes())
    assert read_register(packaged) == {c.code: c for c in all_codes()}
    assert get("f001") == get("F001") and get("F001").summary == tables["F001"]["summary"]


def test_keys_at_their_default_are_left_out_of_the_file():
    tables = tomllib.loads((files("qppfiles.model") / "codes.toml").read_text(encoding="utf-8"))
    defaults = {"example": "", "consequence": "", "status": "stable", "redirect_to": ""}
    written = [(code, key) for code, table in tables.items() for key, value in table.items()
               if defaults.get(key) == value]
    assert written == []


def test_every_rule_function_is_registered_with_the_register_entry():
    rules = checks.rules()
    assert len(rules) == len({r.code.code for r in rules}) > 50
    for r in rules:
        assert r.code is get(r.code.code) and r.code.layer == "rules"


def test_every_rules_code_has_a_function_unless_the_pipeline_reports_it():
    missing = rules_codes_without_a_function()
    assert missing <= emitted_outside_rules(), sorted(missing - emitted_outside_rules())
    assert get("Y001").layer == "rules" and "Y001" in missing  # the year, reported before the rules run


def test_a_rules_code_added_without_its_function_is_caught():
    with extra_entries({"Q908": entry()}):
        assert "Q908" in rules_codes_without_a_function() - emitted_outside_rules()
    with extra_entries({"Q908": entry(status="removed")}):
        assert "Q908" not in rules_codes_without_a_function()


def test_every_code_the_readers_and_pipeline_report_is_registered_and_every_other_entry_is_reported():
    emitted = emitted_outside_rules()
    register = {c.code: c for c in all_codes()}
    assert {"F001", "F040", "F014", "S001", "X101", "X201", "Y001"} <= emitted
    assert sorted(emitted - set(register)) == []
    assert [c for c in emitted if register[c].status == REMOVED] == []
    # An entry of the file, schema, xsd or schematron layer that nothing reports would be dead text.
    assert sorted(c.code for c in register.values() if c.layer != "rules" and c.code not in emitted) == []


def test_a_rule_function_with_a_code_missing_from_the_register_fails_at_import(tmp_path, monkeypatch):
    (tmp_path / "extra_rules.py").write_text(
        'from qppfiles.checks import rule\n\n\n@rule("Q909")\ndef everywhere(ctx):\n    return []\n',
        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(RuleCodeError, match="rule code Q909 is not in the register"):
        importlib.import_module("extra_rules")
    assert "Q909" not in {r.code.code for r in checks.rules()}


@pytest.mark.parametrize(("text", "message"), [
    ('[Q901]\nseverity = "warning"\nlayer = "rules"\nsummary = "S."\nexplanation = "E."\nsource = "s"\n'
     'sevrity = "error"\n',
     "finding code Q901 in the register: unknown key 'sevrity'; the keys are severity, layer,"),
    ('[Q902]\nseverity = "fatal"\nlayer = "rules"\nsummary = "S."\nexplanation = "E."\nsource = "s"\n',
     "finding code Q902 in the register: severity 'fatal' is not one of error, warning, info"),
    ('[Q903]\nseverity = "warning"\nlayer = "rule"\nsummary = "S."\nexplanation = "E."\nsource = "s"\n',
     "finding code Q903 in the register: layer 'rule' is not one of file, schema,"),
    ('[Q904]\nseverity = "error"\nlayer = "rules"\nsummary = "S."\nexplanation = "E."\nsource = "s"\n'
     'consequence = "fatal"\n',
     "finding code Q904 in the register: an error's consequence is one of rejected, points"),
    ('[Q905]\nseverity = "error"\nlayer = "rules"\nsummary = "S."\nexplanation = "E."\nsource = "s"\n',
     "finding code Q905 in the register: an error's consequence is one of rejected, points"),
    ('[Q906]\nseverity = "info"\nlayer = "rules"\nsummary = "S."\nexplanation = "E."\nsource = "s"\n'
     'consequence = "points"\n',
     "finding code Q906 in the register: only an error has a consequence"),
    ('[Q907]\nseverity = "warning"\nlayer = "rules"\nsummary = "S."\nexplanation = "E."\nsource = "s"\n'
     'status = "deprecated"\n',
     "finding code Q907 in the register: status 'deprecated' is not one of stable, preview, removed, redirected"),
    ('[Q908]\nseverity = "warning"\nlayer = "rules"\nsummary = "S."\nexplanation = "E."\nsource = "s"\n'
     'status = "redirected"\nredirect_to = "Q999"\n',
     "finding code Q908 in the register: redirect_to names Q999, which is not in the register"),
    ('[Q909]\nseverity = "warning"\nlayer = "rules"\nsummary = "S."\nexplanation = "E."\nsource = "s"\n'
     'redirect_to = "Q101"\n',
     "finding code Q909 in the register: a redirected code, and only one, names another code in redirect_to"),
    ('[Q910]\nseverity = "warning"\nlayer = "rules"\nsummary = "S."\n',
     "finding code Q910 in the register: explanation, source missing"),
    ('[Q911]\nseverity = "warning"\nlayer = "rules"\nsummary = "S."\nexplanation = "E."\nsource = 3\n',
     "finding code Q911 in the register: source must be a string"),
    ('[q912]\nseverity = "warning"\nlayer = "rules"\nsummary = "S."\nexplanation = "E."\nsource = "s"\n',
     "finding code q912 in the register: a code is one capital letter and three digits"),
    ('Q913 = "warning"\n', "finding code Q913 in the register: an entry is a table of keys"),
    ('[Q914]\nseverity = "warning\n', "the register of finding codes codes.toml is not valid TOML"),
])
def test_a_malformed_entry_stops_the_load_naming_its_code(tmp_path, text, message):
    with pytest.raises(RegisterError) as raised:
        read_register(write(tmp_path, text))
    assert str(raised.value).startswith(message)


def test_a_well_formed_file_loads_with_a_redirect_inside_it(tmp_path):
    register = read_register(write(tmp_path, (
        '[Q901]\nseverity = "warning"\nlayer = "rules"\nsummary = "Old."\nexplanation = "E."\nsource = "s"\n'
        'status = "redirected"\nredirect_to = "Q902"\n\n'
        '[Q902]\nseverity = "error"\nlayer = "rules"\nsummary = "New."\nexplanation = """\nLong \\\ntext.\n"""\n'
        'source = "s"\nconsequence = "points"\n')))
    assert register["Q901"].redirect_to == "Q902" and register["Q901"].example == ""
    assert (register["Q902"].severity, register["Q902"].consequence, register["Q902"].explanation) == \
        ("error", "points", "Long text.")
