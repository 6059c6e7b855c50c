"""CSV that is safe to open in a spreadsheet: every CSV the advisor writes goes through here.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel,
LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``), and
questions in the report are typed by anyone. Such a cell gets a leading single quote, OWASP's
rule for CSV injection, so it is shown as the text it is. Numbers the advisor computes are
written as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

__all__ = ["FORMULA_STARTS", "neutralize", "to_csv"]

# OWASP's list, with the full-width forms some spreadsheet locales also read as formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

Cell = str | int | float | None


def neutralize(cell: Cell) -> Cell:
    """The cell as a spreadsheet must show it: text that could start a formula is quoted."""
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def to_csv(rows: Iterable[Iterable[Cell]]) -> str:
    """Rows as CSV text (RFC 4180 quoting), every cell neutralized."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([neutralize(cell) for cell in row] for row in rows)
    return out.getvalue()
