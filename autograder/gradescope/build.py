"""Build ``dist/autograder.zip``: the Gradescope autograder that grades like the local grader.

The zip's root holds what Gradescope runs (``setup.sh`` once per image, ``run_autograder`` once
per submission), the image's lock (``gradescope-lock.txt``, see :mod:`autograder.gradescope.lock`),
the reference measurements (``expected.json``) and the Python packages
grading needs (``autograder/``, ``reference/``). The zip is deterministic: entries are sorted,
timestamps fixed and permissions explicit, so the same sources always give the same bytes.

Run: ``python -m autograder build``.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
from pathlib import Path

from autograder import paths
from autograder.checks.expected import ensure_expected, fingerprint_of
from autograder.files import ZipEntry, atomic_write_bytes, deterministic_zip
from autograder.gradescope.options import GradescopeOptions, OptionsError

log = logging.getLogger(__name__)

DEFAULT_OUT = paths.CODE_ROOT / "dist" / "autograder.zip"
HERE = Path(__file__).resolve().parent
PACKAGES = ("autograder", "reference")
"""Folders of the repository shipped in the zip, as they are (without caches)."""
ROOT_FILES = (paths.LOCK_NAME, paths.GRADESCOPE_CONFIG_NAME)
"""Repository files copied to the zip's root unchanged: the image's lock and the instructor's options."""
SCRIPTS = ("setup.sh", "run_autograder")
"""Gradescope's entry points, from this folder, placed at the zip's root (executable)."""
SKIP_DIRS = frozenset({"__pycache__", ".ipynb_checkpoints", ".pytest_cache", ".ruff_cache"})
SKIP_SUFFIXES = (".pyc", ".pyo")


class BuildError(RuntimeError):
    """The autograder zip cannot be built consistently."""


def package_entries(root: Path, names: tuple[str, ...]) -> list[ZipEntry]:
    """Every file under the folders ``names`` of ``root``, without caches or hidden files.

    Raises:
        BuildError: if one of the folders is missing.
    """
    entries = []
    for name in names:
        folder = root / name
        if not folder.is_dir():
            raise BuildError(f"{folder} is missing")
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(root)
            if not path.is_file() or path.suffix in SKIP_SUFFIXES:
                continue
            if any(part in SKIP_DIRS or part.startswith(".") for part in rel.parts):
                continue
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            entries.append(ZipEntry(rel.as_posix(), path.read_bytes(), mode))
    return entries


def script_text(name: str) -> bytes:
    """A Gradescope script from this folder, with the build's pins filled in."""
    text = (HERE / name).read_text(encoding="utf-8")
    return text.replace("@PIP_VERSION@", importlib.metadata.version("pip")).encode()


def zip_entries(expected_path: Path) -> list[ZipEntry]:
    """Everything that goes into the autograder zip, sorted by name.

    Raises:
        BuildError: if the reference measurements do not match the shipped sources.
    """
    entries = [ZipEntry(name, script_text(name), 0o755) for name in SCRIPTS]
    entries += [ZipEntry(name, (paths.CODE_ROOT / name).read_bytes()) for name in ROOT_FILES]
    entries += package_entries(paths.CODE_ROOT, PACKAGES)
    template = f"{paths.TEMPLATE_DIR}/{paths.MASTER_NAME}"  # which lesson cells need not run (grading/lesson.py)
    entries.append(ZipEntry(template, paths.in_project(paths.TEMPLATE_DIR, paths.MASTER_NAME).read_bytes()))
    data = expected_path.read_bytes()
    stored = json.loads(data).get("fingerprint")
    if stored != fingerprint_of((e.name, e.data) for e in entries):  # what the unpacked zip will compute
        raise BuildError(f"{expected_path} does not match the checks and reference being shipped "
                         "(a file changed during the build?): run the build again")
    entries.append(ZipEntry(paths.EXPECTED_NAME, data))
    names = [e.name for e in entries]
    if len(set(names)) != len(names):
        raise BuildError("two files would have the same name in the zip")
    return sorted(entries, key=lambda e: e.name)


def write_zip(entries: list[ZipEntry], out: Path) -> None:
    """Write ``entries`` deterministically (fixed dates, given order, Unix permissions), atomically."""
    atomic_write_bytes(out, deterministic_zip(entries), mode=0o644)


def main(*, out: Path = DEFAULT_OUT) -> Path:
    """Build the reference measurements if needed, then the Gradescope autograder zip.

    Args:
        out: where to write the zip (its folder is created).

    Returns:
        The path of the zip.

    Raises:
        autograder.checks.expected.ExpectedError: if the reference measurements cannot be built.
        BuildError: if the zip cannot be assembled consistently.
    """
    try:
        GradescopeOptions.load(paths.CODE_ROOT / paths.GRADESCOPE_CONFIG_NAME)
    except OptionsError as exc:
        raise BuildError(str(exc)) from None
    ensure_expected(paths.default_expected())
    entries = zip_entries(paths.default_expected())
    write_zip(entries, out)
    log.info("wrote %s (%d files, %.1f MB)", out, len(entries), out.stat().st_size / 1e6)
    return out
