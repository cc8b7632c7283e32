"""Find submissions: notebooks, folders of them, Otter zips and Gradescope exports.

Every input becomes exactly one ``Submission``: unreadable ones carry an ``error`` instead
of notebook bytes, so they still get their row in the gradebook.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from autograder.paths import SKIP_PARTS
from autograder.text import valid_unicode

MAX_ZIP_MEMBER_BYTES = 50 * 1024 * 1024
GRADESCOPE_METADATA = "submission_metadata.yml"
KINDS = (".ipynb", ".zip")
"""What a submission file can be, whatever the case of its suffix (``.IPYNB`` from some systems)."""


def _kind(path: Path) -> str:
    return path.suffix.lower()


class InputError(ValueError):
    """A command-line path that cannot be used at all (does not exist, wrong kind)."""


@dataclass(frozen=True)
class Submission:
    """One submission to grade.

    Attributes:
        key: unique, file-name-safe identifier (names its results.json and feedback page).
        source: where it came from, for people (path, or zip path + member).
        student: the student's name and email when known (Gradescope export), else "".
        data: the notebook's bytes, or None when ``error`` says why there are none.
        error: why this submission cannot be graded, naming the file.
    """

    key: str
    source: str
    student: str = ""
    data: bytes | None = None
    error: str | None = None

    def __post_init__(self) -> None:
        # file names that are not UTF-8 reach Python as lone surrogates, which no report can hold
        for name in ("source", "student", "error"):
            value = getattr(self, name)
            if isinstance(value, str):
                object.__setattr__(self, name, valid_unicode(value))


def _safe_key(text: str) -> str:
    key = re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("._").lstrip("-") or "submission"  # "-..." reads as a formula
    return key[:120]


def _notebook_from_zip(path: Path) -> tuple[bytes | None, str | None, str]:
    try:
        with zipfile.ZipFile(path) as zf:
            members = [
                info
                for info in zf.infolist()
                if info.filename.lower().endswith(".ipynb")
                and not SKIP_PARTS.intersection(PurePosixPath(info.filename).parts)
                and not PurePosixPath(info.filename).name.startswith("._")
            ]
            if not members:
                return None, f"{path.name}: the zip holds no .ipynb notebook", str(path)
            if len(members) > 1:
                names = ", ".join(m.filename for m in members[:5])
                return None, f"{path.name}: the zip holds several notebooks ({names}); submit exactly one", str(path)
            info = members[0]
            if info.file_size > MAX_ZIP_MEMBER_BYTES:
                return None, f"{path.name}: {info.filename} is larger than {MAX_ZIP_MEMBER_BYTES >> 20} MB", str(path)
            with zf.open(info) as fh:
                data = fh.read(MAX_ZIP_MEMBER_BYTES + 1)
            if len(data) > MAX_ZIP_MEMBER_BYTES:
                return None, f"{path.name}: {info.filename} is too large", str(path)
            return data, None, f"{path}:{info.filename}"
    except (zipfile.BadZipFile, OSError) as exc:
        return None, f"{path.name}: not a readable zip file ({exc})", str(path)
    except RuntimeError:  # zipfile's "File ... is encrypted, password required"
        return None, f"{path.name}: the notebook in the zip is password-protected; zip it without a password", str(path)
    except NotImplementedError:  # AES (method 99) and other compressors zipfile cannot read
        return None, (f"{path.name}: the zip uses a compression method that cannot be read (AES encryption or an "
                      "unusual compressor); upload the .ipynb itself or a plain zip"), str(path)
    except Exception as exc:  # corrupt compressed data (zlib.error, EOFError, ...)
        kind = f"{type(exc).__module__}.{type(exc).__name__}".removeprefix("builtins.")
        return None, f"{path.name}: the zip's notebook is damaged ({kind}); make the zip again", str(path)


def _read_file(path: Path) -> tuple[bytes | None, str | None, str]:
    if _kind(path) == ".zip":
        return _notebook_from_zip(path)
    try:
        if path.stat().st_size > MAX_ZIP_MEMBER_BYTES:  # never read a huge file only to refuse it
            return None, f"{path.name}: larger than {MAX_ZIP_MEMBER_BYTES >> 20} MB, not a notebook", str(path)
        with open(path, "rb") as fh:
            data = fh.read(MAX_ZIP_MEMBER_BYTES + 1)
    except OSError as exc:
        return None, f"{path.name}: cannot be read ({exc.strerror})", str(path)
    if len(data) > MAX_ZIP_MEMBER_BYTES:
        return None, f"{path.name}: larger than {MAX_ZIP_MEMBER_BYTES >> 20} MB, not a notebook", str(path)
    return data, None, str(path)


def _gradescope_students(root: Path) -> dict[str, str]:
    """Map submission folder names to "Name <email>" from a Gradescope export."""
    try:
        meta = yaml.safe_load((root / GRADESCOPE_METADATA).read_text()) or {}
    except (OSError, yaml.YAMLError):
        return {}
    students: dict[str, str] = {}
    for folder, info in meta.items():
        if not isinstance(info, dict):
            continue
        submitters = info.get(":submitters") or info.get("submitters") or []
        people = []
        for person in submitters:
            if isinstance(person, dict):
                name = person.get(":name") or person.get("name") or ""
                email = person.get(":email") or person.get("email") or ""
                people.append(f"{name} <{email}>" if email else str(name))
        students[str(folder)] = "; ".join(people)
    return students


def _gradescope_submissions(root: Path) -> list[Submission]:
    students = _gradescope_students(root)
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        notebooks = sorted(
            p for p in folder.rglob("*") if _kind(p) in KINDS and not SKIP_PARTS.intersection(p.parts)
        )
        student = students.get(folder.name, "")
        if not notebooks:
            found.append(Submission(_safe_key(folder.name), str(folder), student, None, f"{folder.name}: no notebook submitted"))
            continue
        ipynbs = [p for p in notebooks if _kind(p) == ".ipynb"] or notebooks
        if len(ipynbs) > 1:
            names = ", ".join(p.name for p in ipynbs[:5])
            error = f"{folder.name}: several notebooks submitted ({names}); expected exactly one"
            found.append(Submission(_safe_key(folder.name), str(folder), student, None, error))
            continue
        data, error, source = _read_file(ipynbs[0])
        found.append(Submission(_safe_key(folder.name), source, student, data, error))
    return found


def discover(paths: list[Path]) -> list[Submission]:
    """Expand command-line paths into submissions, in a stable order with unique keys.

    Raises:
        InputError: if a path does not exist or is neither a notebook, a zip nor a folder.
    """
    found: list[Submission] = []
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            if (path / GRADESCOPE_METADATA).exists():
                found.extend(_gradescope_submissions(path))
                continue
            for file in sorted(path.rglob("*")):
                if _kind(file) not in KINDS or SKIP_PARTS.intersection(file.parts) or not file.is_file():
                    continue
                rel = file.relative_to(path).with_suffix("")
                data, error, source = _read_file(file)
                found.append(Submission(_safe_key("__".join(rel.parts)), source, "", data, error))
        elif _kind(path) in KINDS:
            data, error, source = _read_file(path)
            found.append(Submission(_safe_key(path.stem), source, "", data, error))
        else:
            raise InputError(f"{path}: expected a .ipynb notebook, an Otter .zip submission or a folder")
    return _dedupe(found)


def _dedupe(subs: list[Submission]) -> list[Submission]:
    """Make keys unique: a repeated key gets the first free ``-2``, ``-3``... suffix.

    A suffix is never one that another input has as its own key (``s_b-2.ipynb`` next to two
    ``s_b`` keys): results are written per key, so a collision would put one student's
    results under another's name.
    """
    taken = {sub.key for sub in subs}
    seen: set[str] = set()
    out = []
    for sub in subs:
        key = sub.key
        if key in seen:
            n = 2
            while f"{key}-{n}" in taken:
                n += 1
            key = f"{key}-{n}"
            taken.add(key)
            sub = Submission(key, sub.source, sub.student, sub.data, sub.error)
        seen.add(key)
        out.append(sub)
    return out
