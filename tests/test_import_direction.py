"""Imports flow one way (docs/architecture.md): the model layer (person, regimen, health,
model/, sim/) imports no face (care, trials, report, cli), no library module imports the
command line, and no module imports another package's private (``_``) names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "follicle"
FACES = ("follicle.care", "follicle.trials", "follicle.report", "follicle.cli")
MODEL_LAYER = ["person.py", "regimen.py", "health.py", "model", "sim"]


def _modules(*parts: str) -> list[Path]:
    found = []
    for part in parts:
        path = SRC / part
        found += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return found


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of every ``import``/``from ... import`` anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.module, [alias.name for alias in node.names]))
        elif isinstance(node, ast.Import):
            out += [(alias.name, []) for alias in node.names]
    return out


def _package(path: Path) -> str:
    relative = path.relative_to(SRC.parent).with_suffix("")
    return ".".join(relative.parts[:2])


@pytest.mark.parametrize("path", _modules(*MODEL_LAYER), ids=lambda p: str(p.relative_to(SRC)))
def test_the_model_layer_imports_no_face(path):
    bad = [m for m, _ in _imports(path) if m.startswith(FACES)]
    assert not bad, f"{path.name} imports {bad}"


def test_no_library_module_imports_the_command_line():
    library = [p for p in SRC.rglob("*.py") if "cli" not in p.relative_to(SRC).parts]
    bad = {
        str(p.relative_to(SRC)): m
        for p in library
        for m, _ in _imports(p)
        if m.startswith("follicle.cli")
    }
    assert not bad


def test_no_private_names_across_packages():
    bad = []
    for path in SRC.rglob("*.py"):
        for module, names in _imports(path):
            if not module.startswith("follicle.") or module.startswith(_package(path)):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            bad += [f"{path.relative_to(SRC)}: {module}.{n}" for n in private]
    assert not bad, bad
