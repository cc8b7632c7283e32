"""Reporting: gradebook, results.json, feedback pages, class report and written answers."""

import base64
import csv
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest

from autograder.checks.judging import TestResult as CheckResult  # not "Test*": pytest would collect it
from autograder.grading.results import SubmissionResult
from autograder.reporting import pages, written
from autograder.reporting.gradebook import COLUMNS, gradebook_rows, write_gradebook
from autograder.reporting.results_json import RESULTS_SCHEMA, is_written_test, results_json, write_results_json

# The hidden checks of DESIGN.md, by hand: (question, check id suffix, title), 1 point each.
CHECKS = [
    ("q1", "shift_shape_dtype", "shift_right dtype and shape"),
    ("q1", "shift_values", "shift_right values"),
    ("q1", "pooling_change", "pooling_change"),
    ("q1", "fraction_unchanged", "fraction_unchanged"),
    ("q1", "finding", "average pooling changes more outputs"),
    ("q2", "weights_at_construction", "weights exist at construction"),
    ("q2", "weights_tracked", "weights are tracked"),
    ("q2", "call", "call computes x @ w + b"),
    ("q3", "is_custom_layer", "is a custom Layer"),
    ("q3", "output_shapes", "output shapes"),
    ("q3", "weight_counts", "weight counts"),
    ("q3", "numerics_inference", "numerics (inference)"),
    ("q3", "numerics_training", "numerics (training)"),
    ("q4", "activity_identity", "ActivityL1 is the identity"),
    ("q4", "activity_loss", "activity loss value"),
    ("q4", "losses_reset", "one loss per forward pass"),
    ("q4", "train_step_value", "train_step return value"),
    ("q4", "train_step_update", "train_step updates the weights"),
]
MAX_SCORE = 18
QUESTION_POINTS = {"q1": 5, "q2": 3, "q3": 5, "q4": 5}
SCRIPT = "<script>alert('xss')</script>"
ESCAPED_SCRIPT = "&lt;script&gt;"
OUTPUT_MARKER = "NOTEBOOK-STDOUT-MARKER"


def make_tests(passed: set[str] | None = None, message: str = "Expected shape (2, 4), got (4, 2).") -> list[CheckResult]:
    """One TestResult per hidden check; ``passed`` holds check ids (None: all pass)."""
    tests = []
    for question, what, title in CHECKS:
        check_id = f"{question}_{what}"
        ok = passed is None or check_id in passed
        tests.append(CheckResult(check_id, question, f"{question}: {title}", 1.0, 1.0 if ok else 0.0, ok,
                                "Passed." if ok else message))
    return tests


def make_result(key: str, *, status: str = "graded", passed: set[str] | None = None, **fields) -> SubmissionResult:
    defaults = {
        "source": f"/submissions/{key}/pooling_norms_layers.ipynb",
        "student": f"Student {key}",
        "written": {"q1": f"Answer of {key}: **max** pooling keeps more.", "q2": f"BN before ReLU ({key})."},
        "output": f"{OUTPUT_MARKER} epoch 1 loss 0.5\n",
        "seconds": 12.5,
    }
    tests = fields.pop("tests", None) or make_tests(passed, fields.pop("message", "Expected shape (2, 4), got (4, 2)."))
    return SubmissionResult(key=key, status=status, tests=tests, **{**defaults, **fields})


