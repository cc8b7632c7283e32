"""The similarity corpus: independently written correct answers, and copies planted from them.

Independent answers, per question: every file in ``independent/`` (written for this corpus,
each a different way to solve the question), the alternatives of the mutation corpus
(``tests/corpus/alternatives``, written independently of the reference) and the master's
solution (``examples/full.ipynb``). Each is the source of one answer cell (headers and imports
removed: a student's answer cell has neither, the imports are in the lesson's first cells).

Planted copies are made from one of them the way a student hides a copy: the names it chose
renamed, the code reformatted, its functions, methods and independent statements reordered,
comments and docstrings added, and combinations of these. Every transformation keeps the
program legal and what it computes (the names and signatures the assignment requires stay).
"""

from __future__ import annotations

import ast
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
QUESTIONS = ("q1", "q2", "q3", "q4")
CONTRACT = {"shift_right", "pooling_change", "fraction_unchanged", "LinearWithoutBuild", "resnetBlock",
            "ActivityL1", "train_step", "__init__", "call", "build", "get_config", "self", "super"}
"""Names a copier cannot change: the assignment calls them."""

_HEADER = re.compile(r'\A\s*"""(?:.|\n)*?"""\s*\n')
_IMPORT = re.compile(r"^(?:import |from \S+ import ).*\n", re.MULTILINE)


def _answer(text: str) -> str:
    """An answer cell's source from a corpus file: no header docstring, no imports."""
    return _IMPORT.sub("", _HEADER.sub("", text, count=1)).strip() + "\n"


def independent_answers() -> dict[str, dict[str, str]]:
    """Per question, name -> source of every independently written correct answer."""
    found: dict[str, dict[str, str]] = {q: {} for q in QUESTIONS}
    for folder in (HERE / "independent", ROOT / "tests" / "corpus" / "alternatives"):
        for path in sorted(folder.glob("q*.py")):
            found[path.stem[:2]][f"{folder.name}/{path.stem}"] = _answer(path.read_text(encoding="utf-8"))
    for q, source in answer_cells(ROOT / "examples" / "full.ipynb").items():
        found[q]["master"] = source
    return found


