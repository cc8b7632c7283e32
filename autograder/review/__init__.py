"""The ``review`` and ``export`` verbs: TAs grade written answers and adjust autograded tests in a
browser, then write the final grades.

``review`` serves :mod:`autograder.review.app` on 127.0.0.1 (a free port unless one is given)
behind a random token printed in its URL; every score is in ``manual.json`` the moment it is
entered. ``export`` writes ``grades.csv`` with the final grade, the feedback pages with the
rubric and comments, the class report, and ``canvas.csv`` for the LMS gradebook.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from autograder.files import atomic_write_text
from autograder.review.canvas import canvas_csv, read_roster
from autograder.review.session import ReviewSession

CANVAS_NAME = "canvas.csv"


def serve(out: Path, *, rubric: Path | None = None, port: int = 0,
          on_ready: Callable[[str], None] = print) -> None:
    """Serve the review app until interrupted (Ctrl-C); ``on_ready`` gets the URL to open.

    Raises:
        SessionError, RubricError, ManualInputError: ``out`` or the rubric cannot be used.
    """
    from werkzeug.serving import make_server

    from autograder.review.app import create_app

    session = ReviewSession(out, rubric)
    token = secrets.token_urlsafe(24)
    server = make_server("127.0.0.1", port, create_app(session, token), threaded=True)
    on_ready(f"http://127.0.0.1:{server.server_port}/{token}/")
    try:
        server.serve_forever()
    finally:
        server.server_close()


def export(out: Path, *, roster: Path | None = None, assignment: str = "Pooling, Normalizations, and Custom Layers",
           rubric: Path | None = None) -> tuple[Path, list[str], list[str]]:
    """Write the final grades under ``out`` and ``out/canvas.csv``.

    Returns:
        The Canvas file, the submissions no roster row matched and the roster rows no submission matched.

    Raises:
        SessionError, RubricError, ManualInputError, RosterError: naming the file and the problem.
    """
    session = ReviewSession(out, rubric)
    rows = read_roster(roster) if roster is not None else None
    finals = session.write_outputs()
    result = canvas_csv([finals[r.key] for r in session.results], assignment, rows)
    atomic_write_text(out / CANVAS_NAME, result.text)
    return out / CANVAS_NAME, result.unmatched_submissions, result.unmatched_students
