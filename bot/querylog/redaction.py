"""Removes personal data from question text before it is stored.

E-mail addresses, phone numbers (international and local formats), URLs carrying a query string
and long digit runs (card, account and ID numbers) become placeholders. Dates, times, years and
short numbers that policies mention ("ISO 27001", "401(k)", "2026-11-26") are kept.

A digit run is found whatever touches it: a letter ("id123456782"), a Hebrew prefix letter
("ל0541234567"), an underscore or any dash ("054_1234567", "054—123—4567"). With a length
limit, the text is redacted first and cut afterwards, at a placeholder's edge, so no fragment
of a number or address too short to be recognized is ever kept.
"""

from __future__ import annotations

import re

__all__ = ["PLACEHOLDERS", "redact"]

EMAIL = "[email]"
PHONE = "[phone]"
NUMBER = "[number]"
URL = "[url]"
PLACEHOLDERS = (EMAIL, PHONE, NUMBER, URL)

# The local part starts where its characters start (the lookbehind), so a long word without "@"
# is scanned once, not once from each of its letters.
_EMAIL = re.compile(r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# A URL with a query string or fragment can carry tokens and personal data; plain links stay.
_URL_WITH_QUERY = re.compile(r"(?:https?://|www\.)[^\s<>\"']*[?#][^\s<>\"']*", re.IGNORECASE)
# What may separate the digits of one number: spaces, dots, slashes, parentheses, underscores
# and every dash (hyphen, non-breaking hyphen, figure, en and em dash, horizontal bar, minus).
_SEPARATORS = r"\s().\-/_\u2010-\u2015\u2212"
# A run of digits and separators, whatever letter touches it on either side.
_DIGIT_RUN = re.compile(rf"\+?\(?\d(?:[\d{_SEPARATORS}]*\d)?\)?")
_TORN_END = re.compile(rf"[+\d{_SEPARATORS}]+$")
_EDGES = " .-/_\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
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
    if core.startswith(("+", "(", "0")) or not core.isdigit():
        return PHONE
    return NUMBER if digits >= _MIN_NUMBER_DIGITS else PHONE


def _replace_run(match: re.Match[str]) -> str:
    run = match.group(0)
    label = _label(run.strip(_EDGES))
    if label is None:
        return run
    # Keep the whitespace the run swallowed at its edges, so words do not run together.
    lead = run[: len(run) - len(run.lstrip())]
    trail = run[len(run.rstrip()) :]
    return f"{lead}{label}{trail}"


def _drop_torn_end(text: str) -> str:
    """A text cut anywhere, without its last word and the digits and separators before it: what
    the cut went through (an address, a number) could no longer be recognized."""
    return _TORN_END.sub("", text[: max(text.rfind(" "), 0)])


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` characters, without the start of a placeholder the cut went through."""
    if len(text) <= limit:
        return text
    kept = text[:limit]
    opened = kept.rfind("[")
    if opened != -1 and "]" not in kept[opened:] and any(p.startswith(kept[opened:]) for p in PLACEHOLDERS):
        kept = kept[:opened]
    return kept


def redact(text: str, limit: int | None = None) -> str:
    """Replace personal data in ``text`` with placeholders; everything else is unchanged.
    With ``limit``, the redacted text is then cut to at most that many characters."""
    if limit is not None and len(text) > 2 * limit + 100:
        text = _drop_torn_end(text[: 2 * limit + 100])
    text = _EMAIL.sub(EMAIL, text)
    text = _URL_WITH_QUERY.sub(URL, text)
    text = _DIGIT_RUN.sub(_replace_run, text)
    return text if limit is None else _cut(text, limit)