def answer_cells(notebook: Path) -> dict[str, str]:
    """The ``answer:qN`` cells of a notebook, by question."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    found = {}
    for cell in cells:
        for tag in cell.get("metadata", {}).get("tags", []):
            if tag.startswith("answer:") and cell["cell_type"] == "code":
                found.setdefault(tag.split(":", 1)[1], "".join(cell["source"]))
    return found


def template_answers() -> dict[str, str]:
    """The handed-out answer cells (the stubs every submission starts from)."""
    return answer_cells(ROOT / "student_template" / "pooling_norms_layers.ipynb")


# ---- transformations -------------------------------------------------------------------------------------------

def _contract_parameters(tree: ast.AST) -> set[str]:
    """Parameters of the functions and methods the assignment calls (callers may name them)."""
    return {a.arg for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.name in CONTRACT for a in [*node.args.args, *node.args.kwonlyargs]}


class _Renamer(ast.NodeTransformer):
    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def visit_Name(self, node: ast.Name) -> ast.AST:
        node.id = self.mapping.get(node.id, node.id)
        return node

    def visit_arg(self, node: ast.arg) -> ast.AST:
        node.arg = self.mapping.get(node.arg, node.arg)
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.value, ast.Name) and node.value.id == "self":
            node.attr = self.mapping.get(node.attr, node.attr)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.generic_visit(node)
        node.name = self.mapping.get(node.name, node.name)
        return node

    def visit_keyword(self, node: ast.keyword) -> ast.AST:  # keywords of library calls keep their names
        self.generic_visit(node)
        return node


def rename(source: str, rng: random.Random) -> str:
    """Every name the answer chose (variables, helpers, attributes, free parameters) renamed."""
    tree = ast.parse(source)
    fixed = CONTRACT | _contract_parameters(tree)
    chosen = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            chosen.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            chosen.add(node.attr)
        elif isinstance(node, ast.FunctionDef):
            chosen.add(node.name)
            chosen.update(a.arg for a in node.args.args)
    words = ["tmp", "val", "res", "data", "thing", "item", "out", "arr", "buf", "my", "the", "foo"]
    mapping = {name: f"{rng.choice(words)}_{i}" for i, name in enumerate(sorted(chosen - fixed))}
    return ast.unparse(_Renamer(mapping).visit(tree)) + "\n"


def reformat(source: str, rng: random.Random) -> str:
    """Laid out again: one expression per line as ``ast.unparse`` writes it, two-space indents, quotes swapped."""
    text = ast.unparse(ast.parse(source))
    lines = []
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        lines.append(" " * ((len(line) - len(stripped)) // 2) + stripped)
    return "\n".join(lines).replace("'", '"') + "\n"


def _independent(first: ast.stmt, second: ast.stmt) -> bool:
    """Whether two statements touch disjoint names (so either order computes the same)."""
    def names(node: ast.stmt) -> set[str]:
        return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} | \
               {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
    simple = (ast.Assign, ast.AnnAssign)
    return isinstance(first, simple) and isinstance(second, simple) and not (names(first) & names(second) - {"self",
                                                                                                          "tf"})


def _swap_statements(body: list[ast.stmt]) -> list[ast.stmt]:
    body = list(body)
    i = 0
    while i < len(body) - 1:
        if _independent(body[i], body[i + 1]):
            body[i], body[i + 1] = body[i + 1], body[i]
            i += 2
        else:
            i += 1
    return body


def reorder(source: str, rng: random.Random) -> str:
    """Functions and methods in another order, and adjacent independent assignments swapped."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            node.body = _swap_statements(node.body)
    def shuffled(body: list[ast.stmt]) -> list[ast.stmt]:
        defs = [n for n in body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        rest = [n for n in body if not isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        return rest + defs[::-1]
    tree.body = shuffled(tree.body)
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            node.body = shuffled(node.body)
    return ast.unparse(tree) + "\n"


_COMMENTS = ["# compute the result", "# TODO: check this", "# this is the main part", "# apply the operation",
             "# see the lesson above", "# make sure the shapes match", "# step", "# done"]


def comment(source: str, rng: random.Random) -> str:
    """A comment before about half the statements and a docstring in every function that has none."""
    tree = ast.parse(source)
    inserts: dict[int, list[str]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and ast.get_docstring(node) is None:
            first = node.body[0]
            if first.lineno > node.lineno:
                inserts.setdefault(first.lineno, []).append(
                    " " * first.col_offset + f'"""{rng.choice(["Does the work.", "Helper.", "See above."])}"""')
        if isinstance(node, ast.stmt) and rng.random() < 0.5:
            inserts.setdefault(node.lineno, []).insert(0, " " * node.col_offset + rng.choice(_COMMENTS))
    lines = source.splitlines()
    out = []
    for number, line in enumerate(lines, start=1):
        out += inserts.get(number, [])
        out.append(line + (f"  {rng.choice(_COMMENTS)}" if line.rstrip().endswith(")") and rng.random() < 0.3
                           else ""))
    return "\n".join(out) + "\n"


def _chain(*steps: Callable[[str, random.Random], str]) -> Callable[[str, random.Random], str]:
    def run(source: str, rng: random.Random) -> str:
        for step in steps:
            source = step(source, rng)
        return source
    run.__name__ = "+".join(s.__name__ for s in steps)
    return run


TRANSFORMS: tuple[Callable[[str, random.Random], str], ...] = (
    rename, reformat, reorder, comment,
    _chain(rename, reformat), _chain(rename, reorder), _chain(reorder, comment),
    _chain(rename, reorder, comment), _chain(rename, reorder, reformat, comment),
)
"""Every way a copy is planted: each transformation alone, then combinations."""


def planted_batch(seed: int = 0) -> tuple[dict[str, dict[str, str]], set[tuple[str, str, str]]]:
    """A batch of independent answers with planted copies.

    Every independent answer is one submission. Each transformation plants one copy of some
    independent answer per question (origins chosen at random, so some answers are copied twice).

    Returns:
        The batch (submission key -> question -> answer source, one question each), and the
        copies: ``(question, key, key)`` for each pair that shares an origin, keys sorted.
    """
    rng = random.Random(seed)
    answers: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for q, sources in independent_answers().items():
        for name, source in sources.items():
            key = f"{q}/{name}"
            answers[key], origin[key] = {q: source}, key
        names = sorted(sources)
        for transform in TRANSFORMS:
            name = rng.choice(names)
            key = f"{q}/copy-{transform.__name__}-of-{name.replace('/', '-')}"
            answers[key], origin[key] = {q: transform(sources[name], rng)}, f"{q}/{name}"
    copies = {(next(iter(answers[a])), *sorted((a, b))) for a in answers for b in answers
              if a != b and origin[a] == origin[b]}
    return answers, copies
