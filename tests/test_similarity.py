"""Code similarity: planted copies are found, independent answers are not, and only TAs see it.

The corpus (``tests/similarity_corpus``) holds independently written correct answers of every
question and plants copies of them (renamed, reformatted, reordered, commented, combined);
``benchmarks/similarity_threshold.py`` measures the threshold on the same corpus.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from helpers import build_submission
from similarity_corpus.planting import TRANSFORMS, independent_answers, planted_batch, template_answers

from autograder import paths
from autograder.checks.judging import TestResult as CheckResult  # not "Test*": pytest would collect it
from autograder.grade import similarity as grade_similarity
from autograder.grade.similarity import write_batch_similarity
from autograder.grading.inputs import Submission
from autograder.grading.results import SubmissionResult
from autograder.reporting.outputs import OutputWriter
from autograder.reporting.similarity import segments, write_similarity
from autograder.similarity.compare import settings, similar_pairs
from autograder.similarity.fingerprint import fingerprint, normalise, template_hashes
from autograder.similarity.pairs import SimilarityFile, SimilarPair, load_similarity

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("seed", range(3))
def test_every_planted_copy_is_found_and_no_independent_pair_is_reported(seed):
    answers, copies = planted_batch(seed)
    found = similar_pairs(answers, template_answers())
    reported = {(q, *sorted((p.a, p.b))) for q, pairs in found.items() for p in pairs}
    assert copies - reported == set(), "copies not found"
    assert reported - copies == set(), "independent answers reported"


def test_the_corpus_has_enough_independent_answers_and_plants_every_transformation():
    assert all(len(answers) >= 8 for answers in independent_answers().values())
    batch, _ = planted_batch(0)
    assert all(any(f"/copy-{t.__name__}-of-" in key for key in batch) for t in TRANSFORMS)


BASE = '''def total(values, scale=2):
    acc = tf.zeros([])
    for v in values:
        acc = acc + tf.reduce_sum(tf.abs(v))
    return acc * scale
'''


@pytest.mark.parametrize(("what", "variant"), [
    ("own names", BASE.replace("acc", "running").replace("values", "xs").replace(" v", " item").replace("(v)", "(item)")),
    ("comments and docstrings", BASE.replace("    acc = tf", '    """Sum of |v|."""\n    # start\n    acc = tf')),
    ("formatting", BASE.replace("tf.reduce_sum(tf.abs(v))", "tf.reduce_sum(\n            tf.abs( v ),\n        )")
     .replace("    ", "  ").replace("[])", "[ ], )")),
])
def test_what_carries_no_meaning_is_normalised_away(what, variant):
    assert [t.text for t in normalise(variant)] == [t.text for t in normalise(BASE)], what


def test_string_contents_and_quotes_are_normalised_away():
    one, two = BASE.replace("[])", "[], name='a')"), BASE.replace("[])", '[], name="something else")')
    assert [t.text for t in normalise(one)] == [t.text for t in normalise(two)]


@pytest.mark.parametrize("other", ["tf.math.abs", "np.abs"])
def test_library_calls_are_kept(other):
    assert [t.text for t in normalise(BASE)] != [t.text for t in normalise(BASE.replace("tf.abs", other))]


def test_a_cell_that_does_not_parse_is_still_fingerprinted():
    source = "%timeit 1\n" + BASE + "def broken(:\n"
    assert len(fingerprint(source).hashes) > 5


def test_the_template_is_left_out():
    stubs = template_answers()
    for q, stub in stubs.items():
        assert fingerprint(stub, template_hashes(stub)).hashes == frozenset(), q
    untouched = {f"s{i}": dict(stubs) for i in range(3)}
    assert all(pairs == [] for pairs in similar_pairs(untouched, stubs).values())


def test_fingerprints_are_the_same_in_every_process():
    """copydetect's own k-gram hashes use Python's salted hash(): ours must not vary between runs."""
    code = ("from autograder.similarity.fingerprint import fingerprint; import sys; "
            "print(sorted(fingerprint(sys.stdin.read()).hashes))")
    runs = {subprocess.run([sys.executable, "-c", code], input=BASE, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(runs) == 1 and runs.pop().startswith("[")


@pytest.mark.parametrize(("regions", "expected"), [
    ((), [("abcdef", False)]),
    (((1, 3), (2, 4)), [("a", False), ("bcd", True), ("ef", False)]),
    (((0, 2), (4, 9)), [("ab", True), ("cd", False), ("ef", True)]),
])
def test_shared_regions_cut_the_source_into_marked_pieces(regions, expected):
    assert segments("abcdef", regions) == expected


# ---- the batch: files for TAs, nothing for students ------------------------------------------------------------

HOSTILE = "<script>alert(1)</script>"


def _batch(tmp_path: Path) -> tuple[list[Submission], list[SubmissionResult]]:
    """Three submissions: two with the same q2 answer (one renamed), one independent, and hostile names."""
    sources = independent_answers()["q2"]
    original = sources["independent/q2_einsum"]
    renamed = original.replace("weight_matrix", "mat").replace("offset", "shift") + f"# {HOSTILE}\n"
    answers = {"alice": original, "bob": renamed, "carol": sources["independent/q2_broadcast_sum"]}
    submissions, results = [], []
    for key, answer in answers.items():
        data = nbformat.writes(build_submission({"q2": answer})).encode()
        submissions.append(Submission(key, f"/{key}.ipynb", student=f"=cmd|{key} {HOSTILE}", data=data))
        tests = [CheckResult("q2_call", "q2", "q2: call", 1.0, 1.0, True, "")]
        results.append(SubmissionResult(key, f"/{key}.ipynb", student=f"=cmd|{key} {HOSTILE}", tests=tests,
                                        content_hash=key))
    return submissions, results


def test_the_batch_gets_its_similarity_files_and_the_report_links_them(tmp_path):
    submissions, results = _batch(tmp_path)
    found = write_batch_similarity(submissions, results, tmp_path)
    OutputWriter(tmp_path).write_all(results)
    assert [(q, p.a, p.b) for q, ps in found.pairs.items() for p in ps] == [("q2", "alice", "bob")]
    page = (tmp_path / "similarity.html").read_text()
    assert "<mark>" in page and "alice" in page and HOSTILE not in page and "&lt;script&gt;" in page
    rows = list(csv.DictReader(io.StringIO((tmp_path / "similarity.csv").read_text())))
    assert [(r["question"], r["submission_a"], r["submission_b"]) for r in rows] == [("q2", "alice", "bob")]
    assert rows[0]["student_a"].startswith("'=") and float(rows[0]["score"]) >= 0.7
    report = (tmp_path / "report.html").read_text()
    assert 'href="similarity.html"' in report and 'href="similarity.csv"' in report


def test_students_never_see_it_and_no_score_changes(tmp_path):
    submissions, results = _batch(tmp_path)
    before = [r.to_dict() for r in results]
    writer = OutputWriter(tmp_path)
    for r in results:
        writer.add(r)
    write_batch_similarity(submissions, results, tmp_path)
    writer.write_all(results)
    assert [r.to_dict() for r in results] == before
    assert (tmp_path / "similarity.json").exists()
    for path in [*(tmp_path / "results").iterdir(), *(tmp_path / "feedback").iterdir()]:
        text = path.read_text().lower()
        assert "similar" not in text, path
        other = {"alice": "bob", "bob": "alice"}.get(path.stem)
        assert other is None or other not in text, path


def test_without_copydetect_grade_writes_a_note_and_goes_on(tmp_path, monkeypatch):
    monkeypatch.setattr(grade_similarity.similarity, "available", lambda: False)
    submissions, results = _batch(tmp_path)
    found = write_batch_similarity(submissions, results, tmp_path)
    OutputWriter(tmp_path).write_all(results)
    assert found.pairs == {} and "copydetect is not installed" in found.note
    assert "copydetect is not installed" in (tmp_path / "report.html").read_text()
    assert load_similarity(tmp_path).note == found.note


def test_a_failing_comparison_loses_no_grade(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr("autograder.similarity.compare.similar_pairs", broken)
    submissions, results = _batch(tmp_path)
    assert "boom" in write_batch_similarity(submissions, results, tmp_path).note


def test_gradescope_never_computes_it():
    """Gradescope's image has no copydetect, and a student's results must never hold it."""
    sources = [p.read_text() for p in (paths.PACKAGE_DIR / "gradescope").rglob("*.py")]
    assert not any("similarity" in s or "autograder.grade " in s for s in sources)
    assert "copydetect" not in (ROOT / "gradescope-lock.txt").read_text()


def test_the_review_extra_pins_copydetect():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"copydetect==0.5.0"' in pyproject
    assert "copydetect==0.5.0" in (ROOT / "constraints.txt").read_text().splitlines()


def test_the_page_shows_the_highest_pairs_and_the_csv_all_of_them(tmp_path, monkeypatch):
    monkeypatch.setattr("autograder.reporting.similarity.MAX_SHOWN", 1)
    pairs = [SimilarPair("q1", f"a{i}", f"b{i}", 0.9 - i / 10, 0.8, 20) for i in range(3)]
    write_similarity(tmp_path, SimilarityFile({"q1": pairs}, settings()), {}, {})
    page = (tmp_path / "similarity.html").read_text()
    assert page.count('<section class="pair"') == 1 and "3 pairs: the 1 highest are shown" in page
    assert len((tmp_path / "similarity.csv").read_text().splitlines()) == 1 + 3
