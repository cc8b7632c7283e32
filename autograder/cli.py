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

    review = verbs.add_parser("review", help="grade written answers and adjust tests in a browser (after grade)")
    review.add_argument("--out", type=Path, required=True, help="the output folder of `autograder grade`")
    review.add_argument("--rubric", type=Path, default=None, help="default: assignment/rubric.yaml")
    review.add_argument("--port", type=int, default=0, help="default: a free port")

    export = verbs.add_parser("export", help="write final grades (grades.csv, feedback, canvas.csv) after review")
    export.add_argument("--out", type=Path, required=True, help="the output folder of `autograder grade`")
    export.add_argument("--roster", type=Path, default=None,
                        help="a roster CSV (Canvas's gradebook export works) to match students for canvas.csv")
    export.add_argument("--assignment", default="Pooling, Normalizations, and Custom Layers",
                        help="the Canvas assignment column's name")
    export.add_argument("--rubric", type=Path, default=None, help="default: assignment/rubric.yaml, else the copy review keeps in --out")

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
    ("autograder.manual.rubric", "RubricError"),
    ("autograder.manual.store", "ManualInputError"),
    ("autograder.review.session", "SessionError"),
    ("autograder.review.canvas", "RosterError"),
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


def _review(args: argparse.Namespace, console: object) -> int:
    from autograder import review

    def ready(url: str) -> None:
        console.rich.print(f"review at [bold]{url}[/bold]\n(only this machine can reach it; Ctrl-C stops it, "  # type: ignore[attr-defined]
                           "every score is already saved in manual.json)", soft_wrap=True)

    review.serve(args.out, rubric=args.rubric, port=args.port, on_ready=ready)
    return 0


def _export(args: argparse.Namespace, console: object) -> int:
    from autograder import review
    from autograder.text import terminal_safe

    canvas, submissions, students = review.export(args.out, roster=args.roster, assignment=args.assignment,
                                                  rubric=args.rubric)
    for key in submissions:
        console.note_once(f"no roster row for submission {terminal_safe(key)}")  # type: ignore[attr-defined]
    for name in students:
        console.note_once(f"no submission for roster row {terminal_safe(name)}")  # type: ignore[attr-defined]
    console.rich.print(f"wrote {args.out / 'grades.csv'} (final grades) and {canvas}")  # type: ignore[attr-defined]
    return 0


VERB_EXTRAS = {"review": "review"}
"""The extra a verb needs beyond the grading runtime, when it is not ``dev``."""
VERBS = {"grade": _grade, "assign": _assign, "build": _build, "review": _review, "export": _export}


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
        extra = VERB_EXTRAS.get(args.verb, "dev")
        console.error(f"'{args.verb}' needs {exc.name}, which is not installed here: install the package with its "
                      f"{extra} extra (pip install '.[{extra}]' -c constraints.txt, or make install)")
        return 2
    except KeyboardInterrupt:
        console.rich.print("[yellow]interrupted: what was done is saved; run the same command again to finish[/yellow]")
        return 130


if __name__ == "__main__":
    sys.exit(main())
