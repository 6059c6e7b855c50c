from __future__ import annotations

import hashlib
import hmac
import os
import re
import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import ConfigError, load_settings
from bot.querylog.pseudonyms import Pseudonymizer, load_or_create_key
from bot.querylog.redaction import redact
from bot.service import pseudonym_key
from bot.text import HEBREW_PREFIXES

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


@pytest.mark.parametrize(
    "text",
    [
        "mail alice.smith+work@example.co.il now",
        "אפשר לשלוח ל dana@corp.com?",
        "call +44 20 7946 0958 tomorrow",
        "my number is +972-54-123-4567",
        "my number is 054-1234567",
        "טלפון: 052 123 4567 בערב",
        "office (03) 555-1234",
        "call 1-800-555-0199",
        "ring 0541234567.",
        "+14155552671",
        "card 4111 1111 1111 1111 please",
        "card 4111-1111-1111-1111",
        "id 123456789",
        "see https://example.com/reset?token=abc123&user=7",
        "קישור www.example.com/a?session=xyz בבקשה",
    ],
)
def test_personal_data_is_removed(text: str) -> None:
    redacted = redact(text)
    assert not EMAIL_RE.search(redacted)
    assert sum(ch.isdigit() for ch in redacted) < 7, redacted
    assert "token=" not in redacted and "session=" not in redacted
    assert re.search(r"\[(email|phone|number|url)\]", redacted)


@pytest.mark.parametrize(
    "text",
    [
        "do we follow ISO 27001 on linkedin?",
        "is my 401(k) info private",
        "the campaign starts 2026-11-26 at 10:30",
        "posted on 26/11/2026",
        "version 1.2.3 of the app",
        "in 2024 we had 12345 followers",
        "see https://example.com/guide for details",
        "Rule 3 and Rule 4",
    ],
)
def test_policy_words_dates_and_short_numbers_survive(text: str) -> None:
    assert redact(text) == text


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


cards = st.text("0123456789", min_size=15, max_size=15).map(
    lambda body: body + next(c for c in "0123456789" if luhn_valid(body + c))
)
phones = st.builds(
    lambda cc, rest: f"+{cc} {rest[:2]} {rest[2:5]} {rest[5:]}",
    st.integers(1, 999),
    st.text("0123456789", min_size=8, max_size=10),
)
emails = st.builds(
    lambda user, host: f"{user}@{host}.com",
    st.text("abcdefghijklmnopqrstuvwxyz0123456789._+-", min_size=1, max_size=20).filter(
        lambda u: u[0].isalnum()
    ),
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=12),
)
around = st.sampled_from(["", "שלום ", "my card is ", "ולהתקשר ל ", "call me: ", "(", "מייל: "])


@settings(max_examples=300)
@given(around, st.one_of(cards, phones, emails), around)
def test_generated_personal_data_never_survives(before: str, secret: str, after: str) -> None:
    redacted = redact(f"{before}{secret} {after}")
    assert secret not in redacted
    assert not EMAIL_RE.search(redacted)
    assert sum(ch.isdigit() for ch in redacted) < 7


@given(st.text(max_size=200))
def test_redaction_never_fails_and_is_stable(text: str) -> None:
    once = redact(text)
    assert redact(once) == once


def test_pseudonyms_are_keyed_hmac() -> None:
    key = b"k" * 32
    expected = hmac.new(key, b"user:U123", hashlib.sha256).hexdigest()[:32]
    assert Pseudonymizer(key)("user", "U123") == expected
    assert Pseudonymizer(b"j" * 32)("user", "U123") != expected
    assert Pseudonymizer(key)("workspace", "U123") != expected
    assert Pseudonymizer(key)("user", None) is None and Pseudonymizer(key)("user", "") is None
    with pytest.raises(ConfigError):
        Pseudonymizer(b"short")


