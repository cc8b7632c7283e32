"""Writing files so that readers never see half of one, and zips that are byte-reproducible.

Shared by the gradebook and reports, the result cache, the reference measurements, the
assignment build and the zip builders (Gradescope, Otter, Dask upload).
"""

from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""Every zip entry's timestamp, so the same files always give the same bytes."""


def atomic_write_bytes(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half.

    Args:
        path: the destination (its folder is created).
        data: the new contents.
        mode: permission bits for the new file; None keeps ``mkstemp``'s private 0600.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, *, mode: int | None = None) -> None:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"), mode=mode)


@dataclass(frozen=True)
class ZipEntry:
    """One file of a zip: where it goes, its bytes and its permission bits."""

    name: str
    data: bytes
    mode: int = 0o644


def deterministic_zip(entries: Iterable[ZipEntry]) -> bytes:
    """A zip of ``entries`` in the given order with fixed dates and Unix permissions."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for entry in entries:
            info = zipfile.ZipInfo(entry.name, date_time=ZIP_DATE)
            info.create_system = 3  # Unix, so unzip honours the permission bits
            info.external_attr = (0o100000 | entry.mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, entry.data, compresslevel=9)
    return buffer.getvalue()
