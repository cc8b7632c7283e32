"""Grading where namespaces are refused (root in a Docker-like container): the fallback holds.

``tests/container_like.py`` runs the real command line as root without ``CAP_SYS_ADMIN`` and
with Docker's refusals of ``unshare``/``mount``/``clone`` namespace flags, and with read-only
cgroups. There the sandbox has no PID namespace, private root, network namespace or cgroup;
what must still hold: the examples' scores, the warm worker's clean memory and environment,
a dedicated uid per submission killed as a whole, and notes telling the TA what was missing.
"""

from __future__ import annotations

import os
import sys

import pytest
from attacks import SECRET_NAME, SECRET_VALUE
from attacks_isolation import ISOLATION_ATTACKS, LEAK, NEIGHBOUR_MARKER, neighbour_notebook
from helpers import (
    EXAMPLE_SCORES,
    ROOT,
    build_submission,
    copy_examples,
    example_scores,
    grade_with_cli,
    grading_env,
    write_submission,
)
from shared_machine import leftover_processes

pytestmark = [pytest.mark.slow, pytest.mark.skipif(os.geteuid() != 0, reason="drops root's CAP_SYS_ADMIN"),
              pytest.mark.xdist_group("isolation_sequence")]  # its files in /tmp: see test_isolation.SEQUENCE

ATTACKS = {a.name: a for a in ISOLATION_ATTACKS}
USED = ("replay_from_memory", "read_neighbour_memory", "environment_block", "fork_chain_survivor", "daemon_survivor")


@pytest.fixture(scope="module")
def fallback(tmp_path_factory, solution_answers, expected_path):
    subs = tmp_path_factory.mktemp("fallback_subs")
    copy_examples(subs)
    for n, name in enumerate(USED):
        write_submission(subs / f"s{n}a_neighbour.ipynb", neighbour_notebook(solution_answers))
        write_submission(subs / f"s{n}b_{name}.ipynb", ATTACKS[name].notebook(solution_answers))
    write_submission(subs / "s9_honest_after.ipynb", build_submission(solution_answers))
    out = tmp_path_factory.mktemp("fallback_out")
    proc, rows = grade_with_cli([sys.executable, str(ROOT / "tests" / "container_like.py")], subs, out,
                                env=grading_env(**{SECRET_NAME: SECRET_VALUE}),
                                workers=1)
    return {"proc": proc, "rows": rows, "out": out}


def test_examples_grade_as_usual(fallback):
    assert fallback["proc"].returncode == 0, fallback["proc"].stdout[-2000:]
    assert example_scores(fallback["rows"]) == EXAMPLE_SCORES


def test_the_ta_is_told_what_was_missing(fallback):
    stdout = " ".join(fallback["proc"].stdout.split())
    assert "no PID, network or mount namespace" in stdout
    assert "no cgroup for submissions" in stdout


def test_no_attack_finds_a_neighbour_or_the_environment(fallback):
    for key in fallback["rows"]:
        text = (fallback["out"] / "results" / f"{key}.json").read_text()
        if key.endswith("neighbour"):
            continue
        assert LEAK not in text and NEIGHBOUR_MARKER not in text and SECRET_VALUE not in text, key


def test_survivors_are_killed_by_uid_and_harm_no_one(fallback):
    rows = fallback["rows"]
    for key, row in rows.items():
        if key.endswith("neighbour") or key == "s9_honest_after":
            assert (row["status"], row["score"]) == ("graded", "18"), (key, row["reason"])
    assert leftover_processes() == []
