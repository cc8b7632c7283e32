"""Command line: declares options and forwards to each verb's ``main``.

    autograder assign                 # build student_template/ from assignment/
    autograder build                  # reference measurements + dist/autograder.zip
    autograder build --otter          # ... and Otter's dist/otter_autograder.zip
    autograder grade PATH... --out DIR
    autograder grade PATH... --out DIR --scheduler tcp://HOST:8786   # on a Dask cluster

(``python -m autograder ...`` is the same command.) A verb's known failures print one line
naming the file and the problem and exit with status 2; an interrupted ``grade`` exits 130.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from pathlib import Path

from autograder import paths


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__,
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
                            "(needs the dask extra; --workers is then ignored)")

    assign = verbs.add_parser("assign", help="build the student template from the master notebook")
    assign.add_argument("--master", type=Path, default=None, help="default: assignment/ of the checkout")
    assign.add_argument("--output", type=Path, default=None, help="default: student_template/ of the checkout")
    assign.add_argument("--otter-output", type=Path, default=None, help="also keep Otter's raw output here")

    build = verbs.add_parser("build", help="build reference measurements and dist/autograder.zip")
    build.add_argument("--out", type=Path, default=None, help="default: dist/autograder.zip of the checkout")
    build.add_argument("--otter", action="store_true",
                       help="also build dist/otter_autograder.zip (Otter's autograder, from the master notebook)")
    return parser


KNOWN_ERRORS = (
    ("autograder.assign.errors", "AssignError"),
    ("autograder.checks.expected", "ExpectedError"),
    ("autograder.gradescope.build", "BuildError"),
    ("autograder.gradescope.lock", "LockError"),
    ("autograder.gradescope.options", "OptionsError"),
    ("autograder.gradescope.otter_compat", "OtterBuildError"),
    ("autograder.grading.inputs", "InputError"),
    ("autograder.sandbox.runner", "RunnerError"),
)
"""Every verb's expected failures: each message names the file and the problem."""


def _known_errors() -> tuple[type[BaseException], ...]:
    """The classes of :data:`KNOWN_ERRORS` that can be imported (lazily: the CLI starts fast; a
    verb whose extra is not installed cannot raise its error either)."""
    found: list[type[BaseException]] = [FileNotFoundError]
    for module, name in KNOWN_ERRORS:
        try:
            found.append(getattr(importlib.import_module(module), name))
        except ImportError:
            continue
    return tuple(found)


def _grade(args: argparse.Namespace, console: object) -> int:
    from autograder import grade
    from autograder.sandbox.isolation import missing_protections
    from autograder.text import terminal_safe

    results = grade.main(paths=args.paths, out=args.out, workers=args.workers, timeout_s=args.timeout,
                         memory_mb=args.memory, force=args.force, console=console, scheduler=args.scheduler)
    for result in results:
        for note in missing_protections(result.isolation):
            console.note_once(note)  # type: ignore[attr-defined]
    console.score_table(results)  # type: ignore[attr-defined]
    console.rich.print(f"wrote {terminal_safe(str(args.out / 'grades.csv'))}")  # type: ignore[attr-defined]
    return 0


def _assign(args: argparse.Namespace, console: object) -> int:
    from autograder import assign

    result = assign.main(master=args.master or paths.in_project("assignment", paths.MASTER_NAME),
                         output=args.output or paths.in_project("student_template"),
                         otter_output=args.otter_output)
    console.rich.print(f"wrote {result.notebook}")  # type: ignore[attr-defined]
    return 0


def _build(args: argparse.Namespace, console: object) -> int:
    from autograder.gradescope import build

    out = build.main(out=args.out or paths.in_project("dist", "autograder.zip"))
    console.rich.print(f"wrote {out}")  # type: ignore[attr-defined]
    if args.otter:
        from autograder.gradescope import otter_compat

        console.rich.print(f"wrote {otter_compat.main()}")  # type: ignore[attr-defined]
    return 0


VERBS = {"grade": _grade, "assign": _assign, "build": _build}


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``autograder`` (and ``python -m autograder``)."""
    from autograder.console import Console, LogFormatter

    args = _parser().parse_args(argv)
    handler = logging.StreamHandler()
    handler.setFormatter(LogFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, handlers=[handler])
    console = Console(stderr=False)
    try:
        return VERBS[args.verb](args, console)
    except _known_errors() as exc:
        console.error(str(exc))
        return 2
    except ModuleNotFoundError as exc:  # an installed package without the extra this verb needs
        console.error(f"'{args.verb}' needs {exc.name}, which is not installed here: install the package with its "
                      "development extra (pip install '.[dev]' -c constraints.txt, or make install)")
        return 2
    except KeyboardInterrupt:
        console.rich.print("[yellow]interrupted: what was done is saved; run the same command again to finish[/yellow]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
