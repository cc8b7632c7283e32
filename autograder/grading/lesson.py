"""The lesson's demo cells that grading need not run: handed out, unchanged, and read by nothing.

Most of a notebook is the lesson itself: demonstrations (a pooled 4x4 array, a BatchNorm on
two features, an MLP built from ``Linear`` layers) whose code every student received and
whose outcome is known. Running them costs each submission a third of its time and decides
nothing: the probes measure only the answers. A cell is left out of a submission's job when

- its source is, line for line (trailing spaces aside), a demo cell of the handed-out
  template (``student_template/``, shipped in the Gradescope zip too: code cells that are no
  answer, import nothing and read no name an answer defines), so the instructors vouch for
  what it does; a student who edited it gets it run as written; and
- no cell that runs after it reads a name it binds (a read anywhere in it counts: inside
  functions, classes, comprehensions, ``x += 1``), nor do the probes (the answers' names); and no later cell reaches the notebook's
  globals dynamically (``globals()``, ``eval``, ``sys.modules``, ...) or fails to parse.
  Either makes every earlier cell run.

Leaving a cell out is what deleting it would do, which any student may do; so this never
grants anything, it only saves time where the outcome is already known.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import paths
from autograder.checks.source_rules import CACHED_CELL_CHARS, MAX_CELL_CHARS, python_source

log = logging.getLogger(__name__)

ANSWER_TAG_PREFIX = "answer:"
IGNORE_TAG = "otter_ignore"
DYNAMIC_NAMES = frozenset({"globals", "locals", "vars", "eval", "exec", "compile", "__import__", "__builtins__",
                           "__main__", "importlib", "inspect", "sys", "builtins"})
"""Identifiers through which code can read the notebook's globals without naming them. (``get_ipython``
is not one: while grading it is a stand-in whose magics do nothing and which holds no namespace.)"""
USAGE_CACHE_SIZE = 2048
"""Distinct cell sources whose analysis is remembered (each at most ``CACHED_CELL_CHARS`` long)."""
DYNAMIC_ATTRIBUTES = frozenset({"__globals__", "f_globals", "f_locals", "__dict__", "modules", "gi_frame",
                                "tb_frame", "cr_frame", "f_back", "user_ns", "user_global_ns"})


@dataclass(frozen=True)
class Usage:
    """The names one cell binds and reads, and whether it reaches globals dynamically."""

    binds: frozenset[str]
    reads: frozenset[str]
    dynamic: bool
    imports: bool


def normalized(source: str) -> str:
    """The source without trailing spaces on its lines and without blank lines around it."""
    return "\n".join(line.rstrip() for line in source.strip("\n").splitlines()).strip("\n")


def digest(source: str) -> str:
    """The fingerprint of a cell's source, as the template's demo cells are listed."""
    return hashlib.sha256(normalized(source).encode("utf-8", "replace")).hexdigest()


def usage(source: str) -> Usage | None:
    """What ``source`` (as IPython runs it) binds and reads; None if it cannot be parsed (or is
    too large to parse in the grader, whose memory is everyone's)."""
    if len(source) > MAX_CELL_CHARS:
        return None
    return _usage(source) if len(source) <= CACHED_CELL_CHARS else _usage.__wrapped__(source)


@functools.lru_cache(maxsize=USAGE_CACHE_SIZE)
def _usage(source: str) -> Usage | None:
    """:func:`usage`, remembered by source: most cells of a class's notebooks are the template's,
    word for word, and analysing them (IPython's transformer, then the AST walks) cost 40 ms
    per notebook before the workers could start."""
    try:
        tree = ast.parse(python_source(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    binds = _module_binds(tree.body)
    dynamic = imports = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in DYNAMIC_NAMES:
            dynamic = True
        elif isinstance(node, ast.Attribute) and node.attr in DYNAMIC_ATTRIBUTES:
            dynamic = True
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            imports = True
            dynamic = dynamic or any(alias.name.split(".")[0] in DYNAMIC_NAMES for alias in node.names)
        elif isinstance(node, ast.Global):
            binds.update(node.names)
    return Usage(frozenset(binds), frozenset(_free_reads(tree.body, frozenset())), dynamic, imports)


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def _names(node: ast.AST, ctx: type) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ctx)}


def _module_binds(statements: list[ast.stmt]) -> set[str]:
    """Names the statements bind in their own scope (not inside the functions or classes they define)."""
    binds: set[str] = set()
    stack: list[ast.AST] = list(statements)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(node.name)
            continue
        if isinstance(node, (ast.Lambda, *_COMPREHENSIONS)):
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            binds.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            binds.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            binds.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            binds.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            binds.add(node.rest)
        stack.extend(ast.iter_child_nodes(node))
    return binds


def _loads(node: ast.AST, local: frozenset[str], enclosing: frozenset[str]) -> set[str]:
    """Global names ``node`` reads: ``local`` are bound where it runs, ``enclosing`` are the
    enclosing functions' locals (closures); a nested function's own locals never reach globals."""
    found: set[str] = set()
    stack: list[ast.AST] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = n.args
            stack += [*getattr(n, "decorator_list", []), *args.defaults, *(d for d in args.kw_defaults if d)]
            stack += [a.annotation for a in (*args.posonlyargs, *args.args, *args.kwonlyargs) if a.annotation]
            if getattr(n, "returns", None) is not None:
                stack.append(n.returns)
            found |= _function_reads(n, enclosing)
        elif isinstance(n, ast.ClassDef):
            stack += [*n.decorator_list, *n.bases, *(k.value for k in n.keywords)]
            for stmt in n.body:  # every read of the class body counts; methods see the enclosing functions only
                found |= _loads(stmt, enclosing, enclosing)
        elif isinstance(n, _COMPREHENSIONS):
            stack.append(n.generators[0].iter)  # evaluated where the comprehension stands
            targets = set().union(*(_names(g.target, ast.Store) for g in n.generators))
            inner = frozenset(local | targets)
            parts: list[ast.AST] = [*(g.iter for g in n.generators[1:]), *(c for g in n.generators for c in g.ifs)]
            parts += [n.key, n.value] if isinstance(n, ast.DictComp) else [n.elt]
            for part in parts:
                found |= _loads(part, inner, frozenset(enclosing | targets))
        elif isinstance(n, ast.Name):
            if isinstance(n.ctx, ast.Load) and n.id not in local:
                found.add(n.id)
        else:
            stack.extend(ast.iter_child_nodes(n))
    return found


def _function_reads(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, enclosing: frozenset[str]) -> set[str]:
    """The global names a function's body reads (its parameters and assigned names are local)."""
    args = fn.args
    params = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
    params |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    body = fn.body if isinstance(fn.body, list) else [fn.body]
    declared = {name for stmt in body for n in ast.walk(stmt) if isinstance(n, (ast.Global, ast.Nonlocal))
                for name in n.names}
    local = frozenset((enclosing | params | _module_binds(body)) - declared)
    return set().union(*(_loads(stmt, local, local) for stmt in body))


def _free_reads(statements: list[ast.AST], bound: frozenset[str]) -> set[str]:
    """Names read before this code itself certainly bound them: what it needs from earlier cells.

    Straight-line code is followed in order (``x = 1`` then ``print(x)`` needs no earlier
    ``x``); each block of a compound statement starts from what was bound before it, and a
    ``for`` target is bound in its body; nothing bound inside a block counts after it. A
    function's body runs later, against the globals: each global it reads counts, whatever
    the cell bound before (its parameters and its own locals do not).
    """
    free: set[str] = set()
    known = set(bound)
    for stmt in statements:
        blocks = [getattr(stmt, f) for f in _BLOCKS if isinstance(getattr(stmt, f, None), list)]
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or not blocks:
            free |= _loads(stmt, frozenset(known), frozenset())
            if isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name) and stmt.target.id not in known:
                free.add(stmt.target.id)  # x += 1 reads x first
            known |= _module_binds([stmt])
            continue
        inner = set(known)
        headers: list[ast.AST] = []
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            headers.append(stmt.iter)
            inner |= _names(stmt.target, ast.Store)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            headers += [item.context_expr for item in stmt.items]
            inner |= {n for item in stmt.items if item.optional_vars for n in _names(item.optional_vars, ast.Store)}
        elif isinstance(stmt, (ast.While, ast.If)):
            headers.append(stmt.test)
        elif isinstance(stmt, ast.Match):
            headers.append(stmt.subject)
        for header in headers:
            free |= _loads(header, frozenset(known), frozenset())
        entry = frozenset(inner)
        for block in blocks:  # each block starts from what was bound before the statement
            inner = set(entry)
            for part in block:
                if isinstance(part, ast.ExceptHandler):
                    if part.type is not None:
                        free |= _loads(part.type, entry, frozenset())
                    free |= _free_reads(part.body, frozenset(entry | ({part.name} if part.name else set())))
                elif isinstance(part, ast.match_case):
                    free |= _loads(part.pattern, entry, frozenset())
                    captured = frozenset(entry | _module_binds([part.pattern]))
                    if part.guard is not None:
                        free |= _loads(part.guard, captured, frozenset())
                    free |= _free_reads(part.body, captured)
                else:
                    free |= _free_reads([part], frozenset(inner))
                    inner |= _module_binds([part])
    return free


