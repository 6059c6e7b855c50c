"""Removes personal data from question text before it is stored.

E-mail addresses, phone numbers (international and local formats), URLs carrying a query string
and long digit runs (card, account and ID numbers) become placeholders. Dates, times, years and
short numbers that policies mention ("ISO 27001", "401(k)", "2026-11-26") are kept.
"""

from __future__ import annotations

import re

__all__ = ["redact"]

EMAIL = "[email]"
PHONE = "[phone]"
NUMBER = "[number]"
URL = "[url]"

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A URL with a query string or fragment can carry tokens and personal data; plain links stay.
_URL_WITH_QUERY = re.compile(r"(?:https?://|www\.)[^\s<>\"']*[?#][^\s<>\"']*", re.IGNORECASE)
# A run of digits possibly separated by spaces, dots, dashes, slashes or parentheses.
_DIGIT_RUN = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().\-/]*\d\)?(?![\w])")
_DATE = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?)$"
)
_MIN_PHONE_DIGITS = 7
_MIN_NUMBER_DIGITS = 9


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _label(core: str) -> str | None:
    """What a digit run is: a card or ID number, a phone number, or nothing to hide."""
    digits = sum(ch.isdigit() for ch in core)
    if _DATE.match(core) or digits < _MIN_PHONE_DIGITS:
        return None
    if 13 <= digits <= 19 and not core.startswith("+"):
        return NUMBER  # the length of payment card numbers
    if core.startswith(("+", "(", "0")) or any(c in core for c in " .-()/"):
        return PHONE
    return NUMBER if digits >= _MIN_NUMBER_DIGITS else PHONE


def _replace_run(match: re.Match[str]) -> str:
    run = match.group(0)
    label = _label(run.strip(" .-/"))
    if label is None:
        return run
    # Keep the whitespace the run swallowed at its edges, so words do not run together.
    lead = run[: len(run) - len(run.lstrip())]
    trail = run[len(run.rstrip()) :]
    return f"{lead}{label}{trail}"


def redact(text: str) -> str:
    """Replace personal data in ``text`` with placeholders; everything else is unchanged."""
    text = _EMAIL.sub(EMAIL, text)
    text = _URL_WITH_QUERY.sub(URL, text)
    return _DIGIT_RUN.sub(_replace_run, text)
