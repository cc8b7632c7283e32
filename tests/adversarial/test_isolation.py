"""One submission can neither read, replay nor outlive another, and no input takes the batch down.

Three batches through the real grader (``grade_submissions``, warm workers, sandbox):

- ``sequence``: one worker, so every attack runs in a process forked right after an honest
  neighbour's (whose answer cell carries a marker), with a secret in the grader's
  environment; an honest submission graded last must keep full marks.
- ``channel``: records that break the protocol, each next to honest neighbours.
- ``fairness``: a submission that starts hundreds of busy processes, next to honest ones
  graded at the same time with a short time limit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from attacks import SECRET_NAME, SECRET_VALUE, Attack
from attacks_isolation import CHANNEL_ATTACKS, ISOLATION_ATTACKS, LEAK, NEIGHBOUR_MARKER, neighbour_notebook
from helpers import build_submission, write_submission
from shared_machine import leftover_cgroups, leftover_files, leftover_processes

from autograder.grading.core import GradingSettings, grade_submissions
from autograder.grading.inputs import discover
from autograder.sandbox.limits import SandboxLimits

pytestmark = pytest.mark.slow
SEQUENCE, CHANNEL, FAIRNESS = (pytest.mark.xdist_group(f"isolation_{name}") for name in ("sequence", "channel", "fairness"))
"""Each batch's tests run in one worker (the batch is graded once); the three batches may run in different ones.
The container fallback's tests share the sequence's worker: only that mode (no private ``/tmp``) makes files
of sandbox uids on the host while it runs, and the sequence's check finds every such file."""

LIMITS = SandboxLimits(timeout_s=90, cell_timeout_s=20, probe_timeout_s=20, memory_mb=2048)


def _visible(result) -> str:
    """Everything of a result a student or TA could read."""
    return json.dumps(result.to_dict())


@pytest.fixture(scope="module")
def sequence(tmp_path_factory, solution_answers, expected_path):
    subs = tmp_path_factory.mktemp("isolation_subs")
    neighbour = neighbour_notebook(solution_answers)
    write_submission(subs / "s00_neighbour.ipynb", neighbour)
    for n, attack in enumerate(ISOLATION_ATTACKS, start=1):
        write_submission(subs / f"s{n:02d}_{attack.name}.ipynb", attack.notebook(solution_answers))
        # a neighbour again before the next attack: every attack forks right after one
        write_submission(subs / f"s{n:02d}z_neighbour.ipynb", neighbour)
    write_submission(subs / "s99_honest_after_attacks.ipynb", build_submission(solution_answers))
    os.environ[SECRET_NAME] = SECRET_VALUE
    try:
        results = grade_submissions(discover([subs]), GradingSettings(limits=LIMITS, workers=1, protect=[subs]))
    finally:
        os.environ.pop(SECRET_NAME, None)
    return {r.key: r for r in results}


def _attack_result(sequence, attack: Attack):
    return next(r for key, r in sequence.items() if key.endswith(f"_{attack.name}"))


@SEQUENCE
@pytest.mark.parametrize("attack", ISOLATION_ATTACKS, ids=lambda a: a.name)
def test_attack_finds_nothing_of_anyone_else(sequence, attack):
    result = _attack_result(sequence, attack)
    visible = _visible(result)
    assert LEAK not in visible, result.output[-1500:]
    assert NEIGHBOUR_MARKER not in visible
    assert SECRET_VALUE not in visible and SECRET_VALUE[::-1] not in visible
    assert "REPLAYED" not in result.output


@SEQUENCE
@pytest.mark.parametrize("attack", ISOLATION_ATTACKS, ids=lambda a: a.name)
def test_attack_scores_no_more_than_its_answers(sequence, attack, solution_answers):
    result = _attack_result(sequence, attack)
    ceiling = result.max_score if attack.answers == "full" else 0
    assert result.score <= ceiling
    assert result.status in attack.statuses, result.reason


@SEQUENCE
def test_every_neighbour_and_the_last_honest_submission_keep_full_marks(sequence):
    honest = {k: r for k, r in sequence.items() if k.endswith("_neighbour") or "honest" in k}
    assert len(honest) == len(ISOLATION_ATTACKS) + 2
    for key, result in honest.items():
        assert (result.status, result.score) == ("graded", result.max_score), (key, result.reason)


@SEQUENCE
def test_namespaces_and_syscall_filter_hold(sequence):
    output = _attack_result(sequence, next(a for a in ISOLATION_ATTACKS if a.name == "escape_namespaces")).output
    for word in ("UNSHARED", "SETNS", "MEMFD", "KEYRING", "SOCKET"):
        assert word not in output


