"""Code similarity across a batch's answer cells: information for the TAs, never a score.

Per question, every pair of submissions' ``answer:qN`` cells is compared after what the
template hands out is left out and what carries no meaning is normalised away
(:mod:`.fingerprint`); pairs whose answers share most of their fingerprints are reported
(:mod:`.compare`). Only notebook source text is read, in the grader; nothing is run. The result
goes to TA-only files (``similarity.html``, ``similarity.csv``, ``similarity.json``, a section of
``report.html``, the review app); never to results.json or a feedback page.

It needs copydetect (the ``review`` extra): :func:`available` says whether it is installed.
"""

from __future__ import annotations

import importlib.util


def available() -> bool:
    """Whether copydetect (the ``review`` extra) is installed."""
    return importlib.util.find_spec("copydetect") is not None
