"""A similar pair and the batch's similarity file, readable without copydetect.

``similarity.json`` in the output folder holds what ``grade`` found: the pairs (no source
code), the settings they were found with, or why nothing was computed. The class report and
the review app read it; only the TA's tools ever do.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from autograder.files import atomic_write_text

log = logging.getLogger(__name__)

SIMILARITY_NAME = "similarity.json"


@dataclass(frozen=True)
class SimilarPair:
    """Two submissions whose answers to one question are alike.

    Attributes:
        question: ``"q3"``.
        a, b: the submissions' keys (``a`` first in batch order).
        share_a, share_b: the fraction of each one's fingerprints the other has.
        shared: the number of fingerprints both have.
        regions_a, regions_b: the matching regions, as ``(start, end)`` character offsets in each source.
    """

    question: str
    a: str
    b: str
    share_a: float
    share_b: float
    shared: int
    regions_a: tuple[tuple[int, int], ...] = ()
    regions_b: tuple[tuple[int, int], ...] = ()

    @property
    def score(self) -> float:
        """The larger share: what the report sorts by and the threshold applies to."""
        return max(self.share_a, self.share_b)

    def other(self, key: str) -> str:
        """The submission paired with ``key``."""
        return self.b if key == self.a else self.a

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SimilarPair:
        return cls(str(data["question"]), str(data["a"]), str(data["b"]), float(data["share_a"]),
                   float(data["share_b"]), int(data["shared"]),
                   tuple((int(s), int(e)) for s, e in data.get("regions_a", ())),
                   tuple((int(s), int(e)) for s, e in data.get("regions_b", ())))


@dataclass
class SimilarityFile:
    """What ``similarity.json`` holds.

    Attributes:
        pairs: per question, the reported pairs, highest score first.
        settings: threshold, minimum shared fingerprints, k and window, for the record.
        note: why nothing was computed (copydetect missing, no template...), or "".
    """

    pairs: dict[str, list[SimilarPair]] = field(default_factory=dict)
    settings: dict[str, float] = field(default_factory=dict)
    note: str = ""

    def close_to(self, key: str) -> dict[str, list[tuple[str, float]]]:
        """Per question, the submissions reported with ``key`` and the pair's score."""
        found: dict[str, list[tuple[str, float]]] = {}
        for q, pairs in self.pairs.items():
            close = [(p.other(key), p.score) for p in pairs if key in (p.a, p.b)]
            if close:
                found[q] = close
        return found

    def write(self, out: Path) -> None:
        """Write ``similarity.json`` atomically (the pairs without their regions: only the page shows them)."""
        omit = ("regions_a", "regions_b")
        data = {"version": 1, "settings": self.settings, "note": self.note,
                "pairs": {q: [{k: v for k, v in asdict(p).items() if k not in omit} for p in ps]
                          for q, ps in self.pairs.items()}}
        atomic_write_text(out / SIMILARITY_NAME, json.dumps(data, indent=1) + "\n")


def load_similarity(out: Path) -> SimilarityFile | None:
    """``similarity.json`` of ``out`` (None: not there, or not readable, which is logged)."""
    path = out / SIMILARITY_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return SimilarityFile({str(q): [SimilarPair.from_dict(p) for p in ps] for q, ps in data["pairs"].items()},
                              {str(k): float(v) for k, v in data.get("settings", {}).items()},
                              str(data.get("note", "")))
    except FileNotFoundError:
        return None
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        log.error("%s: not a similarity file grade wrote (%s); left out", path, exc)
        return None
