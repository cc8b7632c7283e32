"""Grading on a Dask cluster: same grades as the local grader, code shipped through the
cluster, and no submission lost when a worker dies mid-submission.

The cluster is real: a scheduler and two one-thread workers as ``dask`` subprocesses on
127.0.0.1, run from a temporary folder with PYTHONPATH cleared: what runs there is the code uploaded
this checkout and grade only with the code the client uploads.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import ROOT, build_submission, write_submission

distributed = pytest.importorskip("distributed")

from autograder import grade  # noqa: E402
from autograder.checks.redact import Redactor  # noqa: E402
from autograder.distributed import dask_runner  # noqa: E402
from autograder.distributed.local import LoopbackCluster  # noqa: E402
from autograder.grading.core import GradingSettings, grade_submissions, judge_answer  # noqa: E402
from autograder.grading.inputs import discover  # noqa: E402
from autograder.sandbox.protocol import WORKER_HOME_PREFIX, crashed_answer  # noqa: E402
from autograder.sandbox.runner import Job  # noqa: E402

pytestmark = pytest.mark.xdist_group("dask_cluster")  # one cluster, in one worker


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, expected_path):
    folder = tmp_path_factory.mktemp("dask-cluster")
    with LoopbackCluster(folder, workers=2) as running, distributed.Client(
        scheduler_file=str(running.scheduler_file), set_as_default=False
    ) as client:
        yield running, client


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def _rows(out: Path) -> dict[str, dict[str, str]]:
    return {r["submission"]: r for r in csv.DictReader((out / "grades.csv").open())}


def _tests(out: Path, key: str) -> list[tuple[str, float, float]]:
    data = json.loads((out / "results" / f"{key}.json").read_text())
    return [(t["name"], t["score"], t["max_score"]) for t in data["tests"]]


def _worker_homes(processes) -> list[str]:
    """The homes the grader made for its warm workers among ``processes`` (read from their environments)."""
    import psutil

    homes = []
    for proc in processes:
        try:
            home = proc.environ().get("HOME", "")
        except psutil.Error:
            continue
        if os.path.basename(home).startswith(WORKER_HOME_PREFIX):
            homes.append(home)
    return homes


def _attempts(client, since: float) -> list[dict]:
    return [msg for stamp, msg in client.get_events(dask_runner.ATTEMPTS_TOPIC) if stamp >= since]


@pytest.mark.slow
def test_cluster_grades_exactly_like_the_local_grader(cluster, tmp_path, solution_answers):
    running, client = cluster
    folder = tmp_path / "subs"
    folder.mkdir()
    for path in sorted((ROOT / "examples").glob("*.ipynb")):
        shutil.copy(path, folder / path.name)
    write_submission(folder / "corpus_full.ipynb", build_submission(solution_answers))
    write_submission(folder / "corpus_stub.ipynb", build_submission({}))
    write_submission(folder / "corpus_q1_only.ipynb", build_submission({"q1": solution_answers["q1"]}))

    local_out, dask_out = tmp_path / "local", tmp_path / "dask"
    grade.main(paths=[folder], out=local_out, workers=2)
    since = time.time()
    proc = _cli("grade", str(folder), "--out", str(dask_out), "--scheduler", str(running.scheduler_file))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Scores" in proc.stdout

    local, remote = _rows(local_out), _rows(dask_out)
    assert sorted(remote) == sorted(local) and len(remote) == 7
    for key, row in local.items():
        for column in ("status", "score", "max_score", "q1", "q2", "q3", "q4"):
            assert remote[key][column] == row[column], (key, column)
        assert _tests(dask_out, key) == _tests(local_out, key), key
    assert float(remote["full"]["score"]) == float(remote["full"]["max_score"])
    assert float(remote["corpus_stub"]["score"]) == 0
    assert (dask_out / "report.html").exists() and (dask_out / "feedback" / "full.html").exists()

    # the grading ran on the workers, from the uploaded zip (not from this checkout, which they could import)
    workers = {msg["worker"] for msg in _attempts(client, since)}
    assert len(_attempts(client, since)) == 7 and workers <= set(client.scheduler_info()["workers"])
    where = client.run(lambda: sys.modules["autograder"].__file__)
    assert all(".zip" in path and str(ROOT) not in path for path in where.values()), where
    # the sandbox kept its isolation on the workers
    isolation = json.loads(next((dask_out / ".cache").glob("*.json")).read_text())["isolation"]
    local_isolation = json.loads(next((local_out / ".cache").glob("*.json")).read_text())["isolation"]
    assert isolation == local_isolation

    # resuming: a second run finds everything in the cache and sends nothing to the cluster
    cached = {p.name: p.stat().st_mtime_ns for p in (dask_out / ".cache").glob("*.json")}
    since = time.time()
    proc = _cli("grade", str(folder), "--out", str(dask_out), "--scheduler", str(running.scheduler_file))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert {p.name: p.stat().st_mtime_ns for p in (dask_out / ".cache").glob("*.json")} == cached
    assert _attempts(client, since) == []
    # (seconds may differ: untouched and corpus_stub are the same notebook, one cache entry)
    again = _rows(dask_out)
    assert {k: {c: v for c, v in r.items() if c != "seconds"} for k, r in again.items()} == {
        k: {c: v for c, v in r.items() if c != "seconds"} for k, r in remote.items()}


def _kill_when_running(client, since: float, stop: threading.Event, log: dict) -> None:
    """SIGKILL the Dask worker grading one submission once, and the workers grading another twice.

    A worker is killed only while it runs the notebook (its warm zygote has forked the
    sandbox child), well inside the submission's 8-second sleep.
    """
    import psutil

    def running(msg: dict) -> bool:
        """Is ``msg`` its worker's current task (its latest start)?"""
        latest = [m for m in _attempts(client, since) if m["pid"] == msg["pid"]][-1]
        return latest == msg and psutil.pid_exists(msg["pid"])

    def wait_for(predicate) -> dict:
        while not stop.is_set():
            for msg in _attempts(client, since):
                if predicate(msg) and running(msg):
                    return msg
            time.sleep(0.2)
        raise RuntimeError("grading ended before the kill")

    def kill(msg: dict) -> None:
        worker = psutil.Process(msg["pid"])
        while not stop.is_set():
            try:
                tree = [p.ppid() for p in worker.children(recursive=True)]
            except psutil.Error:
                tree = []
            if any(parent != worker.pid for parent in tree):  # a zygote with a sandbox child
                break
            time.sleep(0.1)
        time.sleep(1.0)
        orphans = worker.children(recursive=True)
        log.setdefault("orphans", []).extend(p.pid for p in orphans)
        log.setdefault("homes", []).extend(_worker_homes(orphans))
        worker.send_signal(signal.SIGKILL)
        log.setdefault("killed", []).append(msg)

    try:
        once = wait_for(lambda m: True)
        kill(once)
        twice = wait_for(lambda m: m["key"] != once["key"])
        kill(twice)
        again = wait_for(lambda m: m["key"] == twice["key"] and m["pid"] != twice["pid"])
        kill(again)
        log["once"], log["twice"] = once["key"], twice["key"]
    except Exception as exc:  # reported by the test
        log["error"] = repr(exc)