def _tags(cell: dict[str, Any]) -> list[str]:
    tags = (cell.get("metadata") or {}).get("tags") or []
    return [str(t) for t in tags] if isinstance(tags, list) else []


def describe_template(notebook: dict[str, Any]) -> dict[str, Any]:
    """The template's demo cells (digests) and the names its answer cells bind.

    A demo cell is a code cell that is no answer cell, is not skipped anyway (``otter_ignore``),
    imports nothing (set-up cells stay), parses, reaches no global dynamically, and reads or
    binds no name an answer cell binds (a demo that calls the student's code is graded
    behaviour: it runs).
    """
    code = [c for c in notebook.get("cells", []) if c.get("cell_type") == "code"]
    sources = ["".join(c["source"]) if isinstance(c.get("source"), list) else str(c.get("source", "")) for c in code]
    answers: set[str] = set()
    for cell, source in zip(code, sources, strict=True):
        if any(t.startswith(ANSWER_TAG_PREFIX) for t in _tags(cell)):
            found = usage(source)
            answers |= found.binds if found else set()
    demos = []
    for cell, source in zip(code, sources, strict=True):
        tags = _tags(cell)
        if IGNORE_TAG in tags or any(t.startswith(ANSWER_TAG_PREFIX) for t in tags) or "grader." in source:
            continue
        found = usage(source)
        if found is None or found.dynamic or found.imports or (found.reads | found.binds) & answers:
            continue
        demos.append(digest(source))
    return {"answer_names": sorted(answers), "demo_cells": sorted(set(demos))}


