"""Dependencies point one way: nothing low imports anything high, and there is no cycle.

The layers, lowest first (docs/DESIGN.md explains them). Code that runs beside the student's
(the cell runner, the probes, the sandbox) sits below the judges and the grader, so it can
never reach expected values or the reference by importing them.
"""

from __future__ import annotations

import ast

import pytest

from autograder import paths

LAYERS: tuple[tuple[str, ...], ...] = (
    ("autograder", "autograder.text", "autograder.budget", "autograder.paths", "autograder.files"),
    ("autograder.wire", "autograder.project"),
    ("autograder.execution", "autograder.probes"),
    ("autograder.checks", "autograder.sandbox"),
    ("autograder.distributed",),
    ("autograder.grading",),
    ("autograder.manual", "autograder.similarity"),
    ("autograder.reporting", "autograder.assign"),
    ("autograder.gradescope",),
    ("autograder.grade", "autograder.console", "autograder.review"),
    ("autograder.cli",),
    ("autograder.__main__",),
)
RANK = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def _unit(module: str) -> str:
    """``autograder.sandbox.pool`` -> ``autograder.sandbox``: the top-level module or package."""
    return ".".join(module.split(".")[:2])


def _imports() -> list[tuple[str, str, str]]:
    """Every ``(file, importing unit, imported unit)`` inside the package, imports in functions included."""
    found = []
    for path in sorted(paths.PACKAGE_DIR.rglob("*.py")):
        module = ".".join(path.relative_to(paths.CODE_ROOT).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "autograder":
                targets = ([f"autograder.{a.name}" for a in node.names] if node.module == "autograder"
                           else [node.module])
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.split(".")[0] == "autograder"]
            else:
                continue
            found += [(path.relative_to(paths.CODE_ROOT).as_posix(), _unit(module), _unit(t)) for t in targets]
    return found


IMPORTS = _imports()


def test_every_module_has_a_layer():
    units = {unit for _, unit, _ in IMPORTS} | {target for *_, target in IMPORTS}
    units |= {f"autograder.{p.stem}" for p in paths.PACKAGE_DIR.glob("*")
              if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}
    assert units - RANK.keys() == set(), "add these to LAYERS (and docs/DESIGN.md)"


@pytest.mark.parametrize("rank", range(len(LAYERS)), ids=[units[0].split(".")[-1] for units in LAYERS])
def test_no_layer_imports_upwards_or_sideways(rank):
    wrong = [f"{file}: {unit} imports {target}" for file, unit, target in IMPORTS
             if RANK.get(unit) == rank and unit != target and RANK.get(target, -1) >= rank]
    assert wrong == []


def test_the_layer_rule_can_fail():
    """The same test on an invented upward import."""
    file, unit, target = "autograder/probes/evil.py", "autograder.probes", "autograder.checks"
    assert RANK[target] >= RANK[unit], f"{file}: {unit} -> {target} would be reported"
