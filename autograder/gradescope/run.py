"""Grade one Gradescope submission: what ``run_autograder`` runs, once per submission.

Layout (Gradescope's; ``AUTOGRADER_ROOT`` moves it for tests):

- ``$AUTOGRADER_ROOT/source``: the unpacked ``autograder.zip`` (this package, ``expected.json``).
- ``$AUTOGRADER_ROOT/submission``: what the student uploaded: one ``.ipynb`` or the zip that
  ``grader.export()`` makes.
- ``$AUTOGRADER_ROOT/results/results.json``: written here, always, even when grading fails.

Grading goes through :func:`autograder.grading.core.grade_submissions`, the same core as
``python -m autograder grade``, so a notebook gets the same score on Gradescope as locally.
When running as root, the sources and results are made readable by root only and hidden from
the sandbox, whose child drops to an unprivileged user before running student code.

Run: ``python -m autograder.gradescope.run``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from autograder import paths
from autograder.files import atomic_write_text
from autograder.gradescope import container
from autograder.gradescope.options import GradescopeOptions

log = logging.getLogger(__name__)

DEFAULT_ROOT = "/autograder"
PRIVATE_MODE = 0o700


class SubmissionError(ValueError):
    """What the student uploaded cannot be graded; the message is for the student."""


def _visible_files(folder: Path) -> list[Path]:
    files = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(part in paths.SKIP_PARTS or part.startswith(".") for part in rel.parts):
            continue
        files.append(path)
    return files


def find_submission(folder: Path) -> Path:
    """The one notebook (or Otter zip) in the submission folder.

    A notebook wins over a zip (a student may upload both the notebook and its export).

    Raises:
        SubmissionError: if there is no notebook, or more than one.
    """
    if not folder.is_dir():
        raise SubmissionError("No files were submitted. Upload your .ipynb notebook.")
    files = _visible_files(folder)
    notebooks = [p for p in files if p.suffix.lower() == ".ipynb"]
    zips = [p for p in files if p.suffix.lower() == ".zip"]
    for kind, found in (("notebooks", notebooks), ("zip files", zips)):
        if len(found) > 1:
            names = ", ".join(str(p.relative_to(folder)) for p in found[:5])
            raise SubmissionError(f"Your submission holds several {kind} ({names}). "
                                    "Submit exactly one .ipynb notebook (or the zip made by grader.export()).")
        if found:
            return found[0]
    names = ", ".join(str(p.relative_to(folder)) for p in files[:5])
    shown = f" (got: {names})" if names else ""
    raise SubmissionError(f"No .ipynb notebook was found in your submission{shown}. Upload your .ipynb notebook.")


def lock_down(paths: list[Path]) -> None:
    """Make ``paths`` accessible to root only (student code runs as another user)."""
    if os.geteuid() != 0:
        log.info("not running as root: %s stay as they are", ", ".join(map(str, paths)))
        return
    for path in paths:
        if path.is_dir():
            path.chmod(PRIVATE_MODE)
        elif path.is_file():
            path.chmod(0o600)


def error_results(message: str) -> dict[str, Any]:
    """A Gradescope results object for a submission that could not be graded: 0 points, why.

    Lists every hidden check at 0 points when the checks can be imported, so the student sees
    what the assignment is worth; otherwise (a broken autograder) just the message.
    """
    tests: list[dict[str, Any]] = []
    try:
        from autograder.checks import ALL_CHECKS

        tests = [{"name": c.name, "score": 0.0, "max_score": c.points, "status": "failed",
                  "output": f"Not graded: {message}", "visibility": "after_published"} for c in ALL_CHECKS]
    except Exception:  # the autograder itself is broken: the message is all we have
        log.exception("cannot list the checks")
    return {"score": 0.0, "output": f"Not graded: {message}", "output_format": "text", "visibility": "visible",
            "stdout_visibility": "hidden", "extra_data": {"graded": False}, "tests": tests}


def graded_before(metadata: Path) -> list[dict[str, Any]]:
    """This student's earlier submissions that were graded, oldest first.

    From Gradescope's ``submission_metadata.json`` (``previous_submissions``, each with its
    ``submission_time``, ``score`` and the ``results`` we wrote); a submission beyond the limit
    says ``extra_data.graded: false`` and does not count.
    """
    try:
        previous = json.loads(metadata.read_text(encoding="utf-8")).get("previous_submissions") or []
    except (OSError, ValueError, AttributeError):
        return []
    graded = []
    for entry in previous:
        if not isinstance(entry, dict) or not isinstance(entry.get("score", 0), (int, float)):
            continue
        results = entry.get("results") if isinstance(entry.get("results"), dict) else {}
        if (results.get("extra_data") or {}).get("graded", True) is not False:
            graded.append(entry)
    return sorted(graded, key=lambda e: str(e.get("submission_time", "")))


def over_limit(graded: list[dict[str, Any]], options: GradescopeOptions) -> dict[str, Any]:
    """The results of a submission past ``max_graded_submissions``: the kept score, and why."""
    kept = max(graded, key=lambda e: float(e.get("score") or 0)) if options.keep_score == "best" else graded[-1]
    score = float(kept.get("score") or 0)
    results = dict(kept.get("results") or {})
    which = "best" if options.keep_score == "best" else "last graded"
    message = (f"This submission was not graded: this assignment grades {options.max_graded_submissions} "
               f"submissions per student and you have used them. Your score stays {score:g}, from your {which} "
               "submission (its feedback is below).")
    results.update(score=score, output=message + "\n\n" + str(results.get("output", "")),
                   extra_data={**(results.get("extra_data") or {}), "graded": False})
    results.setdefault("tests", [])
    return results


def grade(root: Path) -> dict[str, Any]:
    """Grade the submission under ``root`` and return its results.json object.

    Raises:
        autograder.checks.expected.ExpectedError: if the shipped measurements do not match the
            shipped checks (a broken zip).
        OptionsError: if the shipped gradescope_config.json is invalid.
    """
    from autograder.checks.expected import load_expected
    from autograder.grading.core import GradingSettings, grade_submissions
    from autograder.grading.inputs import Submission, discover
    from autograder.reporting.results_json import results_json

    code_root = paths.CODE_ROOT  # the unpacked zip
    expected_path = code_root / paths.EXPECTED_NAME
    # the zip ships the checks and the reference next to their measurements: they must agree
    load_expected(expected_path, check_fingerprint=True)
    options = GradescopeOptions.load(code_root / paths.GRADESCOPE_CONFIG_NAME)
    results_dir = root / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    source = root / "source"
    if code_root.resolve() != source.resolve():
        log.warning("grading code runs from %s, not from %s: that folder is not locked down", code_root, source)
    metadata = root / "submission_metadata.json"  # Gradescope's: earlier results of this student
    graded = graded_before(metadata)
    private = [p for p in (source, results_dir, metadata) if p.exists()]
    lock_down(private)
    if options.max_graded_submissions is not None and len(graded) >= options.max_graded_submissions:
        print(f"not graded: {len(graded)} earlier graded submissions, the limit is {options.max_graded_submissions}")
        return over_limit(graded, options)
    resources = container.detect()
    print(f"container: {resources.memory_mb or 'no'} MB memory limit, {resources.cpus:g} CPUs")
    if resources.too_small():
        return error_results(f"this assignment's autograder has {resources.memory_mb} MB of memory and needs at "
                             f"least {resources.minimum_mb} MB. This is not a problem with your notebook: please "
                             "tell your instructor (Settings, Autograder: memory).")
    try:
        submissions = discover([find_submission(root / "submission")])
    except SubmissionError as exc:
        submissions = [Submission("submission", str(root / "submission"), error=str(exc))]
    limits = resources.limits(options.base_limits())
    settings = GradingSettings(limits=limits, workers=1, expected_path=expected_path, cache_dir=None, protect=private)
    print(f"limits: {limits.memory_mb} MB for the notebook, {limits.threads or 'default'} threads, "
          f"{limits.cell_timeout_s:g} s per cell, {limits.timeout_s:g} s in all")
    results = grade_submissions(submissions, settings, stderr=sys.stderr)
    if len(results) != 1:
        raise RuntimeError(f"expected one result, got {len(results)}")
    result = results[0]
    print(f"{result.source}: {result.status}, {result.score:g} / {result.max_score:g} "
          f"in {result.seconds:.1f} s, peak {result.peak_rss_mb:.0f} MB")
    if result.reason:
        print(f"reason: {result.reason}")
    if result.isolation:
        print(f"isolation: {json.dumps(result.isolation)}")
    if result.output:
        print("--- notebook output (hidden from the student) ---")
        print(result.output)
    return results_json(result, feedback=options.feedback_before_publishing)


def main() -> int:
    """Grade ``$AUTOGRADER_ROOT/submission`` into ``$AUTOGRADER_ROOT/results/results.json``.

    Returns:
        0 when results.json holds a grade or a graded error; 1 when the autograder itself failed
        (results.json then says so, with 0 points).
    """
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    root = Path(os.environ.get("AUTOGRADER_ROOT", DEFAULT_ROOT))
    out = root / "results" / "results.json"
    start = time.monotonic()
    code = 0
    try:
        payload = grade(root)
    except BaseException as exc:  # whatever happens, the student gets a results.json
        traceback.print_exc(file=sys.stdout)  # TA-visible only (stdout is hidden from students)
        payload = error_results(f"the autograder failed ({type(exc).__name__}). This is not a problem with "
                                "your notebook: please tell your instructor.")
        code = 1
        if not isinstance(exc, Exception):
            atomic_write_text(out, json.dumps(payload, indent=2))
            raise
    payload.setdefault("execution_time", round(time.monotonic() - start, 2))
    atomic_write_text(out, json.dumps(payload, indent=2))
    return code


if __name__ == "__main__":
    raise SystemExit(main())
