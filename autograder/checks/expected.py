"""Reference measurements: every probe run on every accepted reference variant.

Computed once, in a process of its own (TensorFlow ops must never run in a process that
later forks workers), and stored as plain JSON next to a fingerprint of the sources that
produced it. The grader only ever reads the stored file.

Run: ``python -m autograder.checks.expected --out build/expected.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import logging
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from autograder import wire
from autograder.files import atomic_write_text
from autograder.paths import CODE_ROOT, PACKAGE_DIR

log = logging.getLogger(__name__)

FINGERPRINT_PREFIXES = ("autograder/checks/", "autograder/probes/", "reference/")
"""The sources the measurements depend on (zip entry names and installed files alike)."""


class ExpectedError(RuntimeError):
    """The reference measurements could not be built or read."""


def fingerprint_of(files: Iterable[tuple[str, bytes]]) -> str:
    """Hash of the ``(name, bytes)`` source files whose names start with ``FINGERPRINT_PREFIXES``.

    The build computes it over zip entries, the grader over installed files: the same sources
    give the same hash wherever they are.
    """
    digest = hashlib.sha256()
    for name, data in sorted(f for f in files if f[0].endswith(".py") and f[0].startswith(FINGERPRINT_PREFIXES)):
        digest.update(name.encode())
        digest.update(data)
    return digest.hexdigest()


def source_files() -> list[tuple[str, bytes]]:
    """The checks', probes' and reference's ``.py`` files as ``(name, bytes)``, named as in the zip."""
    roots = [PACKAGE_DIR]
    reference = reference_dir()
    if reference is not None:
        roots.append(reference)
    return [(path.relative_to(root.parent).as_posix(), path.read_bytes())
            for root in roots for path in sorted(root.rglob("*.py")) if "__pycache__" not in path.parts]


def reference_dir() -> Path | None:
    """The reference package that the measurements are built from: the one beside this ``autograder``.

    Not whatever ``reference`` the caller's ``sys.path`` finds first: a folder named ``reference``
    without ``__init__.py`` in a script's folder is a namespace package there, while the build's
    subprocess (run in ``CODE_ROOT``) imports the real one, and the two fingerprints then
    differed forever ("stale" on every run).
    """
    beside = CODE_ROOT / "reference"
    if (beside / "__init__.py").is_file():
        return beside
    spec = importlib.util.find_spec("reference")  # installed apart from this package
    return Path(spec.origin).resolve().parent if spec is not None and spec.origin else None


def fingerprint() -> str:
    """Hash of the check and reference sources; a stale expected file is rebuilt."""
    return fingerprint_of(source_files())


def reference_namespaces() -> list[dict[str, Any]]:
    """One namespace per accepted variant of the reference answers.

    q3 accepts both blocks of the figure (identity shortcut when channels match, or always
    a 1x1 projection) with conv biases on or off; every other answer has one form.
    """
    import reference

    base = {name: getattr(reference, name) for name in reference.__all__}
    variants = []
    for projection in ("auto", "always"):
        for use_bias in (False, True):
            ns = dict(base)
            ns["resnetBlock"] = _bind_resnet(reference.resnetBlock, projection, use_bias)
            variants.append(ns)
    return variants


def _bind_resnet(block_cls: type, projection: str, use_bias: bool) -> type:
    """A subclass of the reference block with one variant fixed (keeps ``issubclass`` true)."""

    class resnetBlock(block_cls):  # noqa: N801 - the contract's name
        def __init__(self, out_channels: int, **kwargs: Any) -> None:
            kwargs.setdefault("projection", projection)
            kwargs.setdefault("use_bias", use_bias)
            super().__init__(out_channels, **kwargs)

    return resnetBlock


def compute_expected() -> dict[str, list[Any]]:
    """Run every probe on every reference variant.

    Raises:
        ExpectedError: if a probe fails on the reference (a bug in the check, never ignored).
    """
    from autograder.checks import ALL_CHECKS
    from autograder.probes.runner import run_probe

    namespaces = reference_namespaces()
    expected: dict[str, list[Any]] = {}
    for check in ALL_CHECKS:
        measurements = []
        for ns in namespaces:
            record = run_probe(check.id, check.probe, ns, budget_s=0)
            if "error" in record:
                raise ExpectedError(f"probe {check.id} failed on the reference: {record['error']}")
            measurements.append(record["data"])
        expected[check.id] = measurements
    return expected


def write_expected(out: Path) -> None:
    """Compute and atomically write the expected file (call in a fresh process)."""
    payload = {"fingerprint": fingerprint(), "expected": wire.encode(compute_expected())}
    atomic_write_text(out, json.dumps(payload))


def load_expected(path: Path, *, check_fingerprint: bool = True) -> dict[str, list[Any]]:
    """Read a stored expected file.

    Raises:
        ExpectedError: if it is missing, unreadable, or (when checked) stale.
    """
    try:
        payload = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ExpectedError(f"{path}: cannot read reference measurements: {exc}") from None
    if check_fingerprint and payload.get("fingerprint") != fingerprint():
        raise ExpectedError(f"{path}: reference measurements are stale (checks or reference changed)")
    return wire.decode(payload["expected"])


def ensure_expected(path: Path) -> dict[str, list[Any]]:
    """Load ``path``, rebuilding it in a subprocess first if missing or stale."""
    try:
        return load_expected(path)
    except ExpectedError as exc:
        log.info("building reference measurements (%s)", exc)
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.checks.expected", "--out", str(path)],
        capture_output=True,
        text=True,
        cwd=CODE_ROOT,  # the same autograder as this one, installed or not
    )
    if proc.returncode != 0:
        raise ExpectedError(f"building {path} failed:\n{proc.stderr[-3000:]}")
    return load_expected(path)


def main(argv: list[str] | None = None) -> int:
    """CLI entry: write the expected file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    write_expected(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
