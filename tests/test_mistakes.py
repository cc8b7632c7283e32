"""Common mistakes: failed checks grouped by check and message, largest first, linked to each student's feedback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from test_reporting import CHECKS, SCRIPT, make_result

from autograder.reporting import pages
from autograder.reporting.mistakes import common_mistakes

ALL = {f"{q}_{what}" for q, what, _ in CHECKS}


def _failing(*check_ids: str) -> set[str]:
    return ALL - set(check_ids)


@pytest.fixture
def batch():
    return [
        make_result("ann", passed=_failing("q3_output_shapes"), message="Expected shape (2, 5, 5, 6)."),
        make_result("ben", passed=_failing("q3_output_shapes"), message="Expected shape (2, 5, 5, 6)."),
        make_result("cat", passed=_failing("q3_output_shapes", "q1_shift_values"), message="got (2, 5, 5, 3)"),
        make_result("dan"),
    ]


def test_groups_are_per_question_in_natural_order_largest_first(batch):
    groups = common_mistakes(batch)
    assert list(groups) == ["q1", "q3"]
    q3 = groups["q3"]
    assert [(g.check_id, g.message, g.keys) for g in q3] == [
        ("q3_output_shapes", "Expected shape (2, 5, 5, 6).", ("ann", "ben")),
        ("q3_output_shapes", "got (2, 5, 5, 3)", ("cat",)),
    ]
    assert q3[0].count == 2 and q3[0].students == ("Student ann", "Student ben")


def test_a_check_that_lost_no_points_is_no_mistake(batch):
    groups = common_mistakes(batch)
    assert all("dan" not in g.keys for gs in groups.values() for g in gs)
    assert common_mistakes([make_result("eve")]) == {}


def test_ties_keep_the_checks_order(batch):
    q1 = common_mistakes([make_result("x", passed=_failing("q1_finding", "q1_shift_values"), message="m")])["q1"]
    assert [g.check_id for g in q1] == ["q1_shift_values", "q1_finding"]


def test_the_report_shows_each_group_with_links_to_its_students(tmp_path: Path, batch):
    pages.write_all(batch, tmp_path)
    report = (tmp_path / "report.html").read_text()
    section = report[report.index('id="mistakes"'):report.index('id="submissions"')]
    assert "Expected shape (2, 5, 5, 6)." in section
    assert re.search(r"<strong>2</strong>.*?feedback/ann\.html.*?feedback/ben\.html", section, re.S)
    assert 'href="feedback/cat.html"' in section and "feedback/dan.html" not in section


def test_messages_and_names_are_escaped_in_the_report(tmp_path: Path):
    batch = [make_result("mal", student=SCRIPT, passed=_failing("q2_call"), message=SCRIPT)]
    pages.write_all(batch, tmp_path)
    report = (tmp_path / "report.html").read_text()
    section = report[report.index('id="mistakes"'):report.index('id="submissions"')]
    assert SCRIPT not in section and "&lt;script&gt;" in section


def test_a_class_without_mistakes_has_no_section(tmp_path: Path):
    pages.write_all([make_result("dan")], tmp_path)
    assert 'id="mistakes"' not in (tmp_path / "report.html").read_text()
