"""Every pair of submissions, per question: how much of each answer the other one shares.

A pair's numbers, for one question (after the template's code is left out of both):

- ``share_a``: the fraction of A's fingerprints that B has too, and ``share_b`` the other way;
- ``score``: the larger of the two: a copy padded with extra code still scores as its origin does;
- ``shared``: how many fingerprints they share: a high score on very little code (two answers
  of a few tokens beyond the template) is not evidence, so a pair needs ``MIN_SHARED`` of them.

All pairs of a question are compared by set intersection (about a microsecond each), and the
matching regions are worked out (copydetect's ``get_copied_slices``) only for the pairs reported.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from itertools import combinations

import numpy as np
from copydetect.utils import get_copied_slices

from autograder.similarity.fingerprint import WINDOW, Fingerprint, K, fingerprint, template_hashes
from autograder.similarity.pairs import SimilarPair

log = logging.getLogger(__name__)

THRESHOLD = 0.7
"""A pair is reported from this score up. Measured (benchmarks/similarity_threshold.py, 20 planted
batches): every planted copy scored 0.79 or more, no independent pair above 0.60; 0.7 is between."""
MIN_SHARED = 8
"""...and only if it shares at least this many fingerprints (about 15 tokens of the student's own code):
a guard for answers that add almost nothing to the template; no pair of the corpus comes near it."""


def _regions(print_: Fingerprint, starts: np.ndarray, k: int) -> tuple[tuple[int, int], ...]:
    """Character spans in the source of the token slices that start k-grams at ``starts``.

    A span is cut where a comment or docstring lies between two tokens: those are not compared,
    so they are not marked as shared either.
    """
    slices = get_copied_slices(starts, k)
    spans: list[tuple[int, int]] = []
    for first, last in zip(slices[0].tolist(), slices[1].tolist(), strict=True):
        for token in print_.tokens[int(first):min(int(last), len(print_.tokens))]:
            if spans and spans[-1][1] <= token.start and not print_.source[spans[-1][1]:token.start].strip():
                spans[-1] = (spans[-1][0], token.end)
            else:
                spans.append((token.start, token.end))
    return tuple(spans)


def matched_regions(a: Fingerprint, b: Fingerprint, k: int = K) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Where ``a`` and ``b`` share fingerprints, in each one's source."""
    common = a.hashes & b.hashes
    starts_a = np.array(sorted(p for h in common for p in a.positions[h]), dtype=np.int64)
    starts_b = np.array(sorted(p for h in common for p in b.positions[h]), dtype=np.int64)
    return _regions(a, starts_a, k), _regions(b, starts_b, k)


def compare_question(question: str, prints: Mapping[str, Fingerprint], *, threshold: float = THRESHOLD,
                     min_shared: int = MIN_SHARED, k: int = K) -> list[SimilarPair]:
    """The pairs of one question at or above ``threshold``, highest score first.

    Args:
        question: the question, for the pairs.
        prints: each submission's fingerprint for this question, in batch order.
        threshold, min_shared: what a pair needs to be reported.
        k: the k the fingerprints were made with.
    """
    items = [(key, p) for key, p in prints.items() if p.hashes]
    found = []
    for (key_a, a), (key_b, b) in combinations(items, 2):
        shared = len(a.hashes & b.hashes)
        if shared < min_shared:
            continue
        share_a, share_b = shared / len(a.hashes), shared / len(b.hashes)
        if max(share_a, share_b) < threshold:
            continue
        regions_a, regions_b = matched_regions(a, b, k)
        found.append(SimilarPair(question, key_a, key_b, round(share_a, 4), round(share_b, 4), shared,
                                 regions_a, regions_b))
    return sorted(found, key=lambda p: (-p.score, -p.shared))


def all_scores(prints: Mapping[str, Fingerprint]) -> dict[tuple[str, str], tuple[float, int]]:
    """Every pair's ``(score, shared)`` for one question, keys sorted (for measuring, not for reports)."""
    items = sorted((key, p) for key, p in prints.items() if p.hashes)
    scores = {}
    for (key_a, a), (key_b, b) in combinations(items, 2):
        shared = len(a.hashes & b.hashes)
        scores[(key_a, key_b)] = (shared / min(len(a.hashes), len(b.hashes)), shared)
    return scores


def fingerprints(answers: Mapping[str, Mapping[str, str]], templates: Mapping[str, str], *, k: int = K,
                 window: int = WINDOW) -> dict[str, dict[str, Fingerprint]]:
    """Per question, each submission's fingerprint of its answer (the template's k-grams left out).

    Args:
        answers: submission key -> question -> the answer cell's source.
        templates: question -> the handed-out cell's source (a question without one keeps everything).
        k, window: the fingerprints' k-gram length and winnowing window.
    """
    questions = sorted({q for by_q in answers.values() for q in by_q})
    bases = {q: template_hashes(templates[q], k) for q in questions if q in templates}
    return {q: {key: fingerprint(by_q[q], bases.get(q, frozenset()), k=k, window=window)
                for key, by_q in answers.items() if q in by_q}
            for q in questions}


def similar_pairs(answers: Mapping[str, Mapping[str, str]], templates: Mapping[str, str], *,
                  threshold: float = THRESHOLD, min_shared: int = MIN_SHARED) -> dict[str, list[SimilarPair]]:
    """Per question, the pairs of submissions whose answers are alike, highest score first.

    Args:
        answers: submission key -> question -> the answer cell's source, in batch order.
        templates: question -> the handed-out cell's source.
        threshold, min_shared: what a pair needs to be reported.
    """
    pairs = {q: compare_question(q, prints, threshold=threshold, min_shared=min_shared)
             for q, prints in fingerprints(answers, templates).items()}
    log.info("similarity: %s", ", ".join(f"{q} {len(p)} pairs" for q, p in pairs.items()) or "no answers")
    return pairs


def settings(threshold: float = THRESHOLD, min_shared: int = MIN_SHARED) -> dict[str, float]:
    """What the pairs were found with, for the record in ``similarity.json`` and the page."""
    return {"threshold": threshold, "min_shared": min_shared, "k": K, "window": WINDOW}
