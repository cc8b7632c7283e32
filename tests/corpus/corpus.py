"""The answer corpus: plausible wrong answers (mutants) and legitimate different answers.

Each ``mutants/*.py`` or ``alternatives/*.py`` file is the full source of one question's answer
cell (only that question's names, with the imports it needs). It starts with a header::

    \"\"\"
    question: q3
    must_fail: [q3_numerics_inference, q3_numerics_training]
    why: BN applied after the ReLU instead of before
    \"\"\"

Alternatives have ``must_fail: []`` and must earn full marks. Both the in-process corpus test
and the notebook-level grading test read the files through :func:`load_corpus`.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent
KINDS = {"mutants": "mutant", "alternatives": "alternative"}
QUESTIONS = ("q1", "q2", "q3", "q4")
QUESTION_NAMES: dict[str, tuple[str, ...]] = {
    "q1": ("shift_right", "pooling_change", "fraction_unchanged"),
    "q2": ("LinearWithoutBuild",),
    "q3": ("resnetBlock",),
    "q4": ("ActivityL1", "train_step"),
}
"""The names each question's answer cell defines (from the assignment contract)."""


class CorpusError(ValueError):
    """A corpus file's header is missing or malformed."""


@dataclass(frozen=True)
class CorpusEntry:
    """One answer of the corpus.

    Attributes:
        path: the file.
        kind: ``"mutant"`` (must lose points) or ``"alternative"`` (must score full marks).
        question: the question the answer is for, ``"q3"``.
        must_fail: check ids that must fail (empty for alternatives).
        why: what is wrong (or different) about this answer.
        source: the whole file, header included; it runs as the answer cell.
    """

    path: Path
    kind: str
    question: str
    must_fail: list[str]
    why: str
    source: str

    @property
    def id(self) -> str:
        """A short test id, ``"mutant/q3_bn_after_relu"``."""
        return f"{self.kind}/{self.path.stem}"


def parse_header(source: str, path: Path) -> dict[str, object]:
    """Read the ``key: value`` lines of the file's docstring header.

    Raises:
        CorpusError: if the docstring or one of ``question``, ``must_fail``, ``why`` is missing.
    """
    try:
        from IPython.core.inputtransformer2 import TransformerManager

        python = TransformerManager().transform_cell(source)  # a cell may use IPython syntax (%magic)
        docstring = ast.get_docstring(ast.parse(python), clean=True)
    except SyntaxError as exc:
        raise CorpusError(f"{path}: not valid Python: {exc}") from None
    if not docstring:
        raise CorpusError(f"{path}: missing the docstring header")
    fields: dict[str, object] = {}
    for line in docstring.splitlines():
        key, sep, value = line.partition(":")
        if not sep or key.strip() not in ("question", "must_fail", "why"):
            continue
        value = value.strip()
        if key.strip() == "must_fail":
            if not (value.startswith("[") and value.endswith("]")):
                raise CorpusError(f"{path}: must_fail must be a [list]")
            fields["must_fail"] = [item.strip() for item in value[1:-1].split(",") if item.strip()]
        else:
            fields[key.strip()] = value
    missing = {"question", "must_fail", "why"} - set(fields)
    if missing:
        raise CorpusError(f"{path}: header lacks {', '.join(sorted(missing))}")
    if fields["question"] not in QUESTIONS:
        raise CorpusError(f"{path}: unknown question {fields['question']!r}")
    return fields


def load_corpus(root: Path = CORPUS_DIR) -> list[CorpusEntry]:
    """Every corpus entry, mutants first, each folder in file-name order.

    Raises:
        CorpusError: for a malformed header, or an alternative that lists checks to fail.
    """
    entries = []
    for folder, kind in KINDS.items():
        for path in sorted((root / folder).glob("*.py")):
            source = path.read_text(encoding="utf-8")
            header = parse_header(source, path)
            must_fail = list(header["must_fail"])  # type: ignore[call-overload]
            if kind == "alternative" and must_fail:
                raise CorpusError(f"{path}: an alternative must have must_fail: []")
            if kind == "mutant" and not must_fail:
                raise CorpusError(f"{path}: a mutant must name at least one check in must_fail")
            entries.append(
                CorpusEntry(path, kind, str(header["question"]), must_fail, str(header["why"]), source)
            )
    return entries
