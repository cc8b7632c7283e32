"""A simulated Gradescope: lay out a folder like /autograder and run the zip's run_autograder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jsonschema
from helpers import grading_env

from autograder.reporting.results_json import RESULTS_SCHEMA


def run_gradescope(zip_path: Path, root: Path, submission: list[tuple[str, bytes]], *,
                python: str = sys.executable, config: dict | None = None,
                metadata: dict | None = None) -> tuple[dict, subprocess.CompletedProcess, float]:
    """Lay out ``root`` like /autograder, run run_autograder, return (results.json, process, seconds).

    Args:
        config: replaces the zip's gradescope_config.json (the instructor's options).
        metadata: written as Gradescope's submission_metadata.json (earlier submissions).
    """
    for sub in ("source", "submission", "results"):
        (root / sub).mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(root / "source")
    for name in ("run_autograder", "setup.sh"):
        (root / "source" / name).chmod(0o755)
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")  # as Gradescope does
    if config is not None:
        (root / "source" / "gradescope_config.json").write_text(json.dumps(config))
    if metadata is not None:
        (root / "submission_metadata.json").write_text(json.dumps(metadata))
    for name, data in submission:
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_bytes(data)
    env = grading_env(AUTOGRADER_ROOT=str(root), AUTOGRADER_PYTHON=python)
    start = time.monotonic()
    proc = subprocess.run([str(root / "run_autograder")], env=env, cwd=root, capture_output=True, text=True, timeout=900)
    seconds = time.monotonic() - start
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    return results, proc, seconds


