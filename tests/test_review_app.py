"""The review app behind its guard (token, host, save header), and the Canvas export's matching.

The app runs on Flask's test client here; tests/test_review_browser.py drives the real server
in a real browser.
"""

from __future__ import annotations

import json
import re
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
    assert client.get("/wrong/written/q1/0").status_code == 403
    assert client.get(f"/{TOKEN}/").status_code == 200


def test_no_cookie_carries_the_token_and_no_page_may_frame_it(client):
    """Browsers send a host's cookies to all its ports: another local server would collect it."""
    response = client.get(f"/{TOKEN}/")
    assert "Set-Cookie" not in response.headers
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert f"/{TOKEN}/written/q1/0" in response.text  # links carry it


def test_a_save_needs_the_header(client):
    body = {"key": "s0", "question": "q1", "items": [], "revision": 0}
    assert client.post(f"/{TOKEN}/api/written", json=body).status_code == 403  # a cross-site form has no header
    assert client.post(f"/{TOKEN}/api/written", json=body, headers={TOKEN_HEADER: TOKEN}).status_code == 200


def test_another_host_name_is_refused(client):
    assert client.get(f"/{TOKEN}/", headers={"Host": "evil.example:80"}).status_code == 403


def test_the_first_answers_previous_link_stays_on_it(client):
    assert client.get(f"/{TOKEN}/written/q1/-1").status_code == 302


def test_a_key_that_is_not_a_string_is_a_clear_400(client):
    body = {"key": ["s0"], "question": "q1", "items": [], "revision": 0}
    assert client.post(f"/{TOKEN}/api/written", json=body, headers={TOKEN_HEADER: TOKEN}).status_code == 400
    body = {"key": ["s0"], "check_id": "q1_shift_values", "points": "1", "reason": "x", "revision": 0}
    assert client.post(f"/{TOKEN}/api/override", json=body, headers={TOKEN_HEADER: TOKEN}).status_code == 400


def test_pages_and_export_follow_a_newer_grade_run(client, out):
    newer = _results()
    newer[0].written["q1"] = "a rewritten answer"
    (out / "submissions.json").write_text(json.dumps([r.to_dict() for r in newer]))
    assert b"a rewritten answer" in client.get(f"/{TOKEN}/written/q1/0").data
    assert client.post(f"/{TOKEN}/api/export", headers={TOKEN_HEADER: TOKEN}).status_code == 200
    assert "a rewritten answer" in (out / "submissions.json").read_text()  # export never reverts it


def test_every_page_renders_and_escapes_answers(client):
    for q in ("q1", "q2"):
        for n in range(3):
            page = client.get(f"/{TOKEN}/written/{q}/{n}")
            assert page.status_code == 200 and b"<script>alert(1)" not in page.data
    assert client.get(f"/{TOKEN}/student/s2").status_code == 200
    assert client.get(f"/{TOKEN}/student/nobody").status_code == 404
    assert client.get(f"/{TOKEN}/written/q7/0").status_code == 404


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"key": "s0", "question": "q1", "items": ["verdict", "numbers", "why"], "adjust": "1"}, 400, "above the maximum"),
    ({"key": "s0", "question": "q1", "items": [], "adjust": "x"}, 400, "must be a number"),
    ({"key": "nobody", "question": "q1", "items": []}, 400, "not a written answer"),
])
def test_bad_input_gets_a_clear_message(client, body, status, message):
    response = client.post(f"/{TOKEN}/api/written", json={**body, "revision": 0}, headers={TOKEN_HEADER: TOKEN})
    assert response.status_code == status and message in response.json["error"]


