"""A TA's whole review in a real headless browser, against the real command line.

The examples and a class of generated submissions are graded; ``autograder review`` serves
them; Chromium (driven by Playwright) grades both written questions with the keyboard only,
overrides one test, meets a bad entry, and gives one override to a whole group of the same
mistake. The server is killed mid-way and started again: nothing entered is lost.
``autograder export`` then writes the final grades, the feedback pages and the Canvas file,
and a rerun of ``grade`` after a student changed an answer keeps every other score and flags
that one.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, build_submission, copy_examples, grading_env, write_submission

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("review_browser")]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
CLASS = 6
"""Generated submissions besides the examples: each with its own written answers."""


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, env=grading_env(COLUMNS="300"),
                          capture_output=True, text=True, timeout=600, **kwargs)


class Server:
    """``autograder review`` in a subprocess; ``url`` is what it printed."""

    def __init__(self, out: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-u", "-m", "autograder", "review", "--out", str(out)], cwd=ROOT,
                                     env=grading_env(COLUMNS="300"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        self.url = ""
        for line in self.proc.stdout:
            if "http://127.0.0.1:" in line:
                self.url = line[line.index("http://"):].split()[0]
                break
        assert self.url, "review printed no URL"
        self.base = self.url.rstrip("/")  # http://127.0.0.1:PORT/TOKEN

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)  # a crash: no chance to flush anything
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    if CHROMIUM is None:
        pytest.skip("needs Chromium (`make test` installs Debian's chromium)")
    subs = tmp_path_factory.mktemp("review_subs")
    copy_examples(subs)
    for i in range(CLASS):
        write_submission(subs / f"c{i}.ipynb", build_submission({}, written={
            "q1": f"Student {i}: average pooling is less invariant than max pooling.",
            "q2": f"Student {i}: the kernel is made in __init__, so the width is fixed."}))
    out = tmp_path_factory.mktemp("review_out")
    graded = _cli("grade", str(subs), "--out", str(out), "--workers", "2")
    assert graded.returncode == 0, graded.stdout[-2000:] + graded.stderr[-2000:]
    return {"subs": subs, "out": out, "keys": [r["key"] for r in json.loads((out / "submissions.json").read_text())]}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _grade_question(page, question: str, start: int, stop: int, ticks: str) -> None:
    """From submission ``start`` to ``stop``: tick rubric items by their number keys as fast as the
    keyboard goes (the saves queue up), comment on the first, and ``j`` to the next."""
    for n in range(start, stop):
        page.wait_for_url(f"**/written/{question}/{n}")
        for key in ticks:
            page.keyboard.press(key)
        if n == 0:
            page.keyboard.press("c")
            page.keyboard.type("Good use of the numbers.")
            page.keyboard.press("Escape")
        with page.expect_navigation():
            page.keyboard.press("j")


@pytest.fixture(scope="module")
def reviewed(batch, browser):
    keys, out = batch["keys"], batch["out"]
    server = Server(out)
    page = browser.new_page(bypass_csp=True)  # lets the test wait on page state; the app keeps its CSP
    page.goto(server.url)
    assert page.title().startswith("Overview")
    page.goto(f"{server.base}/written/q1/0")
    _grade_question(page, "q1", 0, len(keys), "12")  # items 1 and 2 of q1: 1.5 points each
    page.goto(f"{server.base}/written/q2/0")
    half = len(keys) // 2
    _grade_question(page, "q2", 0, half, "1")  # item 1 of q2: 1 point
    server.kill()  # mid-way

    server = Server(out)
    page = browser.new_page(bypass_csp=True)  # lets the test wait on page state; the app keeps its CSP
    page.goto(server.url)
    page.goto(f"{server.base}/written/q2/{half - 1}")
    restored = page.locator('input[name="item"]').nth(0).is_checked()
    page.goto(f"{server.base}/written/q2/{half}")
    _grade_question(page, "q2", half, len(keys), "1")

    page.goto(f"{server.base}/written/q1/0")  # a bad entry: too many points
    page.fill("#adjust", "5")
    page.locator("#adjust").blur()
    page.wait_for_function("document.getElementById('status').className === 'error'")
    bad_message = page.text_content("#status")
    page.fill("#adjust", "")
    page.locator("#adjust").blur()
    page.wait_for_function("document.getElementById('status').textContent === 'saved'")

    page.goto(f"{server.base}/student/e_partial")
    row = page.locator('tr[data-check="q2_weights_tracked"]')
    row.locator('[name="points"]').fill("1")
    row.locator(".save").click()
    row.locator(".status.error").wait_for()
    no_reason = row.locator(".status").text_content()
    row.locator('[name="reason"]').fill("Right formula; the test input hit a shape the lesson never used.")
    row.locator('[name="reason"]').press("Enter")
    row.locator(".status.saved").wait_for()

    page.goto(server.url)  # one override for a whole group of the same mistake
    with page.expect_navigation():
        page.click("#mistakes")
    group = page.locator('tr.group[data-check="q1_finding"]').first
    group.locator('[name="points"]').fill("0.5")
    group.locator('[name="reason"]').fill("The lesson's figure was misleading: half credit for everyone.")
    group.locator(".save").click()
    group.locator(".status.saved").wait_for()
    group_saved = group.locator(".status").text_content()
    server.kill()
    return {"restored": restored, "bad_message": bad_message, "no_reason": no_reason, "group_saved": group_saved}


def test_keyboard_grading_and_a_crash_lose_nothing(batch, reviewed):
    assert reviewed["restored"], "a score entered before the crash was not there after the restart"
    manual = json.loads((batch["out"] / "manual.json").read_text())
    for key in batch["keys"]:
        assert manual["written"][key]["q1"]["items"] == ["numbers", "verdict"], key
        assert manual["written"][key]["q2"]["items"] == ["init_weights"], key
    assert manual["written"][batch["keys"][0]]["q1"]["comment"] == "Good use of the numbers."
    assert manual["overrides"]["e_partial"]["q2_weights_tracked"]["points"] == 1.0


def test_one_override_goes_to_a_whole_group_of_the_same_mistake(batch, reviewed):
    overrides = json.loads((batch["out"] / "manual.json").read_text())["overrides"]
    given = {key for key, tests in overrides.items() if "q1_finding" in tests}
    assert reviewed["group_saved"] == f"saved for {len(given)}"
    assert {f"c{i}" for i in range(CLASS)} <= given and "e_full" not in given
    assert {overrides[key]["q1_finding"]["points"] for key in given} == {0.5}
    assert all(overrides[key]["q1_finding"]["reason"].startswith("The lesson's figure") for key in given)


def test_bad_entries_get_a_clear_message_and_save_nothing(batch, reviewed):
    assert "above the maximum of 2" in reviewed["bad_message"]
    assert "needs a reason" in reviewed["no_reason"]
    assert json.loads((batch["out"] / "manual.json").read_text())["written"][batch["keys"][0]]["q1"]["adjust"] == 0


def _rows(path: Path) -> dict[str, dict[str, str]]:
    with open(path, newline="") as fh:
        return {r["submission"]: r for r in csv.DictReader(fh)}


def test_export_writes_final_grades_feedback_and_canvas(batch, reviewed):
    out = batch["out"]
    roster = out.parent / "roster.csv"
    roster.write_text("Student,ID,SIS User ID,SIS Login ID,Section,submission\n"
                      "Ada Full,1,u1,ada@uni.edu,A,e_full\nBen Partial,2,u2,ben@uni.edu,A,e_partial\n")
    proc = _cli("export", "--out", str(out), "--roster", str(roster), "--assignment", "HW3")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = _rows(out / "grades.csv")
    assert (rows["e_full"]["q1_written"], rows["e_full"]["q2_written"], rows["e_full"]["total"]) == ("1.5", "1", "20.5")
    assert (rows["e_partial"]["autograded"], rows["e_partial"]["total"]) == ("14", "16.5")
    feedback = (out / "feedback" / "e_full.html").read_text()
    assert "Final grade: <strong>20.5 / 22</strong>" in feedback and feedback.count("✓") == 3
    assert "Good use of the numbers." in (out / "feedback" / f"{batch['keys'][0]}.html").read_text()
    assert "Points changed by a TA" in (out / "feedback" / "e_partial.html").read_text()
    assert "Written answers (graded by hand)" in (out / "report.html").read_text()
    canvas = (out / "canvas.csv").read_text().splitlines()
    assert canvas[0] == "Student,ID,SIS User ID,SIS Login ID,Section,HW3"
    assert canvas[1:] == ["Ada Full,1,u1,ada@uni.edu,A,20.5", "Ben Partial,2,u2,ben@uni.edu,A,16.5"]
    assert "no roster row for submission" in " ".join(proc.stdout.split())


def test_a_rerun_of_grade_keeps_scores_and_flags_a_changed_answer(batch, reviewed):
    changed = batch["subs"] / "c0.ipynb"
    write_submission(changed, build_submission({}, written={"q1": "I rewrote my answer.", "q2": (
        "Student 0: the kernel is made in __init__, so the width is fixed.")}))
    proc = _cli("grade", str(batch["subs"]), "--out", str(batch["out"]), "--workers", "2")
    assert proc.returncode == 0, proc.stdout[-2000:]
    rows = _rows(batch["out"] / "grades.csv")
    assert rows["c0"]["q1_written"] == "" and "answer changed" in rows["c0"]["manual_flags"]
    assert rows["c0"]["q2_written"] == "1"
    assert rows["c1"]["q1_written"] == "1.5" and rows["c1"]["manual_flags"] == ""
    assert os.path.exists(batch["out"] / "manual.json")