@SEQUENCE
def test_a_submission_sees_no_process_but_its_own(sequence):
    output = _attack_result(sequence, next(a for a in ISOLATION_ATTACKS if a.name == "list_processes")).output
    assert "PROCESSES_SEEN=" in output and "SEES_OTHERS" not in output, output[-1500:]


@SEQUENCE
def test_memory_outside_processes_stays_bounded(sequence):
    for name in ("shm_and_tmp_hog", "sysv_shm_hog"):
        result = _attack_result(sequence, next(a for a in ISOLATION_ATTACKS if a.name == name))
        assert result.peak_rss_mb <= LIMITS.memory_mb * 1.05, (name, result.peak_rss_mb)
    hog = _attack_result(sequence, next(a for a in ISOLATION_ATTACKS if a.name == "shm_and_tmp_hog"))
    written = int(hog.output.split("hog wrote MB")[1].split()[0]) if "hog wrote MB" in hog.output else 0
    assert written <= LIMITS.scratch_mb


@SEQUENCE
def test_nothing_is_left_on_the_host(sequence):
    assert leftover_processes() == []
    assert leftover_files() == []


@SEQUENCE
def test_cgroups_of_finished_workers_are_removed(sequence):
    mounts = (Path("/sys/fs/cgroup/memory"), Path("/sys/fs/cgroup/cpu"), Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))
    assert leftover_cgroups(mounts) == []


@pytest.fixture(scope="module")
def channel(tmp_path_factory, solution_answers, expected_path):
    subs = tmp_path_factory.mktemp("channel_subs")
    for attack in CHANNEL_ATTACKS:
        write_submission(subs / f"{attack.name}.ipynb", attack.notebook(solution_answers))
        write_submission(subs / f"{attack.name}_neighbour.ipynb", build_submission(solution_answers))
    flood = "raise ValueError('\\n'.join(['abcdefghijkl'] * 333))\n"  # 4,000 characters of short lines
    write_submission(subs / "cell_error_flood.ipynb", build_submission({}, extra_cells=[flood] * 3000))
    results = grade_submissions(discover([subs]), GradingSettings(limits=LIMITS, workers=2, protect=[subs]))
    return {r.key: r for r in results}


@CHANNEL
def test_thousands_of_cell_errors_are_kept_to_a_few(channel):
    result = channel["cell_error_flood"]
    assert result.status == "graded" and result.score == 0
    assert 0 < len(result.cell_errors) <= 50


@CHANNEL
@pytest.mark.parametrize("attack", CHANNEL_ATTACKS, ids=lambda a: a.name)
def test_broken_records_cost_only_their_own_submission(channel, attack):
    result = channel[attack.name]
    neighbour = channel[f"{attack.name}_neighbour"]
    assert result.status in attack.statuses, result.reason
    if attack.answers == "stub":
        assert result.score == 0
    if result.status == "error" and attack.name != "record_flood":
        assert "tampered" in result.reason, result.reason
    assert (neighbour.status, neighbour.score) == ("graded", neighbour.max_score)


@CHANNEL
def test_a_lone_surrogate_in_a_cell_error_is_graded_and_reported(channel):
    result = channel["cell_error_lone_surrogate"]
    assert result.score == result.max_score
    assert any("lone surrogate" in e["message"] for e in result.cell_errors)
    json.dumps(result.to_dict()).encode("utf-8")  # writable as UTF-8


@pytest.fixture(scope="module")
def fairness(tmp_path_factory, solution_answers, expected_path):
    subs = tmp_path_factory.mktemp("fairness_subs")
    hog = ("import os, time\n"
           "for _ in range(200):\n"
           "    if os.fork() == 0:\n"
           "        end = time.time() + 30\n"
           "        while time.time() < end:\n"
           "            pass\n"
           "        os._exit(0)\n"
           "time.sleep(25)\n")
    write_submission(subs / "c1_cpu_hog.ipynb", build_submission({}, extra_cells=[hog]))
    for n in (2, 3, 4):
        write_submission(subs / f"c{n}_honest.ipynb", build_submission(solution_answers))
    # the hog outlives its time limit; an honest neighbour needs a tenth of it, even next to the hog
    limits = SandboxLimits(timeout_s=20, cell_timeout_s=26, probe_timeout_s=20, memory_mb=2048)
    results = grade_submissions(discover([subs]), GradingSettings(limits=limits, workers=2, protect=[subs]))
    return {r.key: r for r in results}


@FAIRNESS
def test_busy_processes_do_not_push_a_neighbour_into_timeout(fairness):
    if not fairness["c2_honest"].isolation.get("sandbox_cgroup"):
        pytest.skip("no cgroup on this machine: CPU is shared per session only")
    for key in ("c2_honest", "c3_honest", "c4_honest"):
        result = fairness[key]
        assert (result.status, result.score) == ("graded", result.max_score), (key, result.reason, result.seconds)
    assert fairness["c1_cpu_hog"].status == "timeout"
