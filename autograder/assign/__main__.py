"""``python -m autograder.assign``: build the student template (until the CLI forwards here)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from autograder.assign import AssignError, main

_REPO = Path(__file__).resolve().parents[2]


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m autograder.assign", description=__doc__)
    parser.add_argument(
        "--master", type=Path, default=_REPO / "assignment" / "pooling_norms_layers.ipynb", help="master notebook"
    )
    parser.add_argument("--output", type=Path, default=_REPO / "student_template", help="student template directory")
    parser.add_argument("--otter-output", type=Path, default=None, help="also keep Otter's raw output here")
    parser.add_argument("-v", "--verbose", action="store_true", help="log Otter's own output")
    return parser.parse_args(argv)


def run(argv: list[str] | None = None) -> int:
    """Runs the build; returns the process exit code."""
    args = _parse(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(message)s")
    try:
        result = main(master=args.master, output=args.output, otter_output=args.otter_output)
    except AssignError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(result.notebook)
    return 0


if __name__ == "__main__":
    sys.exit(run())
