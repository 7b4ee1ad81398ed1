"""The layout shows the pipeline: roles as packages, imports only downwards, no private name across packages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "qppfiles"

# Bottom to top: a module may import its own role and the roles below it, never one above.
RANKS = {
    "program": 0, "catalog": 0,        # year facts and the measures catalog
    "model": 1,                        # submission, findings, codes, options, measure arithmetic
    "formats": 2, "intake": 2,         # reading and writing files; which files, with which settings
    "checks": 3,                       # schema layer and program rules
    "pipeline": 4,                     # one file end to end, many files, conversion checks
    "scoring": 5, "generate": 5,
    "report": 6,
    "api": 7, "__init__": 7,
    "cli": 8, "__main__": 9,
}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        package = parts[:-1] if parts[-1] != "__init__" else parts
        yield path, ".".join(parts), ".".join(package)


def _role(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path, package: str):
    """(target module, imported names, line) of every import of a qppfiles module, lazy ones included."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target == "qppfiles" or target.startswith("qppfiles."):
                yield target, [alias.name for alias in node.names], node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("qppfiles."):
                    yield alias.name, [], node.lineno


def _edges():
    for path, module, package in _modules():
        for target, names, line in _imports(path, package):
            if target == "qppfiles":  # from qppfiles import __version__ / a subpackage
                targets = [f"qppfiles.{n}" for n in names if n != "__version__"]
            else:
                targets = [target]
            for t in targets:
                yield module, t, names, f"{path.relative_to(PACKAGE.parent)}:{line}"


def test_the_package_root_holds_only_the_entry_points():
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "__main__.py", "api.py"]
    assert set(RANKS) >= {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}


def test_imports_only_go_down_the_layers():
    upward = [f"{where}: {_role(m)} imports {t}" for m, t, _, where in _edges()
              if RANKS[_role(t)] > RANKS[_role(m)]]
    assert upward == []


def test_no_private_name_is_imported_from_another_role():
    private = [f"{where}: {', '.join(n for n in names if n.startswith('_'))} from {t}"
               for m, t, names, where in _edges()
               if _role(t) != _role(m) and any(n.startswith("_") and not n.startswith("__") for n in names)]
    assert private == []


def test_only_the_entry_points_import_the_command_line_and_the_api():
    users = {(_role(m), _role(t)) for m, t, _, _ in _edges() if _role(t) in ("cli", "api")}
    assert {m for m, _ in users} <= {"cli", "__main__", "__init__", "api"}


@pytest.mark.parametrize("module", ["check", "catalog", "convert", "score", "generate", "lint"])
def test_every_command_module_registers_its_commands_on_the_group(module):
    import importlib

    from qppfiles.cli import main

    commands = importlib.import_module(f"qppfiles.cli.{module}").COMMANDS
    assert commands and all(main.commands[c.name] is c for c in commands)
