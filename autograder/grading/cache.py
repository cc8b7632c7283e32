"""Results kept by content hash, so an interrupted or repeated batch grades only what changed.

One JSON file per hash, written atomically (temporary file + rename): a killed run leaves
either the whole entry or none.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from autograder.files import atomic_write_text


def content_hash(data: bytes, salt: str) -> str:
    """Hash of a notebook's bytes and everything else that decides its grade."""
    digest = hashlib.sha256()
    digest.update(salt.encode())
    digest.update(b"\0")
    digest.update(data)
    return digest.hexdigest()


class ResultCache:
    """A folder of cached grading results keyed by content hash."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get(self, key: str) -> dict[str, Any] | None:
        """The cached entry for ``key``, or None (also for corrupt entries)."""
        path = self.folder / f"{key}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    def has(self, key: str) -> bool:
        """Whether an entry for ``key`` exists (:meth:`get` may still find it corrupt)."""
        return (self.folder / f"{key}.json").is_file()

    def put(self, key: str, entry: dict[str, Any]) -> None:
        """Store ``entry`` atomically."""
        atomic_write_text(self.folder / f"{key}.json", json.dumps(entry))