@pytest.fixture(scope="module")
def batch() -> list[SubmissionResult]:
    q1_only = {f"q1_{what}" for q, what, _ in CHECKS if q == "q1"}
    return [
        make_result("alice", student="Alice Martin"),
        make_result("bob", passed=q1_only | {"q2_call"}),
        make_result("carol", status="error", passed=set(), reason="The notebook's process exited with code 1.",
                    cell_errors=[{"index": 7, "type": "NameError", "message": "name 'tf' is not defined"}]),
        make_result("dave", status="timeout", passed={"q1_shift_values"}, seconds=120.0,
                    reason="Time limit of 120 s reached; checks that had not run score 0."),
        make_result("erin", passed=set(), written={}),
        make_result("frank", passed={"q3_output_shapes"}, written={"q1": "Short answer.", "q2": "   \n"}),
        make_result(
            "mallory",
            passed=set(),
            student=f'Mallory {SCRIPT} "><img src=x onerror=alert(1)>',
            message=f"Calling your q3 code raised ValueError: {SCRIPT}",
            output=f"{OUTPUT_MARKER} {SCRIPT}\n",
            reason=f"crashed {SCRIPT}",
            cell_errors=[{"index": 3, "type": "RuntimeError", "message": SCRIPT}],
            written={"q1": f"{SCRIPT}\n\n<img src=x onerror=alert(1)> [x](javascript:alert(1))",
                     "q2": "=HYPERLINK(\"http://evil\")"},
        ),
    ]


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, batch: list[SubmissionResult]) -> Path:
    """The pages of ``batch``, written once for the module (tests only read them)."""
    folder = tmp_path_factory.mktemp("pages")
    pages.write_all(batch, folder)
    return folder


def html_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.html"))


# --------------------------------------------------------------------------- pages


def test_write_all_writes_every_page(out: Path, batch: list[SubmissionResult]) -> None:
    expected = {"index.html", "report.html", "written/q1.html", "written/q2.html", "written/written_answers.csv"}
    expected |= {f"feedback/{r.key}.html" for r in batch}
    written_files = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written_files == expected  # and no temporary files left behind


def test_index_links_report_written_pages_and_gradebook(out: Path) -> None:
    index = (out / "index.html").read_text()
    for href in ("report.html", "written/q1.html", "written/q2.html", "written/written_answers.csv", "grades.csv"):
        assert f'href="{href}"' in index


def test_feedback_page_shows_status_reason_scores_and_tests(out: Path) -> None:
    page = (out / "feedback" / "dave.html").read_text()
    assert "Student dave" in page
    assert 'class="badge timeout">timeout<' in page
    assert "Time limit of 120 s reached" in page
    assert "1 / 18" in page
    assert "1 / 5" in page and "0 / 3" in page  # q1 and q2 totals
    for question, _, title in CHECKS:
        assert f"{question}: {title}" in page
    assert page.count('class="badge passed">passed<') == 1
    assert page.count('class="badge failed">failed<') == MAX_SCORE - 1
    assert "Expected shape (2, 4), got (4, 2)." in page


def test_feedback_page_lists_cells_that_raised(out: Path) -> None:
    page = (out / "feedback" / "carol.html").read_text()
    assert "Cells that raised an error" in page
    assert "NameError" in page and "name &#39;tf&#39; is not defined" in page
    assert "Cells that raised an error" not in (out / "feedback" / "alice.html").read_text()


def test_feedback_page_keeps_notebook_output_collapsed(out: Path) -> None:
    page = (out / "feedback" / "alice.html").read_text()
    details = re.search(r"<details>\s*<summary>Notebook output.*?</details>", page, re.S)
    assert details is not None and OUTPUT_MARKER in details.group(0)
    assert page.count(OUTPUT_MARKER) == 1


@pytest.mark.parametrize("page", ["feedback/mallory.html", "report.html", "written/q1.html", "written/q2.html"])
def test_student_text_is_escaped(out: Path, page: str) -> None:
    text = (out / page).read_text()
    assert ESCAPED_SCRIPT in text
    assert "<script" not in text.lower()
    assert "<img src=x" not in text
    assert 'href="javascript:' not in text


def test_pages_are_self_contained(out: Path) -> None:
    for path in html_files(out):
        text = path.read_text()
        assert "<link" not in text and "<script" not in text, path
        assert all(src.startswith("data:image/png;base64,") for src in re.findall(r'src="([^"]*)"', text)), path
        assert "<style>" in text and "Content-Security-Policy" in text, path


def test_report_summarizes_statuses_and_scores(out: Path, batch: list[SubmissionResult]) -> None:
    page = (out / "report.html").read_text()
    cards = {label: value for value, label in re.findall(r'<div class="v">([^<]+)</div><div class="k">([^<]+)</div>', page)}
    assert {k: cards[k] for k in ("submissions", "graded", "error", "timeout")} == {
        "submissions": "7", "graded": "5", "error": "1", "timeout": "1"}
    scores = sorted(r.score for r in batch)
    total_row = re.search(r'<tr class="total-row">(.*?)</tr>', page, re.S).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', total_row)
    assert cells[:4] == ["18", f"{sum(scores) / len(scores):.2f}", f"{scores[len(scores) // 2]:g}", f"{scores[0]:g}"]


