"""Every CSV the advisor writes is safe to open in a spreadsheet (OWASP's CSV injection rule)."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.querylog.csvexport import FORMULA_STARTS, neutralize, to_csv

ATTACKS = [
    '=HYPERLINK("http://evil.example/x","click me")',
    "+cmd|' /C calc'!A0",
    "=1+1",
    "@SUM(A1:A9)",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "\uff1d1+1",
]


@pytest.mark.parametrize("cell", ATTACKS)
def test_formula_cells_are_quoted(cell: str) -> None:
    [[written]] = list(csv.reader(io.StringIO(to_csv([[cell]]))))
    assert written == "'" + cell


@given(st.text(), st.integers())
def test_text_is_kept_and_never_starts_a_formula(text: str, number: int) -> None:
    rows = list(csv.reader(io.StringIO(to_csv([[text, number]]), newline="")))
    cell = neutralize(text)
    assert isinstance(cell, str) and not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)
    assert rows[0][1] == str(number)


def test_numbers_and_plain_text_are_unchanged() -> None:
    assert to_csv([["topic", "join-groups", 3, 0.25, None]]) == "topic,join-groups,3,0.25,\r\n"
