"""Text from submissions, made safe for where it is shown: files, terminals and spreadsheets.

Submission names (Otter zip members, Gradescope export folders), exception messages and
written answers are chosen by students. Each place that shows them applies one of these.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
"""C0/C1 controls (escape sequences start here), and the bidirectional overrides that reorder text."""
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def valid_unicode(text: str) -> str:
    """``text`` without lone surrogates (JSON's ``"\\ud800"``), which no UTF-8 file can hold."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def without_controls(text: str) -> str:
    """``text`` without control characters (escape sequences start with one) or bidi overrides.

    Line feeds and tabs stay: they only lay text out.
    """
    return _CONTROL.sub("", valid_unicode(text))


def terminal_safe(text: str) -> str:
    """``text`` with control characters removed and Rich markup escaped, for the TA's terminal."""
    from rich.markup import escape

    return escape(without_controls(text))


def spreadsheet_safe(text: str) -> str:
    """``text`` that a spreadsheet shows as text, never runs as a formula.

    Excel, LibreOffice and Google Sheets treat a cell as a formula when it starts with one of
    ``= + - @`` (also after leading spaces, tabs or line breaks) or ``|``/``%`` in some
    locales; such cells get a leading apostrophe, as OWASP recommends. Carriage returns become
    line feeds: Python's CSV writer does not quote a field for a bare CR, which Excel reads as
    the start of a new row (and so of a new cell that could be a formula).
    """
    text = valid_unicode(text).replace("\r\n", "\n").replace("\r", "\n")  # a bare CR ends a row in Excel
    stripped = text.lstrip(" \t\r\n\x0b\x0c\u00a0\u3000")
    if text[:1] in _FORMULA_START or stripped[:1] in _FORMULA_START[:4]:
        return "'" + text
    return text