@pytest.mark.slow
def test_killed_workers_lose_no_submission(cluster, tmp_path, solution_answers):
    running, client = cluster
    folder = tmp_path / "subs"
    for n in range(6):
        nb = build_submission(solution_answers, extra_cells=[f"import time\ntime.sleep(8)  # submission {n}"])
        write_submission(folder / f"sleepy_{n}.ipynb", nb)
    submissions = discover([folder])
    since = time.time()
    stop, log = threading.Event(), {}
    killer = threading.Thread(target=_kill_when_running, args=(client, since, stop, log), daemon=True)
    killer.start()
    delivered = []
    try:
        results = grade_submissions(submissions, GradingSettings(scheduler=str(running.scheduler_file)),
                                    delivered.append)
    finally:
        stop.set()
        killer.join(timeout=10)
    assert "error" not in log, log
    assert len(log["killed"]) == 3

    # exactly one row per submission, each delivered once
    assert [r.key for r in results] == [s.key for s in submissions]
    assert sorted(r.key for r in delivered) == sorted(s.key for s in submissions)
    attempts = _attempts(client, since)
    starts = {key: sum(1 for m in attempts if m["key"] == key) for key in {m["key"] for m in attempts}}
    # the retried one started twice; the other twice, plus (with the scheduler's default of
    # 3 allowed failures) a third start that gave up at once
    assert starts[log["once"]] == 2 and starts[log["twice"]] in (2, 3), starts
    assert all(n == 1 for key, n in starts.items() if key not in (log["once"], log["twice"])), starts

    # the key names the job's position: autograder-<run>-<n>
    once = submissions[int(log["once"].rsplit("-", 1)[1])].key
    twice = submissions[int(log["twice"].rsplit("-", 1)[1])].key
    by_key = {r.key: r for r in results}
    assert by_key[once].status == "graded" and by_key[once].score == by_key[once].max_score
    assert by_key[twice].status == "error" and "tried twice" in by_key[twice].reason
    for key, result in by_key.items():
        if key != twice:
            assert result.status == "graded" and result.score == result.max_score, (key, result.reason)

    # the dead workers' warm processes did not outlive them (they would grade for nobody)
    import psutil

    procs = []
    for pid in log["orphans"]:
        try:
            procs.append(psutil.Process(pid))
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=10)
    assert not alive, [p.cmdline() for p in alive]
    # nor did their homes: the killed grader made them, its zygote removed them when it saw the grader go
    assert len(log["homes"]) >= 3, log["homes"]  # one warm worker at least per killed grader
    assert not [home for home in log["homes"] if os.path.exists(home)]
    client.wait_for_workers(2, timeout=120)  # the nannies restarted them


