"""``similarity.html`` and ``similarity.csv``: the pairs of alike answers, for TAs only.

Per question, the pairs at or above the threshold, highest score first, each with the two
answers side by side and the regions they share marked. Sources are shown as text (Jinja2
autoescaping; the page runs no script). The CSV has the same pairs, one per row, with every
cell safe for spreadsheets. Neither file is linked from anything a student receives.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from autograder.files import atomic_write_text
from autograder.reporting.pages import environment
from autograder.similarity.pairs import SimilarityFile
from autograder.text import spreadsheet_safe

log = logging.getLogger(__name__)

HTML_NAME = "similarity.html"
CSV_NAME = "similarity.csv"
MAX_SHOWN = 100
"""Pairs shown side by side per question (the highest scores); the CSV lists every pair."""
CSV_COLUMNS = ("question", "submission_a", "student_a", "submission_b", "student_b", "score", "share_a", "share_b",
               "shared_fingerprints")


def segments(source: str, regions: tuple[tuple[int, int], ...]) -> list[tuple[str, bool]]:
    """``source`` cut into ``(text, shared?)`` pieces by the (possibly overlapping) regions."""
    merged: list[list[int]] = []
    for start, end in sorted(regions):
        start, end = max(0, start), min(len(source), end)
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        elif start < end:
            merged.append([start, end])
    pieces, at = [], 0
    for start, end in merged:
        if start > at:
            pieces.append((source[at:start], False))
        pieces.append((source[start:end], True))
        at = end
    if at < len(source):
        pieces.append((source[at:], False))
    return pieces


def similarity_csv(found: SimilarityFile, students: Mapping[str, str]) -> str:
    """The reported pairs as CSV, highest score first within each question."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for q, pairs in found.pairs.items():
        for p in pairs:
            writer.writerow([spreadsheet_safe(str(v)) for v in (
                q, p.a, students.get(p.a, ""), p.b, students.get(p.b, ""), f"{p.score:.3f}", f"{p.share_a:.3f}",
                f"{p.share_b:.3f}", p.shared)])
    return buffer.getvalue()


def similarity_page(found: SimilarityFile, sources: Mapping[str, Mapping[str, str]],
                    students: Mapping[str, str]) -> str:
    """The HTML page of the reported pairs, the two answers of each side by side."""
    questions: dict[str, list[dict[str, Any]]] = {}
    for q, pairs in found.pairs.items():
        questions[q] = [{
            "pair": p,
            "sides": [{"key": key, "student": students.get(key, ""), "share": share,
                       "pieces": segments(sources.get(key, {}).get(q, ""), regions)}
                      for key, share, regions in ((p.a, p.share_a, p.regions_a), (p.b, p.share_b, p.regions_b))],
        } for p in pairs[:MAX_SHOWN]]
    counts = {q: len(pairs) for q, pairs in found.pairs.items()}
    return environment().get_template(HTML_NAME).render(questions=questions, counts=counts, settings=found.settings,
                                                        note=found.note, max_shown=MAX_SHOWN)


def write_similarity(out: Path, found: SimilarityFile, sources: Mapping[str, Mapping[str, str]],
                     students: Mapping[str, str]) -> None:
    """``similarity.json``, ``similarity.html`` and ``similarity.csv`` in ``out`` (each atomically)."""
    found.write(out)
    atomic_write_text(out / HTML_NAME, similarity_page(found, sources, students))
    atomic_write_text(out / CSV_NAME, similarity_csv(found, students))
    log.info("wrote %s and %s (%d pairs)", HTML_NAME, CSV_NAME, sum(len(p) for p in found.pairs.values()))
