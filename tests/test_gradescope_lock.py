"""The Gradescope lock resolves, for real, for the interpreter and platform the image has.

pip resolves against the package registry for CPython 3.11.0 on manylinux x86_64 (what
Ubuntu 22.04's python3.11 is to pip), wheels only: the lock must be exactly what that
resolution gives (complete, same versions, same hashes), and the local environment's pins
must agree with it, so that a notebook grades the same on Gradescope as here.
"""

from __future__ import annotations

import pytest

from autograder.gradescope import lock

pytestmark = [pytest.mark.slow, pytest.mark.registry, pytest.mark.xdist_group("gradescope_lock")]


def _normalized(name: str) -> str:
    return name.lower().replace("_", "-")


@pytest.fixture(scope="module")
def resolved() -> list[lock.Locked]:
    return lock.resolve()


def test_the_lock_is_what_pip_resolves_for_the_target(resolved):
    assert lock.lock_text(resolved) == lock.LOCK.read_text(), "run: python -m autograder.gradescope.lock"


def test_every_locked_wheel_installs_on_the_target_with_its_hash():
    report = lock.dry_run(["--no-deps", "--require-hashes", "-r", str(lock.LOCK)])
    assert len(report["install"]) == len(lock.read_lock())


def test_the_runtime_has_the_local_environment_versions(resolved):
    local = {}
    for line in lock.CONSTRAINTS.read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, _, version = line.partition("==")
            local[_normalized(name)] = version.strip()
    differing = {p.name: (p.version, local[_normalized(p.name)]) for p in resolved
                 if _normalized(p.name) in local and local[_normalized(p.name)] != p.version}
    assert differing == {}


def test_the_image_gets_no_development_tool(resolved):
    names = {_normalized(p.name) for p in resolved}
    assert not names & {"pytest", "ruff", "otter-grader", "playwright", "sphinx", "nbconvert", "beautifulsoup4",
                        "soupsieve", "jupyter-client", "ipykernel"}
