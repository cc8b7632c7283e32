"""The mutation corpus graded once, as notebooks, through the sandboxed grader students get.

Each corpus answer replaces its question's answer cell in an otherwise correct notebook.
A mutant must fail exactly its ``must_fail`` checks, all in its own question; an alternative
must score full marks; and no failure message may show a hidden input or an expected number.
(The corpus used to be graded a second time in-process; this path is the one that counts.) It is
graded in the suite's shared batch of honest notebooks (``shared_batches``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from corpus import QUESTION_NAMES, CorpusEntry, load_corpus
from helpers import build_submission, write_submission
from hidden_numbers import DECIMAL, hidden_renderings
from shared_batches import HONEST, contribute

from autograder.checks import ALL_CHECKS, CHECKS_BY_ID
from autograder.checks.expected import load_expected

ENTRIES = load_corpus()
pytestmark = HONEST  # graded once, in the shared batch


def _key(entry: CorpusEntry) -> str:
    return f"{entry.kind}__{entry.path.stem}"


def _defined(source: str) -> set[str]:
    """Module-level names an answer cell binds (as IPython would run it), inside ``if``/``try`` too."""
    from IPython.core.inputtransformer2 import TransformerManager

    names: set[str] = set()
    pending = list(ast.parse(TransformerManager().transform_cell(source)).body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)  # their bodies bind local names only
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        pending.extend(ast.iter_child_nodes(node))
    return names


@contribute("corpus")
def _corpus_notebooks(folder: Path, solution_answers: dict[str, str]) -> None:
    """Each entry in an otherwise correct notebook."""
    for entry in ENTRIES:
        answers = dict(solution_answers)
        answers[entry.question] = entry.source
        write_submission(folder / f"{_key(entry)}.ipynb", build_submission(answers))


@pytest.fixture(scope="module")
def graded(honest_batch):
    return honest_batch["corpus"]


@pytest.fixture(scope="module")
def secrets(expected_path) -> set[str]:
    return hidden_renderings(load_expected(expected_path))


def test_corpus_size_and_headers() -> None:
    mutants = [e for e in ENTRIES if e.kind == "mutant"]
    alternatives = [e for e in ENTRIES if e.kind == "alternative"]
    assert len(mutants) >= 25 and len(alternatives) >= 8
    for entry in ENTRIES:
        assert entry.why
        for check_id in entry.must_fail:
            assert check_id in CHECKS_BY_ID, f"{entry.id}: unknown check {check_id}"
            assert CHECKS_BY_ID[check_id].question == entry.question, f"{entry.id}: {check_id} is another question's"
    assert {e.question for e in mutants} == {e.question for e in alternatives} == set(QUESTION_NAMES)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_entry_defines_its_own_names_only(entry: CorpusEntry) -> None:
    defined = _defined(entry.source)
    own = set(QUESTION_NAMES[entry.question])
    others = {name for q, names in QUESTION_NAMES.items() if q != entry.question for name in names}
    assert own <= defined, f"the answer cell must define {sorted(own - defined)}"
    assert not defined & others, f"the answer cell defines other questions' names {sorted(defined & others)}"


@pytest.mark.slow
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.id)
def test_entry_is_graded_as_designed(graded, entry):
    result = graded[_key(entry)]
    assert result.status == "graded", result.reason
    failed = {t.check_id: t.message for t in result.tests if not t.passed}
    report = "\n".join(f"  {cid}: {msg}" for cid, msg in failed.items())
    foreign = {cid for cid in failed if CHECKS_BY_ID[cid].question != entry.question}
    assert not foreign, f"{entry.id} loses points outside {entry.question}:\n{report}"
    if entry.kind == "alternative":
        assert not failed, f"{entry.id} ({entry.why}) should score full marks:\n{report}"
    else:  # exactly: one mistake costs its own checks, never a neighbour check with a wrong message
        missed = [cid for cid in entry.must_fail if cid not in failed]
        assert not missed, f"{entry.id} ({entry.why}) should fail {missed}; failures:\n{report}"
        extra = sorted(set(failed) - set(entry.must_fail))
        assert not extra, f"{entry.id} ({entry.why}) also fails {extra}:\n{report}"
    assert result.score == sum(c.points for c in ALL_CHECKS) - sum(CHECKS_BY_ID[cid].points for cid in failed)


@pytest.mark.slow
@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.kind == "mutant"], ids=lambda e: e.id)
def test_failure_messages_hide_inputs_and_expected_numbers(graded, entry, secrets):
    for test in graded[_key(entry)].tests:
        leaked = set(DECIMAL.findall(test.message)) & secrets
        assert not leaked, f"{test.check_id} message shows hidden numbers {sorted(leaked)}: {test.message}"