def test_an_override_without_a_reason_is_refused(client):
    response = client.post(f"/{TOKEN}/api/override", json={"key": "s1", "check_id": "q1_shift_values", "points": "1",
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


def test_a_shared_name_gives_nobody_a_classmates_grade(tmp_path):
    results = _results()[:2]
    for r in results:
        r.student = "Jane Doe"
    rubric = load_rubric()
    finals = [final_grade(r, ManualData(), rubric) for r in results]
    roster = tmp_path / "roster.csv"
    roster.write_text("Student,SIS Login ID\nJane Doe,jane1@uni.edu\nJane Doe,jane2@uni.edu\n")
    export = canvas_csv(finals, "HW3", read_roster(roster))
    assert [line.rsplit(",", 1)[1] for line in export.text.splitlines()[1:]] == ["", ""]
    assert sorted(export.unmatched_submissions) == ["s0", "s1"]


def test_a_roster_without_identifying_columns_is_named(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("colour,size\nred,3\n")
    with pytest.raises(RosterError, match="roster.csv: no column identifies a student"):
        read_roster(roster)


def test_a_different_rubric_cannot_replace_the_one_scores_were_entered_with(out, tmp_path):
    session = ReviewSession(out)
    session.store.save_written("s0", session.rubric["q1"], items=["verdict"], adjust=0, comment="",
                               answer=session.by_key["s0"].written["q1"], revision=0)
    other = tmp_path / "other_rubric.yaml"
    other.write_text((out / "rubric.yaml").read_text().replace("points: 2", "points: 1", 1))
    with pytest.raises(SessionError, match="already scored"):
        ReviewSession(out, other)
    assert ReviewSession(out).rubric["q1"].points == 2  # the kept copy wins by default


def test_scores_given_under_other_rubric_points_are_flagged(out):
    session = ReviewSession(out)
    session.store.save_written("s0", session.rubric["q1"], items=["verdict"], adjust=0, comment="",
                               answer=session.by_key["s0"].written["q1"], revision=0)
    (out / "rubric.yaml").write_text((out / "rubric.yaml").read_text().replace("points: 1\n", "points: 2\n", 1))
    grade = ReviewSession(out).finals()["s0"]
    assert grade.written["q1"].score is None and any("rubric" in f for f in grade.flags)


GROUP = {"check_id": "q1_shift_values", "message": "wrong values"}


def _group(client) -> dict[str, str]:
    """The group as the mistakes page gives it to its script (check, message and the state it was loaded in)."""
    page = client.get(f"/{TOKEN}/mistakes").text
    return {**GROUP, "state": re.search(r'data-check="q1_shift_values"[^>]*data-state="([0-9a-f]+)"', page)[1]}


def test_the_mistakes_page_lists_the_group_with_its_students(client):
    page = client.get(f"/{TOKEN}/mistakes").text
    assert 'data-check="q1_shift_values"' in page and "Give to 3" in page
    assert all(f"/{TOKEN}/student/s{i}" in page for i in range(3))


def test_one_group_override_is_saved_for_every_student_and_counts_in_their_grade(client, out):
    body = {**_group(client), "points": "0.5", "reason": "The lesson's figure was ambiguous."}
    response = client.post(f"/{TOKEN}/api/group-override", json=body, headers={TOKEN_HEADER: TOKEN})
    assert response.status_code == 200 and response.json["count"] == 3
    saved = json.loads((out / "manual.json").read_text())["overrides"]
    assert {k: v["q1_shift_values"]["points"] for k, v in saved.items()} == {"s0": 0.5, "s1": 0.5, "s2": 0.5}
    assert {v["q1_shift_values"]["content_hash"] for v in saved.values()} == {"h0", "h1", "h2"}
    session = ReviewSession(out)
    assert [final_grade(r, session.store.load(), session.rubric).autograded for r in session.results] == [0.5] * 3
    assert "3 overridden" in client.get(f"/{TOKEN}/mistakes").text


def test_a_group_override_replaces_a_students_own_and_bumps_its_revision(client, out):
    one = {"key": "s1", "check_id": "q1_shift_values", "points": "1", "reason": "mine", "revision": 0}
    assert client.post(f"/{TOKEN}/api/override", json=one, headers={TOKEN_HEADER: TOKEN}).status_code == 200
    body = {**_group(client), "points": "0", "reason": "for all"}
    assert client.post(f"/{TOKEN}/api/group-override", json=body, headers={TOKEN_HEADER: TOKEN}).status_code == 200
    saved = json.loads((out / "manual.json").read_text())["overrides"]["s1"]["q1_shift_values"]
    assert (saved["reason"], saved["revision"]) == ("for all", 2)


def test_a_group_override_from_a_page_loaded_before_another_change_is_refused(client, out):
    """As for one override: a student's override saved since the page was loaded is not silently replaced."""
    body = {**_group(client), "points": "0", "reason": "for all"}
    one = {"key": "s1", "check_id": "q1_shift_values", "points": "1", "reason": "mine", "revision": 0}
    assert client.post(f"/{TOKEN}/api/override", json=one, headers={TOKEN_HEADER: TOKEN}).status_code == 200
    response = client.post(f"/{TOKEN}/api/group-override", json=body, headers={TOKEN_HEADER: TOKEN})
    assert response.status_code == 409 and "reload" in response.json["error"]
    saved = json.loads((out / "manual.json").read_text())["overrides"]
    assert set(saved) == {"s1"} and saved["s1"]["q1_shift_values"]["reason"] == "mine"


def test_a_second_group_save_from_the_same_page_uses_the_state_the_first_returned(client, out):
    body = {**_group(client), "points": "0", "reason": "first"}
    first = client.post(f"/{TOKEN}/api/group-override", json=body, headers={TOKEN_HEADER: TOKEN})
    second = client.post(f"/{TOKEN}/api/group-override", json={**body, "state": first.json["state"], "reason": "then"},
                         headers={TOKEN_HEADER: TOKEN})
    assert second.status_code == 200
    assert json.loads((out / "manual.json").read_text())["overrides"]["s0"]["q1_shift_values"]["reason"] == "then"


@pytest.mark.parametrize(("body", "message"), [
    ({**GROUP, "points": "1"}, "reason"),
    ({**GROUP, "points": "", "reason": "x"}, "enter the points"),
    ({**GROUP, "points": "2", "reason": "x"}, "outside 0 to 1"),
    ({"check_id": "q1_shift_values", "message": "another message", "points": "1", "reason": "x"}, "no such group"),
    ({"check_id": ["q1_shift_values"], "message": "wrong values", "points": "1", "reason": "x"}, "no such group"),
])
def test_a_bad_group_override_saves_nothing_and_says_why(client, out, body, message):
    body = {**body, "state": _group(client)["state"]}
    response = client.post(f"/{TOKEN}/api/group-override", json=body, headers={TOKEN_HEADER: TOKEN})
    assert response.status_code == 400 and message in response.json["error"]
    assert not (out / "manual.json").exists() or not json.loads((out / "manual.json").read_text())["overrides"]


def test_a_group_override_needs_the_header(client):
    body = {**GROUP, "points": "1", "reason": "x"}
    assert client.post(f"/{TOKEN}/api/group-override", json=body).status_code == 403


def test_a_student_page_lists_the_submissions_close_to_it_per_question(client, out):
    pair = {"question": "q3", "a": "s0", "b": "s1", "share_a": 0.9, "share_b": 0.8, "shared": 40}
    (out / "similarity.json").write_text(json.dumps({"version": 1, "pairs": {"q3": [pair]}, "settings": {}}))
    close = re.search(r'<ul id="close">(.*?)</ul>', client.get(f"/{TOKEN}/student/s0").text, re.S)[1]
    assert "q3" in close and f"/{TOKEN}/student/s1" in close and "0.90" in close
    assert 'id="close"' not in client.get(f"/{TOKEN}/student/s2").text
