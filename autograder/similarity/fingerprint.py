"""One answer cell's fingerprints: normalised tokens, their k-grams, winnowed.

What a copier changes cheaply does not reach the fingerprints: formatting and comments
(whitespace and comment tokens are dropped), docstrings (dropped), string contents (one
``S``), trailing commas, and the names the answer itself binds (its variables, parameters,
functions, classes and the attributes it assigns, such as ``self.kernel``, all become ``V``).
What an independent author has to choose is kept: the library calls (``tf.pad``,
``add_weight``, ``reduce_mean``), keywords, operators and numbers. So two correct answers are
alike only as far as they call the same things in the same order, not merely for being
correct, while a renamed copy is the same sequence.

Tokens come from Pygments (it reads any cell, even one that does not parse, or holds IPython
magics); which names are the answer's own comes from :mod:`ast` when the cell parses (else
every plain name is, as in copydetect). Winnowing (Schleimer, Wilkerson and Aiken 2003)
is copydetect's: it keeps, in every window of ``window`` consecutive k-gram hashes, the
smallest, so that any match of ``k + window - 1`` tokens is guaranteed to share a fingerprint.
The k-gram hashes are ours (BLAKE2b), because copydetect's use Python's ``hash()``, which
is salted per process: the same batch would get different fingerprints, and scores, each run.
"""

from __future__ import annotations

import ast
import hashlib
from dataclasses import dataclass

import numpy as np
from copydetect.utils import winnow
from pygments.lexers import PythonLexer
from pygments.token import Comment, Name, Number, String, Text, _TokenType

K = 6
"""Tokens per k-gram: a match shorter than this is never seen. With ``WINDOW`` it gave the widest gap
between planted copies and independent answers of the settings measured (benchmarks/similarity_threshold.py)."""
WINDOW = 2
"""Winnowing window: any match of at least ``K + WINDOW - 1`` tokens shares a fingerprint."""
MAX_SOURCE_CHARS = 100_000
"""Longer cells are cut: no answer is this long, and the tokenizer's time grows with it."""

_NAMES = (Name, Name.Variable, Name.Function, Name.Class, Name.Attribute, Name.Other)
_CLOSING = {")", "]", "}"}


@dataclass(frozen=True)
class Token:
    """One kept token: its normalised text and where it is in the answer's source."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Fingerprint:
    """The winnowed fingerprints of one answer.

    Attributes:
        source: the answer cell's source, as submitted (the side-by-side view shows it).
        tokens: the normalised tokens, with their places in ``source``.
        hashes: the fingerprints (template k-grams removed).
        positions: for each fingerprint, the token indexes where its k-grams start.
    """

    source: str
    tokens: tuple[Token, ...]
    hashes: frozenset[int]
    positions: dict[int, list[int]]


def own_names(source: str) -> frozenset[str] | None:
    """The names ``source`` binds itself (None if it does not parse: then every plain name counts).

    Import aliases are not among them: ``tf`` is ``tf`` whether the cell imports it or an earlier one did.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
    return frozenset(names)


def _is(kind: _TokenType, parent: _TokenType) -> bool:
    return kind in parent


def normalise(source: str) -> tuple[Token, ...]:
    """The tokens of ``source`` that carry meaning, names the answer binds replaced by ``V``."""
    source = source[:MAX_SOURCE_CHARS]
    own = own_names(source)
    tokens: list[Token] = []
    in_string = False
    for start, kind, text in PythonLexer().get_tokens_unprocessed(source):
        end = start + len(text)
        if _is(kind, String) and not _is(kind, String.Doc):
            if in_string:  # one string is several Pygments tokens (quotes, body, escapes, f-string parts)
                tokens[-1] = Token("S", tokens[-1].start, end)
            else:
                tokens.append(Token("S", start, end))
            in_string = True
            continue
        in_string = False
        if _is(kind, Text) or _is(kind, Comment) or _is(kind, String.Doc) or not text.strip():
            continue
        if kind in _NAMES:
            tokens.append(Token("V" if own is None or text in own else text, start, end))
        elif _is(kind, Number):
            tokens.append(Token(text.lower().replace("_", ""), start, end))
        elif text in _CLOSING and tokens and tokens[-1].text == ",":  # a trailing comma is formatting
            tokens[-1] = Token(text, start, end)
        else:
            tokens.append(Token(text, start, end))
    return tuple(tokens)


def kgram_hashes(tokens: tuple[Token, ...], k: int = K) -> np.ndarray:
    """A stable 52-bit hash of every k-gram of ``tokens`` (exact as float64, which winnowing compares in)."""
    texts = [t.text for t in tokens]
    values = [int.from_bytes(hashlib.blake2b("\x1f".join(texts[i:i + k]).encode("utf-8"), digest_size=8).digest(),
                             "big") >> 12 for i in range(len(texts) - k + 1)]
    return np.array(values, dtype=np.int64)


def template_hashes(source: str, k: int = K) -> frozenset[int]:
    """Every k-gram hash of the handed-out cell: what a submission did not write itself."""
    return frozenset(kgram_hashes(normalise(source), k).tolist())


def fingerprint(source: str, template: frozenset[int] = frozenset(), *, k: int = K,
                window: int = WINDOW) -> Fingerprint:
    """Fingerprint one answer, leaving out every k-gram the template has (its stub, like MOSS's base file).

    Args:
        source: the answer cell's source.
        template: :func:`template_hashes` of the template's cell for the same question.
        k: tokens per k-gram.
        window: winnowing window.
    """
    tokens = normalise(source)
    hashes = kgram_hashes(tokens, k)
    keep = np.array([h not in template for h in hashes.tolist()], dtype=bool)
    kept, index = hashes[keep], np.flatnonzero(keep)
    if len(kept) < window:  # shorter than one window: every k-gram is a fingerprint
        chosen, where = kept, index
    else:
        chosen, picked = winnow(kept, window, remove_duplicates=False)
        where = index[picked]
    positions: dict[int, list[int]] = {}
    for value, at in zip(chosen.tolist(), where.tolist(), strict=True):
        positions.setdefault(value, []).append(at)
    return Fingerprint(source, tokens, frozenset(positions), positions)