def test_development_key_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "pseudonym.key"
    first = load_or_create_key(path)
    assert load_or_create_key(path) == first and len(first) == 64
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_production_requires_a_key(tmp_path: Path) -> None:
    production = load_settings(env="production", data_dir=tmp_path)
    with pytest.raises(ConfigError, match="ADVISOR_PSEUDONYM_KEY is required in production"):
        pseudonym_key(production, allow_generated=False)
    assert not (tmp_path / "pseudonym.key").exists()
    assert pseudonym_key(load_settings(env="development", data_dir=tmp_path), allow_generated=False)
    configured = load_settings(env="production", data_dir=tmp_path, pseudonym_key="s" * 40)
    assert pseudonym_key(configured, allow_generated=False) == b"s" * 40
    blank = load_settings(env="production", data_dir=tmp_path / "x", pseudonym_key="   ")
    with pytest.raises(ConfigError):
        pseudonym_key(blank, allow_generated=False)


# Numbers and addresses as people type them: digits in groups joined by any separator (dashes
# of every kind, underscores, dots, spaces), glued to letters or a Hebrew prefix letter on
# either side, inside Hebrew or English words, and cut anywhere by the length limit.
SEPARATORS = st.sampled_from(
    ["", " ", "-", "_", ".", "/", "\u2014", "\u2013", "\u2011", "\u2212", " - ", " \u2014 "]
)
GLUE = st.one_of(
    st.just(""),
    st.sampled_from(sorted(HEBREW_PREFIXES)),
    st.text("abcdefghijklmnopqrstuvwxyzאבגדהוזחטיכלמנסעפצקרשת", min_size=1, max_size=4),
)
WORDS = st.lists(
    st.sampled_from(
        ["call", "me", "at", "my", "id", "is", "תתקשר", "אליי", "מספר", "טלפון", "please", "מייל"]
    ),
    max_size=6,
).map(" ".join)


def digits(count: int, first: str = "") -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=count - len(first), max_size=count - len(first)).map(
        lambda rest: first + rest
    )


@st.composite
def grouped(draw: st.DrawFn, number: str) -> str:
    """``number`` split into groups of 1 to 4 digits, each joined by its own separator."""
    groups, rest = [], number
    while rest:
        size = draw(st.integers(1, 4))
        groups.append(rest[:size])
        rest = rest[size:]
    return groups[0] + "".join(draw(SEPARATORS) + g for g in groups[1:])


phone_numbers = st.one_of(
    digits(10, "05"),  # Israeli mobile
    digits(9, "0"),  # Israeli landline
    digits(12, "972"),
    digits(11, "1"),
).flatmap(grouped)
international = phone_numbers.map(lambda number: "+" + number)
id_numbers = digits(9).flatmap(grouped)
addresses = st.builds(
    lambda user, digit, host: f"{user}{digit}@{host}.example.com",
    st.text("abcdefghijklmnopqrstuvwxyz._", min_size=1, max_size=12).filter(lambda u: u[0].isalpha()),
    st.text("0123456789", min_size=1, max_size=3),
    st.text("abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=10),
)
secrets = st.one_of(phone_numbers, international, id_numbers, cards, addresses)


@settings(max_examples=500)
@given(WORDS, GLUE, secrets, GLUE, WORDS, st.integers(1, 120))
def test_generated_personal_data_leaves_no_fragment_at_any_cut(
    before: str, glued_before: str, secret: str, glued_after: str, after: str, limit: int
) -> None:
    """Every generated secret holds a digit and the words around hold none: any digit or "@"
    left after redaction would be a piece of the secret."""
    stored = redact(f"{before} {glued_before}{secret}{glued_after} {after}", limit)
    assert len(stored) <= limit
    assert not any(ch.isdigit() for ch in stored), stored
    assert "@" not in stored


@given(st.lists(secrets, min_size=1, max_size=5), st.integers(1, 400))
def test_cutting_a_long_text_keeps_no_fragment(parts: list[str], limit: int) -> None:
    stored = redact(" ".join(part + " שלום" for part in parts * 20), limit)
    assert len(stored) <= limit and not any(ch.isdigit() for ch in stored) and "@" not in stored
