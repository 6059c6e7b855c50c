"""How a written word is read as one of the words follow-ups are made of.

People chat: "y tho", "wat do u suggest", "whyyy", "למהה", "והסיבה?", "tel me mroe". Each word
of a message is read as a word of the follow-up vocabulary when it is one, or is slang for one
(``slang`` in ``knowledge/conversation.yaml``), or is one with letters repeated, with Hebrew
prefixes (ו ה ב ל מ ש כ) in front, with another ending, or one typo away; otherwise it stays as
written, a word of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rapidfuzz.distance import DamerauLevenshtein

from ..text import hebrew_variants, is_hebrew, normalize, stem

__all__ = ["Vocabulary"]

# Words this long may be one typo from a vocabulary word ("becuase", "reasn", "תסבירר").
MIN_TYPO = 5
_RUNS = re.compile(r"(.)\1{2,}")
_DOUBLES = re.compile(r"(.)\1+")


class Vocabulary:
    def __init__(self, words: Iterable[str], slang: Mapping[str, str] | None = None) -> None:
        self.words = frozenset(words)
        self.slang = {normalize(k): normalize(v).split() for k, v in (slang or {}).items() if normalize(k)}
        stems: dict[str, set[str]] = {}
        for word in self.words:
            stems.setdefault(stem(word), set()).add(word)
        self._by_stem = {s: min(ws, key=lambda w: (len(w), w)) for s, ws in stems.items()}
        self._typable = sorted(w for w in self.words if len(w) >= MIN_TYPO)
        self._cache: dict[str, tuple[str, ...]] = {}

    def __contains__(self, word: object) -> bool:
        return word in self.words

    def read(self, words: Iterable[str]) -> list[str]:
        """The words as the vocabulary knows them (slang may stand for several words)."""
        return [w for word in words for w in self.canon(word)]

    def canon(self, word: str) -> tuple[str, ...]:
        found = self._cache.get(word)
        if found is None:
            found = self._cache[word] = self._canon(word)
        return found

    def _canon(self, word: str) -> tuple[str, ...]:
        if word in self.slang:
            return tuple(self.slang[word])
        if word in self.words:
            return (word,)
        squeezed = [_RUNS.sub(r"\1\1", word), _DOUBLES.sub(r"\1", word)]
        for form in squeezed:
            if form in self.words:
                return (form,)
            if form in self.slang:
                return tuple(self.slang[form])
        if is_hebrew(word):
            for variant in [*hebrew_variants(word, min_rest=2), *_endings(word)]:
                if variant in self.words:
                    return (variant,)
        known = self._by_stem.get(stem(word))
        if known is not None:
            return (known,)
        return (self._typo(word) or word,)

    def _typo(self, word: str) -> str | None:
        """The one vocabulary word a word of some length is one edit from, if only one."""
        if len(word) < MIN_TYPO:
            return None
        near = {w for w in self._typable if DamerauLevenshtein.distance(word, w, score_cutoff=1) <= 1}
        return near.pop() if len(near) == 1 else None


def _endings(word: str) -> list[str]:
    """The word with its last letter written the other common way: alef and he sound alike at
    the end of a Hebrew word ("למא" for "למה")."""
    swap = {"א": "ה", "ה": "א"}
    return [word[:-1] + swap[word[-1]]] if len(word) >= 3 and word[-1] in swap else []
