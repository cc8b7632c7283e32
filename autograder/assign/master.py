"""Reading and checking an Otter Assign (v1 format) master notebook before Otter sees it.

Otter reports a malformed master with an ``AssertionError`` or a YAML traceback from deep
inside its transformer, often with no cell named. ``validate_master`` walks the notebook
the way Otter does and raises one ``AssignError`` naming the cell and the problem instead.
It also enforces this project's conventions (``docs/DESIGN.md``):

- every code cell inside a ``# BEGIN SOLUTION`` block of an autograded question ``qN`` is
  tagged ``answer:qN``, and no other cell carries that tag;
- a manually graded question is named ``qNw`` (the written part of ``qN``) and has a
  Markdown answer cell, which the build turns into the template's ``written:qN`` cell;
- every test cell is one exception-based test function, with a closed ``TEST CONFIG``
  block; public tests declare ``points: 0`` (points live on the hidden tests).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml
from otter.assign.blocks import BlockType, extract_fenced_otter_cell, is_assignment_config_cell, is_block_boundary_cell
from otter.assign.solutions import begin_solution_regex
from otter.assign.tests_manager import BEGIN_TEST_CONFIG_REGEX, END_TEST_CONFIG_REGEX
from otter.assign.utils import is_ignore_cell

from autograder.assign.errors import AssignError

ANSWER_TAG_PREFIX = "answer:"
WRITTEN_TAG_PREFIX = "written:"

# Which cell is what is Otter's own decision (its parser, not a copy of its patterns); the
# rest of this module says, with the cell's number, what Otter would only fail on later.
_BOUNDARY_RE = re.compile(r"#\s+(begin|end)\s+(question|prompt|solution|tests)\b", re.IGNORECASE)
"""A boundary written where Otter does not read it (a Markdown or code cell): reported, never parsed."""

_QUESTION_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MANUAL_NAME_RE = re.compile(r"(q\d+)w")
_QUESTION_KEYS = frozenset({"name", "manual", "points", "check_cell", "export", "all_or_nothing"})
_TEST_CONFIG_KEYS = frozenset({"hidden", "points", "success_message", "failure_message"})


Block = BlockType
"""The blocks of the Otter Assign v1 format (Otter's enum)."""


@dataclass(frozen=True)
class TestCell:
    """One test cell of a question.

    Attributes:
        index: 0-based master cell index.
        function: name of the test function.
        hidden: whether the test is hidden from students.
        points: the points declared in its ``TEST CONFIG`` block, if any.
    """

    index: int
    function: str
    hidden: bool
    points: float | None


@dataclass(frozen=True)
class Question:
    """One ``# BEGIN QUESTION`` ... ``# END QUESTION`` block of the master.

    Attributes:
        name: the question name (``q1``, ``q1w``, ...).
        manual: whether the question is graded by hand.
        export: whether Otter wraps it in PDF-export comments (manual questions always are).
        begin_index: index of its ``# BEGIN QUESTION`` cell.
        answer_cells: indices of its code cells inside ``SOLUTION`` blocks.
        written_cells: indices of its Markdown cells inside ``SOLUTION``/``PROMPT`` blocks.
        tests: its test cells, in order.
    """

    name: str
    manual: bool
    export: bool
    begin_index: int
    answer_cells: tuple[int, ...]
    written_cells: tuple[int, ...]
    tests: tuple[TestCell, ...]

    @property
    def answer_tag(self) -> str:
        """The tag of this question's answer cells, ``answer:<name>``."""
        return ANSWER_TAG_PREFIX + self.name

    @property
    def written_tag(self) -> str:
        """The tag of the template's written-answer cell: ``written:q1`` for ``q1w``."""
        match = _MANUAL_NAME_RE.fullmatch(self.name)
        return WRITTEN_TAG_PREFIX + (match.group(1) if match else self.name)


@dataclass(frozen=True)
class MasterLayout:
    """What ``validate_master`` learned about a valid master notebook.

    Attributes:
        config: the ``# ASSIGNMENT CONFIG`` settings.
        config_index: index of the config cell.
        questions: the questions in notebook order.
    """

    config: dict[str, Any]
    config_index: int
    questions: tuple[Question, ...]

    @property
    def autograded(self) -> tuple[Question, ...]:
        """The questions graded by tests."""
        return tuple(q for q in self.questions if not q.manual)

    @property
    def manual(self) -> tuple[Question, ...]:
        """The questions graded by hand."""
        return tuple(q for q in self.questions if q.manual)


@dataclass
class _OpenQuestion:
    name: str
    manual: bool
    export: bool
    begin_index: int
    inner: Block | None = None
    inner_index: int = -1
    saw_solution: bool = False
    answer_cells: list[int] = field(default_factory=list)
    written_cells: list[int] = field(default_factory=list)
    tests: list[TestCell] = field(default_factory=list)

    @property
    def answer_tag(self) -> str:
        return ANSWER_TAG_PREFIX + self.name

    def freeze(self) -> Question:
        return Question(
            name=self.name,
            manual=self.manual,
            export=self.export,
            begin_index=self.begin_index,
            answer_cells=tuple(self.answer_cells),
            written_cells=tuple(self.written_cells),
            tests=tuple(self.tests),
        )


def read_master(path: Path) -> tuple[nbformat.NotebookNode, MasterLayout]:
    """Reads and validates a master notebook.

    Args:
        path: the master ``.ipynb``.

    Returns:
        The notebook and its layout.

    Raises:
        AssignError: if the file cannot be read as a notebook or the master is malformed.
    """
    try:
        nb = nbformat.read(str(path), as_version=4)
    except FileNotFoundError as err:
        raise AssignError("master notebook not found", notebook=str(path)) from err
    except Exception as err:  # nbformat raises several unrelated types for a bad file
        raise AssignError(f"not a readable notebook: {type(err).__name__}: {err}", notebook=path.name) from err
    return nb, validate_master(nb, notebook=path.name)


def validate_master(nb: nbformat.NotebookNode, *, notebook: str | None = None) -> MasterLayout:
    """Checks the block structure and our conventions of a master notebook.

    Args:
        nb: the master notebook (nbformat 4).
        notebook: its name, for error messages.

    Returns:
        The layout of the master: its config and questions.

    Raises:
        AssignError: naming the first offending cell and what is wrong with it.
    """
    return _Validator(nb, notebook).run()


def _source_lines(cell: Any) -> list[str]:
    return str(cell.get("source", "")).split("\n")


def _first_line(cell: Any) -> str:
    return _source_lines(cell)[0]


def _tags(cell: Any) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _yaml_problem(err: yaml.YAMLError) -> str:
    return " ".join(str(err).split())


class _Validator:
    def __init__(self, nb: nbformat.NotebookNode, notebook: str | None) -> None:
        self.nb = nb
        self.notebook = notebook
        self.config: dict[str, Any] | None = None
        self.config_index = -1
        self.questions: list[Question] = []
        self.question: _OpenQuestion | None = None
        self.ok_format = True

    def fail(self, problem: str, index: int | None = None) -> AssignError:
        return AssignError(problem, cell_index=index, notebook=self.notebook)

    def run(self) -> MasterLayout:
        cells = self.nb.get("cells", [])
        if not cells:
            raise self.fail("the master notebook has no cells")
        kernelspec = self.nb.get("metadata", {}).get("kernelspec")
        if not isinstance(kernelspec, dict) or str(kernelspec.get("language", "python")).lower() != "python":
            raise self.fail("notebook metadata needs a Python kernelspec (metadata.kernelspec.language: python)")

        for index, cell in enumerate(cells):
            self.visit(index, cell)

        if self.question is not None:
            q = self.question
            if q.inner is not None:
                raise self.fail(
                    f"BEGIN {q.inner.name} in question {q.name} has no matching END {q.inner.name}", q.inner_index
                )
            raise self.fail(f"BEGIN QUESTION ({q.name}) has no matching END QUESTION", q.begin_index)
        if self.config is None:
            raise self.fail("no '# ASSIGNMENT CONFIG' raw cell found")
        return MasterLayout(config=self.config, config_index=self.config_index, questions=tuple(self.questions))

    # -- dispatch ---------------------------------------------------------------------------

    def visit(self, index: int, cell: Any) -> None:
        cell = extract_fenced_otter_cell(nbformat.from_dict(cell))  # a ```otter Markdown cell is raw to Otter
        cell_type = cell.get("cell_type")
        first = _first_line(cell)
        if is_ignore_cell(cell):
            return  # Otter drops these cells entirely
        if is_assignment_config_cell(cell):
            self.read_config(index, cell)
            return
        for block in BlockType:
            for end in (False, True):
                if is_block_boundary_cell(cell, block, end=end):
                    self.end(index, block) if end else self.begin(index, cell, block)
                    return
        boundary = _BOUNDARY_RE.match(first)
        if cell_type == "markdown" and (boundary or re.match(r"#\s+assignment\s+config", first, re.IGNORECASE)):
            raise self.fail(f"'{first.strip()}' is in a Markdown cell; Otter only reads it from a raw cell", index)
        if cell_type == "code" and boundary and boundary.group(2).lower() != "solution":
            raise self.fail(f"'{first.strip()}' is in a code cell; Otter only reads it from a raw cell", index)

        self.content(index, cell)

    # -- config -----------------------------------------------------------------------------

    def read_config(self, index: int, cell: Any) -> None:
        if self.config is not None:
            raise self.fail(f"a second ASSIGNMENT CONFIG cell (the first is cell {self.config_index})", index)
        if self.question is not None:
            raise self.fail(f"ASSIGNMENT CONFIG inside question {self.question.name}", index)
        try:
            config = yaml.safe_load(cell["source"])
        except yaml.YAMLError as err:
            raise self.fail(f"ASSIGNMENT CONFIG is not valid YAML: {_yaml_problem(err)}", index) from err
        if config is None:
            config = {}
        if not isinstance(config, dict):
            raise self.fail("ASSIGNMENT CONFIG must be a YAML mapping of settings", index)
        tests = config.get("tests", {})
        if isinstance(tests, dict):
            self.ok_format = bool(tests.get("ok_format", True))
        self.config, self.config_index = config, index

    # -- block boundaries -------------------------------------------------------------------

    def begin(self, index: int, cell: Any, block: Block) -> None:
        q = self.question
        if block is Block.QUESTION:
            if q is not None:
                raise self.fail(
                    f"BEGIN QUESTION inside question {q.name} (opened at cell {q.begin_index}); "
                    "close that one with an END QUESTION cell first",
                    index,
                )
            self.question = self.open_question(index, cell)
            return
        if q is None:
            raise self.fail(f"BEGIN {block.name} outside a question (add a BEGIN QUESTION cell before it)", index)
        if q.inner is not None:
            raise self.fail(
                f"BEGIN {block.name} inside the {q.inner.name} block opened at cell {q.inner_index} "
                f"(close it with END {q.inner.name} first)",
                index,
            )
        if block is Block.PROMPT and q.saw_solution:
            raise self.fail(f"PROMPT block after a SOLUTION block in question {q.name}", index)
        if block is Block.SOLUTION:
            q.saw_solution = True
        q.inner, q.inner_index = block, index

    def end(self, index: int, block: Block) -> None:
        q = self.question
        if q is None:
            raise self.fail(f"END {block.name} without a BEGIN QUESTION before it", index)
        if block is Block.QUESTION:
            if q.inner is not None:
                raise self.fail(
                    f"END QUESTION while the {q.inner.name} block opened at cell {q.inner_index} "
                    f"is still open (add END {q.inner.name} before it)",
                    index,
                )
            self.close_question(q)
            self.question = None
            return
        if q.inner is None:
            raise self.fail(f"END {block.name} without a matching BEGIN {block.name} in question {q.name}", index)
        if q.inner is not block:
            raise self.fail(
                f"END {block.name}, but the open block is {q.inner.name} (opened at cell {q.inner_index})", index
            )
        q.inner, q.inner_index = None, -1

    def open_question(self, index: int, cell: Any) -> _OpenQuestion:
        try:
            config = yaml.safe_load(cell["source"])
        except yaml.YAMLError as err:
            raise self.fail(f"the question config is not valid YAML: {_yaml_problem(err)}", index) from err
        if not isinstance(config, dict):
            raise self.fail("BEGIN QUESTION needs a YAML mapping with at least 'name: <question name>'", index)
        unknown = sorted(set(map(str, config)) - _QUESTION_KEYS)
        if unknown:
            raise self.fail(f"unknown question setting(s) {unknown}; Otter accepts {sorted(_QUESTION_KEYS)}", index)
        name = config.get("name")
        if name is None:
            raise self.fail("BEGIN QUESTION has no 'name'", index)
        if not isinstance(name, str) or not _QUESTION_NAME_RE.fullmatch(name):
            raise self.fail(f"question name must be an identifier such as q1; got {name!r}", index)
        if any(q.name == name for q in self.questions):
            raise self.fail(f"a second question named {name!r}", index)
        manual, export = config.get("manual", False), config.get("export", False)
        if not isinstance(manual, bool) or not isinstance(export, bool):
            raise self.fail(f"'manual' and 'export' must be true or false; got {manual!r}, {export!r}", index)
        if manual and not _MANUAL_NAME_RE.fullmatch(name):
            raise self.fail(
                f"a manually graded question is named after the question it belongs to, like q1w "
                f"(its template cell is tagged written:q1); got {name!r}",
                index,
            )
        return _OpenQuestion(name=name, manual=manual, export=export, begin_index=index)

    def close_question(self, q: _OpenQuestion) -> None:
        if q.manual and not q.written_cells:
            raise self.fail(
                f"manual question {q.name} has no Markdown answer cell between BEGIN SOLUTION and END SOLUTION",
                q.begin_index,
            )
        if not q.manual:
            if not q.answer_cells:
                raise self.fail(
                    f"question {q.name} has no answer cell: put the code students complete in a code cell "
                    "between BEGIN SOLUTION and END SOLUTION raw cells",
                    q.begin_index,
                )
            if not q.tests:
                raise self.fail(
                    f"question {q.name} has no test cells (a BEGIN TESTS block with at least one test)",
                    q.begin_index,
                )
        self.questions.append(q.freeze())

    # -- ordinary cells ---------------------------------------------------------------------

    def content(self, index: int, cell: Any) -> None:
        q = self.question
        inner = q.inner if q is not None else None
        cell_type = cell.get("cell_type")
        tags = _tags(cell)
        in_solution = q is not None and inner is Block.SOLUTION

        for tag in tags:
            if tag.startswith(ANSWER_TAG_PREFIX):
                owner = tag[len(ANSWER_TAG_PREFIX) :]
                if not (in_solution and cell_type == "code" and q is not None and q.name == owner):
                    raise self.fail(
                        f"cell is tagged '{tag}' but is not a code cell inside the SOLUTION block of question {owner}",
                        index,
                    )
            if tag.startswith(WRITTEN_TAG_PREFIX) and not (
                q is not None and q.manual and inner in (Block.SOLUTION, Block.PROMPT)
            ):
                raise self.fail(
                    f"cell is tagged '{tag}' outside a manual question's answer; the build adds written tags itself",
                    index,
                )

        if q is None:
            return
        if inner is Block.TESTS:
            if cell_type != "code":
                raise self.fail(f"a {cell_type} cell inside the TESTS block of question {q.name}; only code", index)
            q.tests.append(self.read_test(index, cell, q))
        elif in_solution and cell_type == "code" and not q.manual:
            if q.answer_tag not in tags:
                raise self.fail(f"answer cell of question {q.name} is missing its metadata tag '{q.answer_tag}'", index)
            self.check_solution_markers(index, cell)
            q.answer_cells.append(index)
        elif inner in (Block.SOLUTION, Block.PROMPT) and cell_type == "markdown" and q.manual:
            q.written_cells.append(index)

    def check_solution_markers(self, index: int, cell: Any) -> None:
        open_line = None
        for number, line in enumerate(_source_lines(cell), start=1):
            if line.rstrip().endswith("# END SOLUTION"):
                if open_line is None:
                    raise self.fail(f"line {number}: '# END SOLUTION' without '# BEGIN SOLUTION'", index)
                open_line = None
            elif begin_solution_regex.match(line):
                if open_line is not None:
                    raise self.fail(
                        f"line {number}: '# BEGIN SOLUTION' inside the one opened on line {open_line}", index
                    )
                open_line = number
        if open_line is not None:
            raise self.fail(f"line {open_line}: '# BEGIN SOLUTION' without '# END SOLUTION'", index)
        source = cell["source"]
        try:
            ast.parse(source)
        except SyntaxError as err:
            raise self.fail(f"answer cell is not valid Python (line {err.lineno}: {err.msg})", index) from err
        from otter.assign.solutions import replace_solutions  # imported late: Otter is slow to import

        stub = "\n".join(replace_solutions(source.split("\n"), "python"))
        try:
            ast.parse(stub)
        except SyntaxError as err:
            raise self.fail(
                f"the student stub of this answer cell (solutions replaced by '...') is not valid Python "
                f"(line {err.lineno}: {err.msg})",
                index,
            ) from err

    def read_test(self, index: int, cell: Any, q: _OpenQuestion) -> TestCell:
        lines = _source_lines(cell)
        config: dict[str, Any] = {}
        body_start = 0
        if re.match(BEGIN_TEST_CONFIG_REGEX, lines[0], flags=re.IGNORECASE):
            end = next((i for i, line in enumerate(lines)
                        if i > 0 and re.match(END_TEST_CONFIG_REGEX, line, flags=re.IGNORECASE)), None)
            if end is None:
                raise self.fail(
                    'the TEST CONFIG block is not closed: end it with a line \'""" # END TEST CONFIG\'', index
                )
            try:
                loaded = yaml.safe_load("\n".join(lines[1:end]))
            except yaml.YAMLError as err:
                raise self.fail(f"the TEST CONFIG is not valid YAML: {_yaml_problem(err)}", index) from err
            config = loaded if loaded is not None else {}
            if not isinstance(config, dict):
                raise self.fail("the TEST CONFIG must be a YAML mapping (hidden: ..., points: ...)", index)
            unknown = sorted(set(map(str, config)) - _TEST_CONFIG_KEYS)
            if unknown:
                raise self.fail(
                    f"unknown TEST CONFIG key(s) {unknown}; Otter accepts {sorted(_TEST_CONFIG_KEYS)}", index
                )
            body_start = end + 1
        elif lines[0].lstrip().startswith("#"):
            config = {"hidden": bool(re.search(r"\bhidden\b", lines[0], re.IGNORECASE))}

        hidden = config.get("hidden", False)
        if not isinstance(hidden, bool):
            raise self.fail(f"'hidden' must be true or false; got {hidden!r}", index)
        points = config.get("points")
        if points is not None and (isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0):
            raise self.fail(f"'points' must be a non-negative number; got {points!r}", index)
        if not hidden and points != 0:
            raise self.fail(
                f"public test of question {q.name} must declare 'points: 0' in its TEST CONFIG "
                "(points live on hidden tests only)",
                index,
            )

        body = "\n".join(lines[body_start:])
        try:
            tree = ast.parse(body)
        except SyntaxError as err:
            raise self.fail(
                f"test cell is not valid Python (line {body_start + (err.lineno or 1)}: {err.msg})", index
            ) from err
        function = ""
        if not self.ok_format:
            if not tree.body or len(tree.body) > 2 or not isinstance(tree.body[0], ast.FunctionDef):
                raise self.fail(
                    "an exception-based test cell holds one test function (optionally followed by a call to it)",
                    index,
                )
            function = tree.body[0].name
        return TestCell(index=index, function=function, hidden=hidden, points=None if points is None else float(points))
