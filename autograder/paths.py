"""Where things are: the one place that knows the project's folders and file names.

The grader runs from a checkout of this repository (``make``, the tests) or from an installed
package (``pip install .``, a Dask worker, Gradescope's unpacked zip). ``PROJECT_ROOT`` is the
checkout, or the folder the package was unpacked into, when its files are there; otherwise
(an installed package) it is None and what the grader builds goes to a cache folder.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
"""The ``autograder`` package itself."""
CODE_ROOT = PACKAGE_DIR.parent
"""The folder holding the package: a checkout, ``site-packages``, or Gradescope's unpacked zip."""


def _project_root() -> Path | None:
    candidate = CODE_ROOT
    markers = ("pyproject.toml", "expected.json", "gradescope-lock.txt")  # a checkout, or Gradescope's source/
    return candidate if any((candidate / m).exists() for m in markers) else None


PROJECT_ROOT: Path | None = _project_root()
"""The checkout (or unpacked zip) holding this package, or None for an installed package."""

EXPECTED_NAME = "expected.json"
"""The reference measurements' file name (in ``build/``, in the zips)."""
GRADESCOPE_CONFIG_NAME = "gradescope_config.json"
LOCK_NAME = "gradescope-lock.txt"
MASTER_NAME = "pooling_norms_layers.ipynb"
TEMPLATE_DIR = "student_template"
"""The student notebook's folder (in the checkout and in the Gradescope zip)."""
SKIP_PARTS = frozenset({".ipynb_checkpoints", "__MACOSX"})
"""Folders inside submissions (zips, Gradescope uploads) that never hold the notebook."""


def build_dir() -> Path:
    """Where generated files go: ``build/`` of the checkout, else a per-user cache folder."""
    if PROJECT_ROOT is not None and (PROJECT_ROOT / "pyproject.toml").exists():
        return PROJECT_ROOT / "build"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "pooling-norms-autograder"


def in_project(*parts: str) -> Path:
    """A path inside the checkout.

    Raises:
        FileNotFoundError: for an installed package, which has no checkout (building the
            template or the Gradescope zip needs one).
    """
    if PROJECT_ROOT is None:
        raise FileNotFoundError(f"{'/'.join(parts)}: this needs a checkout of the repository (an installed "
                                "package only grades)")
    return PROJECT_ROOT.joinpath(*parts)


def default_expected() -> Path:
    """The reference measurements: shipped beside the package in a zip, else built into ``build_dir()``."""
    if PROJECT_ROOT is not None and (PROJECT_ROOT / EXPECTED_NAME).exists():
        return PROJECT_ROOT / EXPECTED_NAME
    return build_dir() / EXPECTED_NAME


def student_template() -> Path | None:
    """The handed-out notebook, in a checkout or an unpacked zip (None for an installed package)."""
    if PROJECT_ROOT is None:
        return None
    path = PROJECT_ROOT / TEMPLATE_DIR / MASTER_NAME
    return path if path.exists() else None
