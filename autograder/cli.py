"""Command line: declares options and forwards to each verb's ``main``.

    python -m autograder assign                 # build student_template/ from assignment/
    python -m autograder build                  # reference measurements + dist/autograder.zip
    python -m autograder build --otter          # ... and Otter's dist/otter_autograder.zip
    python -m autograder grade PATH... --out DIR
    python -m autograder grade PATH... --out DIR --scheduler tcp://HOST:8786   # on a Dask cluster
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from autograder.checks.expected import PACKAGE_ROOT


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="log diagnostics to stderr")
    verbs = parser.add_subparsers(dest="verb", required=True)

    grade = verbs.add_parser("grade", help="grade notebooks, Otter zips, folders or a Gradescope export")
    grade.add_argument("paths", nargs="+", type=Path)
    grade.add_argument("--out", type=Path, required=True, help="output folder")
    grade.add_argument("--workers", type=int, default=None, help="parallel workers (default: cores)")
    grade.add_argument("--timeout", type=float, default=None, help="seconds per submission (default 180)")
    grade.add_argument("--memory", type=int, default=None, help="MB per submission (default 2048)")
    grade.add_argument("--force", action="store_true", help="regrade cached submissions")
    grade.add_argument("--scheduler", default=None, metavar="ADDRESS",
                       help="grade on a Dask cluster: scheduler address (tcp://host:8786) or scheduler file "
                            "(needs requirements-dask.txt; --workers is then ignored)")

    assign = verbs.add_parser("assign", help="build the student template from the master notebook")
    assign.add_argument("--master", type=Path, default=PACKAGE_ROOT / "assignment" / "pooling_norms_layers.ipynb")
    assign.add_argument("--output", type=Path, default=PACKAGE_ROOT / "student_template")

    build = verbs.add_parser("build", help="build reference measurements and dist/autograder.zip")
    build.add_argument("--out", type=Path, default=PACKAGE_ROOT / "dist" / "autograder.zip")
    build.add_argument("--otter", action="store_true",
                       help="also build dist/otter_autograder.zip (Otter's autograder, from the master notebook)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m autograder``."""
    args = _parser().parse_args(argv)
    from autograder.console import LogFormatter

    handler = logging.StreamHandler()
    handler.setFormatter(LogFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, handlers=[handler])
    if args.verb == "grade":
        from autograder.console import Console
        from autograder.gradescope.options import OptionsError
        from autograder.grading import batch
        from autograder.grading.inputs import InputError
        from autograder.sandbox.isolation import missing_protections
        from autograder.sandbox.runner import RunnerError
        from autograder.text import terminal_safe

        console = Console(stderr=False)
        try:
            results = batch.main(paths=args.paths, out=args.out, workers=args.workers, timeout_s=args.timeout,
                                 memory_mb=args.memory, force=args.force, console=console,
                                 scheduler=args.scheduler)
        except (InputError, RunnerError, OptionsError) as exc:
            console.error(str(exc))
            return 2
        except KeyboardInterrupt:
            console.rich.print("[yellow]interrupted: results so far are saved; run the same command again to finish[/yellow]")
            return 130
        for r in results:
            for note in missing_protections(r.isolation):
                console.note_once(note)
        console.score_table(results)
        console.rich.print(f"wrote {terminal_safe(str(args.out / 'grades.csv'))}")
        return 0
    if args.verb == "assign":
        from autograder import assign

        assign.main(master=args.master, output=args.output)
        return 0
    if args.verb == "build":
        from autograder.gradescope import build

        build.main(out=args.out)
        if args.otter:
            from autograder.gradescope import otter_compat

            otter_compat.main()
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
