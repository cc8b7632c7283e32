"""Shared fixtures, and the rules that let the suite's tests share the machine (pytest-xdist).

- Tests that read one grading batch run in one worker (an xdist group), so it is graded once;
  what a batch leaves behind is checked exactly even while other workers grade
  (``shared_machine``).
- Artefacts that every worker needs (the reference measurements) are built by one worker
  while the others wait for it, never twice.
- The long poles (see ``LONG_POLES``) are collected first, so that the scheduler starts them
  first and the short tests fill in around them.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest
from shared_batches import HONEST

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # quieter logs from TensorFlow subprocesses

LONG_POLES = (
    "tests/test_gradescope_image.py",
    "tests/adversarial/test_installed_package.py",
    "tests/adversarial/test_isolation.py",
    "tests/test_corpus_graded.py",
    "tests/adversarial/test_adversarial.py",
    "tests/test_distributed.py",
    "tests/adversarial/test_hostile_inputs.py",
    "tests/adversarial/test_unprivileged.py",
    "tests/adversarial/test_container_fallback.py",
    "tests/test_gradescope.py",
    "tests/test_review_browser.py",
    "tests/adversarial/test_adversarial_gradescope.py",
    "tests/test_batch.py",
    "tests/test_student_notebook.py",
    "tests/test_assign.py",
)
"""Modules by how long their slowest share of work takes, longest first (measured with --durations)."""


@pytest.hookimpl(trylast=True)  # after pytest-xdist has named the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Long poles first, each module's tests kept together and in their order (a stable sort).

    On an xdist worker, refuse to run if the groups did not take: each worker would then grade
    a group's batch again. pytest 9.2 ignores the group suffix xdist 3.8 writes into node ids
    (pytest-xdist#1386) and spreads a group's tests over the workers without a word.
    """
    if hasattr(config, "workerinput") and getattr(config.option, "loadgroup", False):  # as xdist sets it
        lost = [item.nodeid for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
        if lost:
            raise pytest.UsageError(f"--dist loadgroup did not group {len(lost)} tests (e.g. {lost[0]}): this "
                                    "pytest and pytest-xdist do not work together (see constraints.txt)")
    unmarked = [item.nodeid for item in items if "honest_batch" in getattr(item, "fixturenames", ())
                and HONEST.args[0] not in {m.args[0] for m in item.iter_markers("xdist_group")}]
    if unmarked:  # another worker would grade the whole shared batch again for it
        raise pytest.UsageError(f"{unmarked[0]} reads the shared batch: mark it shared_batches.HONEST")
    rank = {module: n for n, module in enumerate(LONG_POLES)}

    def position(item: pytest.Item) -> int:
        return rank.get(item.nodeid.split("::", 1)[0], len(rank))

    items.sort(key=position)


@pytest.fixture(scope="session")
def solution_answers() -> dict[str, str]:
    """The master's solution code per question."""
    from helpers import solution_answers as load

    return load()


@pytest.fixture(scope="session")
def expected_path() -> Path:
    """Reference measurements, built once for the whole run (the first worker builds, others wait)."""
    from autograder.checks.expected import ensure_expected
    from autograder.grading.core import DEFAULT_EXPECTED

    DEFAULT_EXPECTED.parent.mkdir(parents=True, exist_ok=True)
    with open(DEFAULT_EXPECTED.with_name(DEFAULT_EXPECTED.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        ensure_expected(DEFAULT_EXPECTED)
    return DEFAULT_EXPECTED


@pytest.fixture(scope="session")
def honest_batch(tmp_path_factory, solution_answers, expected_path):
    """The notebooks the modules contributed (``shared_batches``), graded in one batch: results per module."""
    from shared_batches import grade_contributions

    return grade_contributions(tmp_path_factory.mktemp("honest_batch"), solution_answers)
