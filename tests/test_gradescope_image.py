"""The zip on Gradescope's base image, for real: Ubuntu 22.04, its apt, the zip's own scripts.

An Ubuntu 22.04 root (``gradescope_image.UbuntuRoot``) runs the zip's ``setup.sh`` unchanged
(apt installs jammy's python3.11, pip the hashed lock), then ``run_autograder`` grades the
examples inside a cgroup of Gradescope's default size: 768 MB of memory, half a CPU.
"""

from __future__ import annotations

import json

import pytest
from gradescope_image import ImageUnavailable, UbuntuRoot
from helpers import EXAMPLE_SCORES, ROOT

from autograder.gradescope import build, container
from autograder.sandbox.uids import UID_LOCK_DIR

pytestmark = [pytest.mark.slow, pytest.mark.registry, pytest.mark.xdist_group("gradescope_image")]

DEFAULT_MEMORY_MB, DEFAULT_CPUS = 768, 0.5
"""Gradescope's defaults (docs/gradescope.md)."""


@pytest.fixture(scope="module")
def image(tmp_path_factory, expected_path):
    root = UbuntuRoot()
    try:
        root.ensure()
    except ImageUnavailable as exc:
        pytest.skip(str(exc))
    zip_path = build.main(out=tmp_path_factory.mktemp("image_dist") / "autograder.zip")
    setup = root.install(zip_path)
    if setup is not None:
        assert setup.returncode == 0, setup.stdout[-3000:] + setup.stderr[-3000:]
        assert "python 3.11.0rc1, tensorflow 2.21.0, keras 3.15.1" in setup.stdout
    return root


@pytest.mark.parametrize("example", sorted(EXAMPLE_SCORES))
def test_examples_grade_on_the_base_image_within_the_default_limits(image, example):
    notebook = (ROOT / "examples" / f"{example}.ipynb").read_bytes()
    proc, results_path = image.submit({f"{example}.ipynb": notebook}, memory_mb=DEFAULT_MEMORY_MB, cpus=DEFAULT_CPUS)
    results = json.loads(results_path.read_text())
    assert f"{results['score']:g}" == EXAMPLE_SCORES[example], proc.stdout[-3000:] + proc.stderr[-2000:]
    assert f"container: {DEFAULT_MEMORY_MB} MB memory limit, {DEFAULT_CPUS:g} CPUs" in proc.stdout
    assert "1 threads" in proc.stdout
    assert '"privileges_dropped": true' in proc.stdout and '"private_root": true' in proc.stdout


def test_a_container_too_small_says_so_in_results_json(image):
    notebook = (ROOT / "examples" / "full.ipynb").read_bytes()
    small = container.RESERVED_MB + container.MIN_SUBMISSION_MB - 64
    proc, results_path = image.submit({"full.ipynb": notebook}, memory_mb=small, cpus=DEFAULT_CPUS)
    results = json.loads(results_path.read_text())
    assert results["score"] == 0
    assert f"needs at least {container.RESERVED_MB + container.MIN_SUBMISSION_MB} MB" in results["output"]
    assert "tell your instructor" in results["output"]


def test_the_root_shares_the_hosts_claims_on_sandbox_uids(image):
    """Its graders and the host's (the rest of the suite, at the same time) never take the same uids."""
    probe = image.run(["sh", "-c", f"mountpoint -q {UID_LOCK_DIR} && echo shared"])
    assert probe.stdout.strip() == "shared", probe.stdout + probe.stderr
