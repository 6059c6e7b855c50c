"""Text normalization for English and Hebrew: the one place that decides what a "word" is.

Hebrew needs care that English does not: niqqud (vowel points) and cantillation marks are
dropped, final letters (ך ם ן ף ץ) are folded to their regular forms, and one-letter prefixes
(ו ה ב ל מ ש כ, up to three stacked: "וכשב...") are peeled off as alternative forms of a word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import snowballstemmer

__all__ = [
    "HEBREW_PREFIXES",
    "clean",
    "detect_lang",
    "has_words",
    "hebrew_variants",
    "is_hebrew",
    "normalize",
    "stem",
    "tokens",
]

HEBREW_PREFIXES = frozenset("והבלמשכ")
_FINALS = str.maketrans({"ך": "כ", "ם": "מ", "ן": "נ", "ף": "פ", "ץ": "צ"})
# Niqqud and cantillation: U+0591..U+05C7 except maqaf (U+05BE) and sof pasuq (U+05C3),
# which separate words and are handled as punctuation.
_NIQQUD = re.compile("[\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7]")
# Apostrophes, geresh, gershayim and hyphens join the parts of one word:
# "e-mail", "don't", "לינקד-אין", "צ'אט", "מנכ\"ל".
_JOINERS = re.compile("['\u2019\u05f3\u05f4\"\u2010\u2011\u00ad-]")
_NON_WORD = re.compile(r"[^\w\u0590-\u05ff]+")
_CONTROL = re.compile(
    r"[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_HEBREW_LETTER = re.compile("[\u05d0-\u05ea]")
_LATIN_LETTER = re.compile("[A-Za-z]")
_WORD_CHAR = re.compile(r"[^\W_]")

_STEMMER = snowballstemmer.stemmer("english")


def clean(text: str) -> str:
    """Drop control and invisible formatting characters, fold whitespace, apply NFKC."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub("", text)
    return " ".join(text.split())


def is_hebrew(word: str) -> bool:
    return bool(_HEBREW_LETTER.search(word))


def has_words(text: str) -> bool:
    """True when the text holds at least one letter or digit (not only emoji or punctuation)."""
    return bool(_WORD_CHAR.search(text))


def detect_lang(text: str) -> str:
    """``he`` when Hebrew words are at least as many as Latin ones, else ``en``.

    Mixed questions ("אפשר להתקין LinkedIn app?") are Hebrew when most of their words are.
    """
    he = en = 0
    for word in text.split():
        if _HEBREW_LETTER.search(word):
            he += 1
        elif _LATIN_LETTER.search(word):
            en += 1
    return "he" if he and he >= en else "en"


def normalize(text: str) -> str:
    """Lower-case, strip niqqud, fold final letters, join hyphenated words, drop punctuation."""
    text = clean(text).lower()
    text = _NIQQUD.sub("", text).translate(_FINALS)
    text = _JOINERS.sub("", text)
    text = _NON_WORD.sub(" ", text).replace("_", " ")
    return " ".join(text.split())


def tokens(text: str) -> list[str]:
    """The words of a text after :func:`normalize`."""
    return normalize(text).split()


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A crude but stable stem: Snowball for English, plural/feminine endings for Hebrew."""
    if not is_hebrew(word):
        return str(_STEMMER.stemWord(word))
    if len(word) >= 5 and word.endswith(("ימ", "ות")):
        return word[:-2]
    if len(word) >= 4 and word.endswith("ה"):
        return word[:-1]
    # Construct state: "משרת" (job of) is "משרה" (job); three-letter words like "רשת" stay.
    if len(word) >= 4 and word.endswith("ת"):
        return word[:-1]
    return word


def hebrew_variants(word: str, min_rest: int = 3) -> Iterator[str]:
    """The word with 1, 2 and 3 leading prefix letters removed, while enough remains.

    "ולפייסבוק" yields "לפייסבוק" and "פייסבוק"; the caller decides which forms are real words.
    Where the script turns Latin the word ends its prefixes whatever its length: "ובX" yields
    "בx" and "x".
    """
    for i in range(1, 4):
        if word[i - 1 : i] not in HEBREW_PREFIXES:
            return
        rest = word[i:]
        if len(rest) >= min_rest or (rest and rest[0].isascii() and rest[0].isalnum()):
            yield rest