def test_report_links_every_feedback_page(out: Path, batch: list[SubmissionResult]) -> None:
    page = (out / "report.html").read_text()
    roster = page[page.index('id="submissions"'):]  # the common mistakes link some of them too
    links = re.findall(r'<a href="feedback/([^"]+)\.html">', roster)
    assert links == [r.key for r in batch]


def test_report_embeds_four_png_plots(out: Path) -> None:
    page = (out / "report.html").read_text()
    images = re.findall(r'<img src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 4
    assert all(base64.b64decode(data).startswith(b"\x89PNG\r\n\x1a\n") for data in images)
    for caption in ("Score distribution", "Pass rate per test", "Mean score per question", "Slowest submissions"):
        assert caption in page


@pytest.mark.parametrize("count", [0, 1])
def test_report_handles_tiny_classes(tmp_path: Path, count: int) -> None:
    results = [make_result("solo")][:count]
    pages.write_all(results, tmp_path)
    page = (tmp_path / "report.html").read_text()
    assert len(re.findall(r"<img ", page)) == (4 if count else 0)
    assert ("No submissions." in page) == (count == 0)
    assert len(list((tmp_path / "feedback").glob("*.html"))) == count


@pytest.mark.parametrize("key", ["../escape", "a/b", "..", ""])
def test_unsafe_key_is_refused_before_writing(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError, match="file-name-safe"):
        pages.write_all([make_result("ok"), make_result(key)], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_500_results_make_500_linked_feedback_pages(tmp_path: Path) -> None:
    """How fast this is belongs to benchmarks/bench_reporting.py; here, that it is complete."""
    statuses = ["graded"] * 8 + ["error", "timeout"]
    results = [
        make_result(f"s{i:03d}", status=statuses[i % 10], seconds=float(i % 97),
                    passed={f"{q}_{what}" for j, (q, what, _) in enumerate(CHECKS) if (i + j) % 3},
                    written={"q1": f"answer {i}"} if i % 4 else {})
        for i in range(500)
    ]
    pages.write_all(results, tmp_path / "out")
    assert len(list((tmp_path / "out" / "feedback").glob("*.html"))) == 500
    page = (tmp_path / "out" / "report.html").read_text()
    assert page[page.index('id="submissions"'):].count('<a href="feedback/') == 500


# --------------------------------------------------------------------------- written answers


def test_written_page_lists_every_submission(out: Path, batch: list[SubmissionResult]) -> None:
    page = (out / "written" / "q1.html").read_text()
    assert page.count('<article class="answer"') == len(batch)
    for r in batch:
        assert f'id="{r.key}"' in page and f'href="../feedback/{r.key}.html"' in page
    assert "Alice Martin" in page
    assert "6 of 7 submissions answered" in page  # erin wrote nothing


@pytest.mark.parametrize(("question", "missing"), [("q1", {"erin"}), ("q2", {"erin", "frank"})])
def test_written_page_marks_missing_answers(out: Path, question: str, missing: set[str]) -> None:
    page = (out / "written" / f"{question}.html").read_text()
    articles = dict(re.findall(r'<article class="answer" id="([^"]+)">(.*?)</article>', page, re.S))
    assert {key for key, body in articles.items() if "No answer found" in body} == missing


def test_written_answer_rendered_as_markdown_without_html() -> None:
    pytest.importorskip("markdown_it")
    html = written.render_answer(f"**max** pooling\n\n{SCRIPT} [x](javascript:alert(1)) ![p](http://x/p.png)")
    assert "<strong>max</strong>" in html
    assert ESCAPED_SCRIPT in html and "<script" not in html
    assert 'href="javascript:' not in html and "<img" not in html


def test_written_answer_falls_back_to_escaped_preformatted_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(written, "_markdown", lambda: None)
    html = written.render_answer(f"**max**\n{SCRIPT}")
    assert html == f'<pre class="answer-raw">**max**\n{ESCAPED_SCRIPT}alert(&#39;xss&#39;)&lt;/script&gt;</pre>'


def test_written_csv_has_one_row_per_submission(out: Path, batch: list[SubmissionResult]) -> None:
    with (out / "written" / "written_answers.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["submission", "student", "q1", "q2"]
    assert [row["submission"] for row in rows] == [r.key for r in batch]
    by_key = {row["submission"]: row for row in rows}
    assert by_key["alice"]["q1"] == batch[0].written["q1"]
    assert by_key["erin"]["q1"] == by_key["erin"]["q2"] == ""
    assert by_key["mallory"]["q1"].startswith(SCRIPT)  # multi-line text survives the round trip
    assert by_key["mallory"]["q2"] == "'=HYPERLINK(\"http://evil\")"  # not run as a formula


# --------------------------------------------------------------------------- gradebook and results.json


def test_gradebook_columns_and_rows(tmp_path: Path, batch: list[SubmissionResult]) -> None:
    write_gradebook(batch, tmp_path / "grades.csv")
    rows = list(csv.reader(io.StringIO((tmp_path / "grades.csv").read_text())))
    assert rows[0][:8] == ["submission", "status", "score", "max_score", "q1", "q2", "q3", "q4"]
    assert tuple(rows[0][:8]) == COLUMNS
    assert len(rows) == len(batch) + 1
    assert rows[2][:8] == ["bob", "graded", "6", "18", "5", "1", "0", "0"]
    assert rows[4][:4] == ["dave", "timeout", "1", "18"]


def test_gradebook_rows_sum_to_score(batch: list[SubmissionResult]) -> None:
    for row, result in zip(gradebook_rows(batch), batch, strict=True):
        assert float(row["score"]) == pytest.approx(sum(float(row[q]) for q in QUESTION_POINTS))
        assert float(row["score"]) == result.score and row["max_score"] == str(MAX_SCORE)


@pytest.mark.parametrize("index", range(7))
def test_results_json_is_valid_gradescope_output(tmp_path: Path, batch: list[SubmissionResult], index: int) -> None:
    result = batch[index]
    write_results_json(result, tmp_path / "results.json")
    data = json.loads((tmp_path / "results.json").read_text())
    jsonschema.validate(data, RESULTS_SCHEMA)
    assert data["score"] == result.score
    checks = [t for t in data["tests"] if not is_written_test(t["name"])]
    written = [t for t in data["tests"] if is_written_test(t["name"])]
    assert len(checks) == len(CHECKS)
    for test, (question, _, _) in zip(checks, CHECKS, strict=True):
        assert test["name"].startswith(f"{question}: ")
        assert test["visibility"] == "after_published"
    assert [(t["name"][:3], t["visibility"], t["max_score"]) for t in written] == [("q1:", "hidden", 0), ("q2:", "hidden", 0)]
    assert data["stdout_visibility"] == "hidden"
    assert OUTPUT_MARKER not in json.dumps(data)


@pytest.mark.parametrize(("feedback", "overall", "tests", "per_question"), [
    ("none", "after_published", "after_published", False),
    ("total", "visible", "after_published", False),
    ("questions", "visible", "after_published", True),
    ("tests", "visible", "visible", True),
])
def test_feedback_before_publishing_controls_what_students_see(batch: list[SubmissionResult], feedback: str,
                                                                overall: str, tests: str, per_question: bool) -> None:
    data = results_json(batch[0], feedback=feedback)
    assert data["visibility"] == overall
    assert {t["visibility"] for t in data["tests"] if not is_written_test(t["name"])} == {tests}
    assert {t["visibility"] for t in data["tests"] if is_written_test(t["name"])} == {"hidden"}  # staff only
    assert ("  q1: " in data["output"]) is per_question


def test_results_json_reports_status_reason_and_cell_errors(batch: list[SubmissionResult]) -> None:
    data = results_json(batch[2])
    assert "exited with code 1" in data["output"]
    assert "cell 7: NameError" in data["output"]
    assert [t["status"] for t in data["tests"] if not is_written_test(t["name"])] == ["failed"] * len(CHECKS)
