"""Keep hidden material out of student-visible text.

Student code controls exception messages and output, and a determined student can make
them contain whatever its process can see. Everything student-provided that we show goes
through a ``Redactor``: it drops any line that appears in the hidden sources (checks and
reference) and caps the length.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

MIN_LINE = 12
"""Shorter lines ("return x", "else:") are too common to be evidence of a leak."""
SUBSTRING_MIN = 24
"""Protected lines this long are also found inside longer lines (a quoted or prefixed copy)."""
REMEMBERED_LINES, REMEMBERED_CHARS = 8192, 2000
"""How many distinct lines' verdicts are kept, and the longest line kept."""


class Redactor:
    """Removes lines of protected source files from text shown to students.

    Args:
        protected_sources: the texts to protect (file contents).
        limit: maximum characters kept of any one message.
    """

    def __init__(self, protected_sources: Iterable[str] = (), *, limit: int = 600) -> None:
        self.limit = limit
        self._lines = {
            line.strip() for text in protected_sources for line in text.splitlines() if len(line.strip()) >= MIN_LINE
        }
        self._long = tuple(sorted(p for p in self._lines if len(p) >= SUBSTRING_MIN))
        # the same judge messages come back for most of a class: a line is searched once
        self._remembered = functools.lru_cache(maxsize=REMEMBERED_LINES)(self._search)

    @classmethod
    def for_paths(cls, paths: Iterable[Path], *, limit: int = 600) -> Redactor:
        """Protect every ``*.py`` file under the given files or folders."""
        texts = []
        for path in paths:
            files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
            texts.extend(f.read_text(encoding="utf-8", errors="replace") for f in files if f.exists())
        return cls(texts, limit=limit)

    def leaks(self, text: str) -> bool:
        """Whether ``text`` contains a protected line."""
        return any(self._contains_protected(line) for line in text.splitlines())

    def _contains_protected(self, line: str) -> bool:
        return self._remembered(line) if len(line) <= REMEMBERED_CHARS else self._search(line)

    def _search(self, line: str) -> bool:
        stripped = line.strip()
        if len(stripped) < MIN_LINE:
            return False
        if stripped in self._lines:
            return True
        # a line shorter than the shortest long protected line cannot contain one (cheap for floods of short lines)
        return len(stripped) >= SUBSTRING_MIN and any(p in stripped for p in self._long)

    def clean(self, text: str, *, limit: int | None = None) -> str:
        """Drop protected lines, then cap the length (``limit`` overrides the default cap)."""
        cap = self.limit if limit is None else limit
        kept = ["[hidden line removed]" if self._contains_protected(line) else line for line in text.splitlines()]
        out = "\n".join(kept)
        if len(out) > cap:
            out = out[:cap] + " …[truncated]"
        return out
