"""Checks decided from the submitted source alone, in the trusted process.

A probe measures structure inside the student's process, where a determined student can
patch ``isinstance``. These checks read the notebook's source instead, so the rule
"a Layer subclass with no Sequential or functional model inside" cannot be forged.
"""

from __future__ import annotations

import ast

FORBIDDEN_BASES = {"Model", "Sequential", "Functional"}
FORBIDDEN_CALLS = {"Sequential", "Model", "Functional", "Input"}
MAX_CELL_CHARS = 200_000
"""Larger cells defining resnetBlock are not parsed in the grader (its memory is everyone's)."""


def _terminal_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def resnet_block_problems(sources: list[str]) -> str | None:
    """Why the notebook's last ``resnetBlock`` class breaks the q3 rules, or None.

    Args:
        sources: the notebook's code cell sources in order (IPython syntax is tolerated:
            cells that do not parse are skipped).
    """
    found: ast.ClassDef | None = None
    for source in sources:
        if "resnetBlock" not in source:
            continue
        if len(source) > MAX_CELL_CHARS:
            return (f"the cell defining resnetBlock is longer than {MAX_CELL_CHARS:,} characters; keep the class in "
                    "a cell of ordinary size so that it can be checked.")
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == "resnetBlock":
                found = node
    if found is None:
        return None
    for base in found.bases:
        if _terminal_name(base) in FORBIDDEN_BASES:
            return "resnetBlock must subclass tf.keras.layers.Layer, not a Model: the exercise asks for a custom layer."
    for node in ast.walk(found):
        if isinstance(node, ast.Call) and _terminal_name(node.func) in FORBIDDEN_CALLS:
            return ("resnetBlock builds a Sequential or functional model inside; the exercise asks you to call the "
                    "layers yourself in `call` (subclassing only).")
    return None