def test_the_core_does_not_import_dask_without_a_scheduler():
    code = ("import sys, autograder.cli, autograder.grade, autograder.grading.core, autograder.sandbox.pool; "
            "assert not [m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')]")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_the_shipped_code_holds_no_expected_values_or_reference(tmp_path):
    import zipfile

    first = dask_runner.build_package_zip(tmp_path)
    (tmp_path / "again").mkdir()
    assert dask_runner.build_package_zip(tmp_path / "again").name == first.name  # deterministic
    names = zipfile.ZipFile(first).namelist()
    assert "autograder/sandbox/zygote.py" in names and "autograder/probes/q3.py" in names
    assert "autograder/execution/__init__.py" in names
    tops = {n.split("/")[1] for n in names}
    assert tops == {"__init__.py", "budget.py", "files.py", "paths.py", "text.py", "wire.py", "probes", "execution",
                    "sandbox", "distributed"}
    assert not [n for n in names if n.startswith("autograder/checks/")]  # judges never leave the grader
    assert not [n for n in names if not n.endswith(".py") or "expected.json" in n or n.startswith("reference")]


def test_the_shipped_code_imports_only_itself(tmp_path):
    """Every ``autograder`` module the shipped code imports is in the zip (workers have nothing else)."""
    import ast
    import zipfile

    with zipfile.ZipFile(dask_runner.build_package_zip(tmp_path)) as zf:
        sources = {n: zf.read(n).decode() for n in zf.namelist()}
    modules = {n.removesuffix(".py").removesuffix("/__init__").replace("/", ".") for n in sources}
    missing = set()
    for name, text in sources.items():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("autograder"):
                wanted = [f"{node.module}.{a.name}" if node.module == "autograder" else node.module for a in node.names]
            elif isinstance(node, ast.Import):
                wanted = [a.name for a in node.names if a.name.startswith("autograder")]
            else:
                continue
            missing |= {f"{name}: {w}" for w in wanted if w not in modules}
    assert missing == set()


def test_a_task_that_failed_becomes_an_error_row_with_its_reason():
    class Failed:
        status = "error"

        def __init__(self, exc: Exception) -> None:
            self._exc = exc

        def result(self):
            raise self._exc

    job = Job("0:alice", {}, 10.0)
    killed = dask_runner.DaskRunner._answer(job, Failed(distributed.KilledWorker("k", None, 1)))
    assert killed == crashed_answer(dask_runner.FAILED_TWICE)
    outcome = judge_answer(killed, [], {}, Redactor(), [])
    assert outcome.status == "error" and "tried twice" in outcome.reason and all(t.score == 0 for t in outcome.tests)
    other = dask_runner.DaskRunner._answer(job, Failed(RuntimeError("boom")))
    assert other.status == "crashed" and "RuntimeError: boom" in other.reason and other.infrastructure
