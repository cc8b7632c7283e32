"""Similarity at class scale: all pairs of ``--n`` submissions (500 by default), timed.

    .venv/bin/python benchmarks/bench_similarity.py [--n 500] [--seed 0]

Each synthetic submission answers all four questions. Each answer is assembled function by
function (method by method) from the similarity corpus' independent answers, picked at random,
then disguised by one of the planting transformations: many distinct answers, some alike, as in
a class. Prints the time to fingerprint, to compare every pair of every question, to write
similarity.json/.html/.csv, and the number of pairs reported. Not a unit test: the goal is a
class of 500 in well under a minute on the 2-core machine the project is developed on.
"""

from __future__ import annotations

import argparse
import ast
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from similarity_corpus.planting import TRANSFORMS, independent_answers, template_answers  # noqa: E402

from autograder.reporting.similarity import write_similarity  # noqa: E402
from autograder.similarity.compare import compare_question, fingerprints, settings  # noqa: E402
from autograder.similarity.pairs import SimilarityFile  # noqa: E402


def _parts(source: str) -> dict[str, ast.stmt]:
    """The answer's top-level functions and, for a class, its methods, by name."""
    found: dict[str, ast.stmt] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            found.update({f"{node.name}.{m.name}": m for m in node.body if isinstance(m, ast.FunctionDef)})
        elif isinstance(node, ast.FunctionDef):
            found[node.name] = node
    return found


def assemble(sources: list[str], rng: random.Random) -> str:
    """One answer: the first source's skeleton with each function or method taken from a random source."""
    tree = ast.parse(rng.choice(sources))
    donors = [_parts(s) for s in sources]
    for node in ast.walk(tree):
        for holder in [node] if isinstance(node, (ast.Module, ast.ClassDef)) else []:
            prefix = f"{holder.name}." if isinstance(holder, ast.ClassDef) else ""
            for i, child in enumerate(holder.body):
                if isinstance(child, ast.FunctionDef):
                    choices = [d[prefix + child.name] for d in donors if prefix + child.name in d]
                    holder.body[i] = rng.choice(choices) if choices else child
    return ast.unparse(tree) + "\n"


def synthetic_batch(n: int, seed: int) -> dict[str, dict[str, str]]:
    """``n`` submissions, each with an answer to every question."""
    rng = random.Random(seed)
    corpus = {q: list(answers.values()) for q, answers in independent_answers().items()}
    return {f"s{i:04d}": {q: rng.choice(TRANSFORMS)(assemble(sources, rng), rng) for q, sources in corpus.items()}
            for i in range(n)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    answers = synthetic_batch(args.n, args.seed)
    templates = template_answers()

    start = time.perf_counter()
    prints = fingerprints(answers, templates)
    fingerprinted = time.perf_counter()
    pairs = {q: compare_question(q, by_key) for q, by_key in prints.items()}
    compared = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        write_similarity(Path(out), SimilarityFile(pairs, settings()), answers, {})
    written = time.perf_counter()

    count = len(answers)
    print(f"{count} submissions, 4 questions, {4 * count * (count - 1) // 2} pairs compared, "
          f"{sum(len(p) for p in pairs.values())} reported ({', '.join(f'{q} {len(p)}' for q, p in pairs.items())})")
    print(f"fingerprints {fingerprinted - start:.1f} s, all pairs {compared - fingerprinted:.1f} s, "
          f"files {written - compared:.1f} s: total {written - start:.1f} s")


if __name__ == "__main__":
    main()
