"""The review app behind its guard (token, host, save header), and the Canvas export's matching.

The app runs on Flask's test client here; tests/test_review_browser.py drives the real server
in a real browser.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from autograder.checks.judging import TestResult as CheckResult  # not "Test*": pytest would collect it
from autograder.grading.results import SubmissionResult
from autograder.manual.final import final_grade
from autograder.manual.rubric import load_rubric
from autograder.manual.store import ManualData
from autograder.review.app import TOKEN_HEADER, create_app
from autograder.review.canvas import RosterError, canvas_csv, read_roster
from autograder.review.session import ReviewSession, SessionError

TOKEN = "t0ken"


def _results() -> list[SubmissionResult]:
    tests = [CheckResult("q1_shift_values", "q1", "q1: values", 1.0, 0.0, False, "wrong values")]
    return [SubmissionResult(f"s{i}", f"/s{i}.ipynb", student=f"Student {i} <s{i}@uni.edu>", tests=tests,
                             written={"q1": f"answer {i} <script>alert(1)</script>", "q2": ""}, content_hash=f"h{i}")
            for i in range(3)]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    (tmp_path / "submissions.json").write_text(json.dumps([r.to_dict() for r in _results()]))
    return tmp_path


@pytest.fixture
def client(out):
    return create_app(ReviewSession(out), TOKEN).test_client()


def test_without_the_token_nothing_is_shown(client):
    assert client.get("/").status_code == 403
    assert client.get("/written/q1/0?token=wrong").status_code == 403
    assert client.get("/?token=" + TOKEN).status_code == 200


def test_the_token_is_kept_in_a_strict_same_site_cookie(client):
    response = client.get("/?token=" + TOKEN)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/written/q1/1").status_code == 200  # the cookie now


def test_a_save_needs_the_header_not_the_cookie(client):
    client.get("/?token=" + TOKEN)
    body = {"key": "s0", "question": "q1", "items": [], "revision": 0}
    assert client.post("/api/written", json=body).status_code == 403  # a cross-site form has only the cookie
    assert client.post("/api/written", json=body, headers={TOKEN_HEADER: TOKEN}).status_code == 200


def test_another_host_name_is_refused(client):
    assert client.get("/?token=" + TOKEN, headers={"Host": "evil.example:80"}).status_code == 403


def test_every_page_renders_and_escapes_answers(client):
    client.get("/?token=" + TOKEN)
    for q in ("q1", "q2"):
        for n in range(3):
            page = client.get(f"/written/{q}/{n}")
            assert page.status_code == 200 and b"<script>alert(1)" not in page.data
    assert client.get("/student/s2").status_code == 200
    assert client.get("/student/nobody").status_code == 404
    assert client.get("/written/q7/0").status_code == 404


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"key": "s0", "question": "q1", "items": ["verdict", "numbers", "why"], "adjust": "1"}, 400, "above the maximum"),
    ({"key": "s0", "question": "q1", "items": [], "adjust": "x"}, 400, "must be a number"),
    ({"key": "nobody", "question": "q1", "items": []}, 400, "not a written answer"),
])
def test_bad_input_gets_a_clear_message(client, body, status, message):
    response = client.post("/api/written", json={**body, "revision": 0}, headers={TOKEN_HEADER: TOKEN})
    assert response.status_code == status and message in response.json["error"]


def test_an_override_without_a_reason_is_refused(client):
    response = client.post("/api/override", json={"key": "s1", "check_id": "q1_shift_values", "points": "1",
                                                  "reason": "", "revision": 0}, headers={TOKEN_HEADER: TOKEN})
    assert response.status_code == 400 and "reason" in response.json["error"]


def test_a_folder_grade_did_not_write_is_named(tmp_path):
    with pytest.raises(SessionError, match="submissions.json"):
        ReviewSession(tmp_path)


def _finals(totals: dict[str, float]):
    rubric = load_rubric()
    return [final_grade(r, ManualData(), rubric) for r in _results() if r.key in totals]


def test_canvas_rows_follow_the_roster_and_match_by_email(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section\n    Points Possible,,,,\n"
                      "Student Two,102,u2,s2@uni.edu,A\nNobody Here,103,u3,nobody@uni.edu,A\n")
    export = canvas_csv(_finals({"s1": 0, "s2": 0}), "HW3", read_roster(roster))
    lines = export.text.splitlines()
    assert lines[0] == "Student,ID,SIS User ID,SIS Login ID,Section,HW3"
    assert lines[1] == "Student Two,102,u2,s2@uni.edu,A,0" and lines[2].endswith(",")
    assert export.unmatched_submissions == ["s1"] and export.unmatched_students == ["Nobody Here"]


def test_a_roster_without_identifying_columns_is_named(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("colour,size\nred,3\n")
    with pytest.raises(RosterError, match="roster.csv: no column identifies a student"):
        read_roster(roster)
