"""Adversarial submissions through the real grading path: scores can only go down.

All attacks are graded in one batch next to clean baselines, so the test also shows that
no attack takes another submission down.
"""

from __future__ import annotations

import json
import os
import socket
import threading

import pytest
from attacks import ATTACKS, ORPHAN_SLEEP, SECRET_NAME, SECRET_VALUE
from helpers import ROOT, build_submission, write_submission
from shared_machine import leftover_processes

from autograder.checks.redact import Redactor
from autograder.grading.core import GradingSettings, default_redactor, grade_submissions
from autograder.grading.inputs import discover
from autograder.reporting.results_json import results_json
from autograder.sandbox.limits import SandboxLimits

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("adversarial_batch")]

LIMITS = SandboxLimits(timeout_s=90, cell_timeout_s=10, probe_timeout_s=20, memory_mb=2048)


class LoopbackListener:
    """A TCP server on 127.0.0.1 that records whether anyone connected."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture(scope="module")
def batch(tmp_path_factory, solution_answers, expected_path):
    """Grade every attack plus clean baselines in one batch."""
    subs_dir = tmp_path_factory.mktemp("adversarial_subs")
    out = tmp_path_factory.mktemp("adversarial_out")
    listener = LoopbackListener()
    for attack in ATTACKS:
        write_submission(subs_dir / f"{attack.name}.ipynb", attack.notebook(solution_answers, port=listener.port, out=out))
    write_submission(subs_dir / "baseline_full.ipynb", build_submission(solution_answers))
    write_submission(subs_dir / "baseline_stub.ipynb", build_submission({}))
    claim = build_submission(solution_answers)
    claim.metadata["otter"] = {"student": "someone-else@example.edu"}
    claim.metadata["student"] = {"name": "Someone Else", "email": "someone-else@example.edu"}
    write_submission(subs_dir / "claims_other_student.ipynb", claim)
    (out / "grades.csv").write_text("sentinel\n")
    os.environ[SECRET_NAME] = SECRET_VALUE
    try:
        settings = GradingSettings(limits=LIMITS, workers=2, protect=[out, subs_dir])
        results = grade_submissions(discover([subs_dir]), settings)
    finally:
        os.environ.pop(SECRET_NAME, None)
        listener.close()
    return {"results": {r.key: r for r in results}, "out": out, "listener": listener, "subs": subs_dir}


def test_every_submission_has_a_result(batch):
    names = {a.name for a in ATTACKS} | {"baseline_full", "baseline_stub", "claims_other_student"}
    assert set(batch["results"]) == names


def test_baselines_are_unaffected_by_attacks_in_the_same_batch(batch):
    full = batch["results"]["baseline_full"]
    assert full.status == "graded"
    assert full.score == full.max_score
    assert batch["results"]["baseline_stub"].score == 0


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack_scores_no_more_than_its_baseline(batch, attack):
    result = batch["results"][attack.name]
    baseline = batch["results"]["baseline_full" if attack.answers == "full" else "baseline_stub"]
    assert result.score <= baseline.score, [t.message for t in result.tests if t.passed]
    assert result.status in attack.statuses, result.reason


def test_no_process_is_left_behind(batch):
    assert leftover_processes() == []
    assert leftover_processes(uids=None, cmdline_prefix=["sleep", ORPHAN_SLEEP]) == []


def test_network_is_unreachable_from_student_code(batch):
    assert batch["listener"].connections == 0
    assert "CONNECTED" not in batch["results"]["network_access"].output


def test_print_flood_is_truncated(batch):
    result = batch["results"]["print_flood"]
    assert len(result.output) <= LIMITS.max_output_bytes + 200


def test_fake_results_do_not_reach_the_outputs(batch):
    assert (batch["out"] / "grades.csv").read_text() == "sentinel\n"
    assert not (batch["out"] / "results" / "fake_results_files.json").exists()


def test_outputs_and_inputs_survive_deletion_attempts(batch):
    assert (batch["subs"] / "baseline_full.ipynb").exists()
    assert (ROOT / "examples").exists()


def test_secrets_are_not_in_the_student_environment(batch):
    output = batch["results"]["environment_secrets"].output
    assert SECRET_VALUE not in output
    assert "SECRET=absent" in output


def test_resource_limits_cannot_be_raised(batch):
    assert "RAISED" not in batch["results"]["raise_rlimits"].output


def test_hidden_sources_are_unreadable_and_never_shown(batch):
    result = batch["results"]["read_hidden_sources"]
    visible = json.dumps(results_json(result))
    redactor: Redactor = default_redactor()
    assert not redactor.leaks(visible)
    if os.geteuid() == 0:
        # masked: the files could not even be read
        assert "def probe" not in result.output and "CHECKS" not in result.output


def test_reference_cannot_be_imported_by_student_code(batch):
    result = batch["results"]["replace_reference_module"]
    if os.geteuid() == 0:
        assert "REFERENCE IMPORTED" not in result.output
    assert result.score == 0


def test_identity_comes_from_the_input_not_the_notebook(batch):
    result = batch["results"]["claims_other_student"]
    assert result.key == "claims_other_student"
    assert "someone-else" not in result.student


def test_isolation_was_in_force_when_root(batch):
    if os.geteuid() != 0:
        pytest.skip("privilege drop needs root")
    iso = batch["results"]["baseline_full"].isolation
    assert iso["privileges_dropped"] and iso["network_isolated"] and iso["private_root"] and iso["pid_namespace"]


def test_student_visible_output_has_no_hidden_lines(batch):
    redactor = default_redactor()
    for result in batch["results"].values():
        assert not redactor.leaks(json.dumps(results_json(result))), result.key