@dataclass(frozen=True)
class KnownLesson:
    """The handed-out template's demo cells and its answers' names."""

    demo_cells: frozenset[str]
    answer_names: frozenset[str]

    @classmethod
    def load(cls, template: Path | None = None) -> KnownLesson:
        """The demo cells of ``template`` (default: the project's student notebook).

        Without a readable template (an installed package) there are none: every cell runs.
        """
        path = template if template is not None else paths.student_template()
        try:
            described = describe_template(json.loads(path.read_bytes())) if path is not None else None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("%s: cannot read the student notebook (%s): every lesson cell will run", path, exc)
            described = None
        if described is None:
            return cls(frozenset(), frozenset())
        return cls(frozenset(described["demo_cells"]), frozenset(described["answer_names"]))

    def cells_to_run(self, cells: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """``cells`` (the job's code cells, in order) without the demo cells nothing needs."""
        if not self.demo_cells:
            return list(cells)
        needed: set[str] = set(self.answer_names)
        keep_all = False
        kept: list[dict[str, Any]] = []
        for cell in reversed(cells):
            if keep_all:
                kept.append(cell)
                continue
            source = str(cell.get("source", ""))
            found = usage(source)
            if found is not None and digest(source) in self.demo_cells and not found.binds & needed:
                continue
            kept.append(cell)
            if found is None or found.dynamic:
                keep_all = True  # it may read anything: every earlier cell runs
            else:
                needed |= found.reads
        kept.reverse()
        return kept
