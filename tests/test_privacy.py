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
from bot.pseudonyms import Pseudonymizer, load_or_create_key
from bot.redaction import redact
from bot.service import pseudonym_key

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
def test_redaction_never_fails(text: str) -> None:
    assert isinstance(redact(text), str)


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
