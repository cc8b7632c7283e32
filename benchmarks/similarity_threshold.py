"""Where the similarity threshold comes from: true and false positive rates on the corpus.

    .venv/bin/python benchmarks/similarity_threshold.py [--seeds 20]

The corpus (``tests/similarity_corpus``): every independently written correct answer of each
question, and copies planted from them by renaming, reformatting, reordering and commenting,
alone and combined (``planting.TRANSFORMS``), with ``--seeds`` different draws of which answer
each transformation copies. A pair is a *copy* when both answers come from one origin, else
*independent*. For each setting of the fingerprints (k, window) it prints the lowest copy
score and the highest independent one, and for the chosen setting the true positive rate
(copies at or above a threshold, with at least ``MIN_SHARED`` shared fingerprints) and false
positive rate (independent pairs reported) at each threshold. Last, the same for copydetect
used as it comes (its tokenizer, character k-grams of 25, its boilerplate removal).
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from copydetect import CodeFingerprint, compare_files  # noqa: E402
from similarity_corpus.planting import planted_batch, template_answers  # noqa: E402

from autograder.similarity.compare import MIN_SHARED, THRESHOLD, all_scores, fingerprints  # noqa: E402
from autograder.similarity.fingerprint import WINDOW, K  # noqa: E402

Scores = list[tuple[bool, float, int]]
"""(is a copy, score, shared fingerprints) of every pair of every batch."""


def measure(seeds: int, k: int, window: int) -> Scores:
    """Every pair's score in ``seeds`` planted batches, with fingerprints of ``k`` and ``window``."""
    templates = template_answers()
    found: Scores = []
    for seed in range(seeds):
        answers, copies = planted_batch(seed)
        for q, prints in fingerprints(answers, templates, k=k, window=window).items():
            found += [((q, a, b) in copies, score, shared) for (a, b), (score, shared) in all_scores(prints).items()]
    return found


def measure_copydetect(seeds: int, noise: int = 25) -> Scores:
    """The same pairs scored by copydetect as it comes (character k-grams of ``noise``, window 1)."""
    templates = template_answers()
    found: Scores = []
    for seed in range(seeds):
        answers, copies = planted_batch(seed)
        for q in sorted(templates):
            base = CodeFingerprint("t.py", noise, 1, fp=io.StringIO(templates[q])).hashes
            prints = {key: CodeFingerprint(f"{key}.py", noise, 1, boilerplate=list(base), fp=io.StringIO(by_q[q]))
                      for key, by_q in sorted(answers.items()) if q in by_q}
            keys = sorted(prints)
            for i, a in enumerate(keys):
                for b in keys[i + 1:]:
                    overlap, (share_a, share_b), _ = compare_files(prints[a], prints[b])
                    found.append(((q, a, b) in copies, float(max(share_a, share_b)), int(overlap)))
    return found


def rates(scores: Scores, threshold: float, min_shared: int) -> tuple[float, float, int, int]:
    """(true positive rate, false positive rate, copies, independent pairs) at ``threshold``."""
    copies = [s for s in scores if s[0]]
    independent = [s for s in scores if not s[0]]
    tp = sum(1 for _, score, shared in copies if score >= threshold and shared >= min_shared)
    fp = sum(1 for _, score, shared in independent if score >= threshold and shared >= min_shared)
    return tp / len(copies), fp / len(independent), len(copies), len(independent)


def table(scores: Scores, min_shared: int) -> None:
    print(f"{'threshold':>9}  {'true pos.':>9}  {'false pos.':>10}")
    for step in range(30, 100, 5):
        tp, fp, *_ = rates(scores, step / 100, min_shared)
        print(f"{step / 100:9.2f}  {tp:9.1%}  {fp:10.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()

    print("k  window  lowest copy  highest independent  (score = max share of fingerprints)")
    for k in (5, 6, 8, 10, 12):
        for window in (1, 2, 4, 6):
            scores = measure(args.seeds, k, window)
            low = min(s for copy, s, _ in scores if copy)
            high = max(s for copy, s, _ in scores if not copy)
            print(f"{k:<2} {window:<7} {low:11.2f}  {high:19.2f}{'   <- chosen' if (k, window) == (K, WINDOW) else ''}")

    scores = measure(args.seeds, K, WINDOW)
    tp, fp, copies, independent = rates(scores, THRESHOLD, MIN_SHARED)
    print(f"\nchosen: k={K} window={WINDOW} threshold={THRESHOLD} min_shared={MIN_SHARED}: "
          f"true positives {tp:.1%} of {copies} copy pairs, false positives {fp:.2%} of {independent} independent "
          f"pairs ({args.seeds} batches)")
    table(scores, MIN_SHARED)

    print("\ncopydetect as it comes (its tokenizer, 25-character k-grams, window 1, score = max similarity):")
    table(measure_copydetect(args.seeds), 0)


if __name__ == "__main__":
    main()
