"""Rules decided from the submitted source alone, in the trusted grader.

A probe measures structure inside the student's process, where a determined student can
patch anything. A source rule reads the notebook's code instead, so it cannot be forged
there. A check that has one (``Check.source_rule``) fails when its rule finds a problem,
whatever its probe measured.

q3's rule: ``resnetBlock`` is a Layer subclass that builds no ``Sequential`` or functional model.
The cells are read as IPython runs them (magics translated, so ``%autosave 0`` does not hide
a cell), the whole tree is searched (a class inside ``if True:`` counts), and models are
recognised through module-level aliases (``_S = tf.keras.Sequential``, ``from keras import
Sequential as S``), helper functions that build one, and ``getattr(keras, "Sequential")``.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Callable, Iterable

SourceRule = Callable[[list[str]], str | None]
"""``rule(cell sources in order) -> student-facing problem, or None``."""

MODEL_NAMES = frozenset({"Sequential", "Model", "Functional", "Input"})
TRANSFORM_CACHE_SIZE, CACHED_CELL_CHARS = 2048, 20_000
"""Distinct cell sources whose IPython form is remembered, and the longest remembered (the
template's longest cell has about 6,000 characters): at most 80 M characters, whatever the batch holds."""
MAX_CELL_CHARS = 200_000
"""Larger cells are not parsed in the grader (its memory is everyone's); one defining
resnetBlock is then a problem in itself."""
NOT_A_LAYER = "resnetBlock must subclass tf.keras.layers.Layer, not a Model: the exercise asks for a custom layer."
MODEL_INSIDE = ("resnetBlock builds a Sequential or functional model inside; the exercise asks you to call the "
                "layers yourself in `call` (subclassing only).")


def _terminal(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def python_source(source: str) -> str:
    """The cell as IPython would run it (magics and shell escapes become plain calls).

    Remembered by source (up to ``CACHED_CELL_CHARS``): most cells of a class's notebooks are
    the template's word for word, and IPython's transformer is the slow part of reading them.
    """
    return _transformed(source) if len(source) <= CACHED_CELL_CHARS else _transformed.__wrapped__(source)


@functools.lru_cache(maxsize=TRANSFORM_CACHE_SIZE)
def _transformed(source: str) -> str:
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:  # pragma: no cover - IPython is a dependency of grading
        return source
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # a cell IPython cannot read either never ran
        return source


def _parse(sources: Iterable[str]) -> list[ast.Module]:
    trees = []
    for source in sources:
        try:
            trees.append(ast.parse(python_source(source)))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return trees


def _refers_to_model(node: ast.AST, aliases: set[str], builders: set[str]) -> bool:
    for inner in ast.walk(node):
        name = _terminal(inner)
        if name in MODEL_NAMES or name in aliases:
            return True
        if isinstance(inner, ast.Call) and _terminal(inner.func) in builders:
            return True
        if isinstance(inner, ast.Constant) and inner.value in MODEL_NAMES:  # getattr(keras, "Sequential")
            return True
    return False


def _aliases_and_builders(trees: list[ast.Module]) -> tuple[set[str], set[str]]:
    """Module-level names bound to a model class, and functions that build a model."""
    aliases: set[str] = set()
    builders: set[str] = set()
    changed = True
    while changed:
        changed = False
        for tree in trees:
            for node in tree.body:
                new: set[str] = set()
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    new = {a.asname for a in node.names if a.asname and a.name.split(".")[-1] in MODEL_NAMES}
                elif isinstance(node, ast.Assign) and isinstance(node.value, (ast.Name, ast.Attribute)):
                    if _refers_to_model(node.value, aliases, builders):
                        new = {t.id for t in node.targets if isinstance(t, ast.Name)}
                elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name not in builders:
                    if any(isinstance(n, ast.Call) and _refers_to_model(n.func, aliases, builders)
                           for n in ast.walk(node)):
                        builders.add(node.name)
                        changed = True
                if new - aliases:
                    aliases |= new
                    changed = True
    return aliases, builders


def resnet_block_rule(sources: list[str]) -> str | None:
    """Why the notebook's last ``resnetBlock`` class breaks q3's rules, or None."""
    relevant = [s for s in sources if "resnetBlock" in s]
    if any(len(s) > MAX_CELL_CHARS for s in relevant):
        return (f"the cell defining resnetBlock is longer than {MAX_CELL_CHARS:,} characters; keep the class in "
                "a cell of ordinary size so that it can be checked.")
    # a class named resnetBlock is only in a cell whose text names it; the names it may use are anywhere
    classes = [node for tree in _parse(relevant) for node in ast.walk(tree)
               if isinstance(node, ast.ClassDef) and node.name == "resnetBlock"]
    if not classes:
        return None
    trees = _parse(s for s in sources if len(s) <= MAX_CELL_CHARS)
    found = classes[-1]
    aliases, builders = _aliases_and_builders(trees)
    if any(_terminal(base) in {"Model", "Sequential", "Functional"} or _terminal(base) in aliases
           for base in found.bases):
        return NOT_A_LAYER
    body = ast.Module(body=found.body, type_ignores=[])
    if _refers_to_model(body, aliases, builders):
        return MODEL_INSIDE
    return None
