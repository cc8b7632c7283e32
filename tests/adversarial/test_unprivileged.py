"""Grading as a TA without root: user namespaces still isolate each submission.

The real command line runs under ``unshare --user --map-user=65534``: a process with no
capabilities on the host and a non-root uid, as on a TA's laptop. Student code then keeps
the TA's uid, so what must hold comes from the namespaces alone: the private root (the
neighbour's notebook and our sources are not there), no network, the PID namespace (nothing
survives), and the clean environment.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from attacks import ATTACKS as BASE_ATTACKS
from attacks import SECRET_NAME, SECRET_VALUE
from attacks_isolation import ISOLATION_ATTACKS, LEAK, NEIGHBOUR_MARKER, neighbour_notebook
from helpers import (
    EXAMPLE_SCORES,
    copy_examples,
    example_scores,
    grade_with_cli,
    grading_env,
    write_submission,
)
from shared_machine import leftover_processes

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux's unshare"),
              pytest.mark.xdist_group("unprivileged")]

USED = {a.name: a for a in (*ISOLATION_ATTACKS, *BASE_ATTACKS)
        if a.name in ("environment_block", "fork_chain_survivor", "read_neighbour_files", "escape_namespaces",
                      "read_hidden_sources", "network_access", "steal_judges")}


@pytest.fixture(scope="module")
def unprivileged(tmp_path_factory, solution_answers, expected_path):
    probe = subprocess.run(["unshare", "--user", "--map-user=65534", "--map-group=65534", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unprivileged user namespaces are not allowed here: {probe.stderr.decode()[:200]}")
    subs = tmp_path_factory.mktemp("unprivileged_subs")
    copy_examples(subs)
    write_submission(subs / "n_neighbour.ipynb", neighbour_notebook(solution_answers))
    for name, attack in USED.items():
        write_submission(subs / f"s_{name}.ipynb", attack.notebook(solution_answers))
    out = tmp_path_factory.mktemp("unprivileged_out")
    os.chmod(out, 0o777)
    proc, rows = grade_with_cli(["unshare", "--user", "--map-user=65534", "--map-group=65534"], subs, out,
                                env=grading_env(**{SECRET_NAME: SECRET_VALUE}))
    return {"proc": proc, "rows": rows, "out": out}


def test_examples_grade_as_usual(unprivileged):
    assert unprivileged["proc"].returncode == 0, unprivileged["proc"].stdout[-2000:]
    assert example_scores(unprivileged["rows"]) == EXAMPLE_SCORES


def test_the_ta_is_told_student_code_ran_as_them(unprivileged):
    stdout = " ".join(unprivileged["proc"].stdout.split())
    assert "not running as root" in stdout
    assert "no private root" not in stdout and "no PID, network or mount namespace" not in stdout


def test_no_attack_reads_the_neighbour_sources_or_environment(unprivileged):
    for key in unprivileged["rows"]:
        if not key.startswith("s_"):
            continue
        text = (unprivileged["out"] / "results" / f"{key}.json").read_text()
        assert LEAK not in text and NEIGHBOUR_MARKER not in text and SECRET_VALUE not in text, key
        assert "def probe" not in text and "CONNECTED" not in text and "REFERENCE IMPORTED" not in text, key


def test_nothing_survives_and_nobody_is_harmed(unprivileged):
    rows = unprivileged["rows"]
    assert (rows["n_neighbour"]["status"], rows["n_neighbour"]["score"]) == ("graded", "18")
    assert leftover_processes(uids=None, cmdline_contains="autograder.sandbox.zygote") == []
