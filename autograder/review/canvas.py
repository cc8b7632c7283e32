"""The LMS export: a CSV that Canvas's gradebook imports (a student id column, one assignment column).

Students are matched to submissions through a roster CSV (Canvas's own gradebook export works
as one: ``Student, ID, SIS User ID, SIS Login ID, Section``), by the submission's key (a column
``submission``), by e-mail (from the Gradescope export's metadata) or by name. Without a
roster, one row per submission is written with the e-mail found in its metadata.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.manual.final import FinalGrade
from autograder.text import spreadsheet_safe

ID_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


class RosterError(ValueError):
    """The roster cannot be read (the message names the file and the problem)."""


@dataclass
class CanvasExport:
    """The CSV text and who could not be matched."""

    text: str
    unmatched_submissions: list[str]
    unmatched_students: list[str]


def _identities(final: FinalGrade) -> set[str]:
    names = {part.split("<")[0].strip().lower() for part in final.student.split(";") if part.strip()}
    return {final.key.lower(), *(e.lower() for e in EMAIL.findall(final.student)), *names} - {""}


def read_roster(path: Path) -> list[dict[str, str]]:
    """Rows of a roster CSV (header row first).

    Raises:
        RosterError: unreadable, empty, or with no column that identifies a student.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: cannot read the roster ({exc})") from exc
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise RosterError(f"{path}: the roster has no students")
    known = {"submission", "email", "sis login id", "sis user id", "id", "student", "name", "login"}
    if not known & {str(c).strip().lower() for c in rows[0]}:
        raise RosterError(f"{path}: no column identifies a student (one of: submission, email, SIS Login ID, "
                          "SIS User ID, ID, Student, name)")
    rows = [{str(k).strip(): (v or "").strip() for k, v in row.items() if k is not None} for row in rows]
    return [r for r in rows if r.get("Student", "") != "Points Possible"]  # Canvas's export has this row


def _roster_keys(row: dict[str, str]) -> list[str]:
    lower = {k.lower(): v.lower() for k, v in row.items() if v}
    order = ("submission", "sis login id", "email", "login", "sis user id", "student", "name")
    return [lower[c] for c in order if c in lower]


def canvas_csv(finals: list[FinalGrade], assignment: str, roster: list[dict[str, str]] | None = None) -> CanvasExport:
    """The import file: the roster's id columns (or the submissions') and ``assignment`` = total."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*ID_COLUMNS, assignment])
    if roster is None:
        for f in finals:
            email = next(iter(EMAIL.findall(f.student)), "")
            name = f.student.split("<")[0].strip() or f.key
            writer.writerow([spreadsheet_safe(name), "", "", spreadsheet_safe(email or f.key), "", f"{f.total:g}"])
        return CanvasExport(buffer.getvalue(), [], [])
    claims: dict[str, list[FinalGrade]] = {}
    for f in finals:
        for identity in _identities(f):
            claims.setdefault(identity, []).append(f)
    # an identity two submissions share (a common name, a copied e-mail) identifies nobody
    by_identity = {identity: fs[0] for identity, fs in claims.items() if len(fs) == 1}
    used: set[str] = set()
    unmatched_students = []
    for row in roster:
        match = next((by_identity[k] for k in _roster_keys(row) if k in by_identity), None)
        label = row.get("Student") or row.get("name") or next(iter(row.values()), "")
        if match is not None and match.key in used:  # one submission never gives its grade to two students
            unmatched_students.append(f"{label} (matches {match.key}, already given to another row)")
            match = None
        elif match is None:
            unmatched_students.append(label)
        else:
            used.add(match.key)
        writer.writerow([spreadsheet_safe(row.get(c, "")) for c in ID_COLUMNS]
                        + [f"{match.total:g}" if match else ""])
    return CanvasExport(buffer.getvalue(), [f.key for f in finals if f.key not in used], unmatched_students)
