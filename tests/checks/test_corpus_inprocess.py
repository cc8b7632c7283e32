"""The answer corpus graded in-process: mutants lose exactly their own question's points,
alternatives score full marks."""

from __future__ import annotations

import pytest
from corpus import QUESTION_NAMES, CorpusEntry, load_corpus
from corpus_grading import CorpusGrader

from autograder.checks import ALL_CHECKS, CHECKS_BY_ID

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # Keras warns about the mutants' layers

CORPUS = load_corpus()


def test_corpus_size_and_headers() -> None:
    mutants = [e for e in CORPUS if e.kind == "mutant"]
    alternatives = [e for e in CORPUS if e.kind == "alternative"]
    assert len(mutants) >= 25 and len(alternatives) >= 8
    for entry in CORPUS:
        assert entry.why
        for check_id in entry.must_fail:
            assert check_id in CHECKS_BY_ID, f"{entry.id}: unknown check {check_id}"
            assert CHECKS_BY_ID[check_id].question == entry.question, (
                f"{entry.id}: {check_id} is another question's"
            )
    assert {e.question for e in mutants} == {e.question for e in alternatives} == set(QUESTION_NAMES)


@pytest.mark.slow
@pytest.mark.parametrize("entry", CORPUS, ids=[e.id for e in CORPUS])
def test_corpus_entry(entry: CorpusEntry, corpus_grader: CorpusGrader) -> None:
    results, defined = corpus_grader.grade(entry)
    own = set(QUESTION_NAMES[entry.question])
    others = {name for q, names in QUESTION_NAMES.items() if q != entry.question for name in names}
    assert own <= defined, f"the answer cell must define {sorted(own - defined)}"
    assert not defined & others, f"the answer cell defines other questions' names {sorted(defined & others)}"

    failed = {cid: r.message for cid, r in results.items() if not r.passed}
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
    assert sum(r.score for r in results.values()) == sum(c.points for c in ALL_CHECKS) - sum(
        CHECKS_BY_ID[cid].points for cid in failed
    )
