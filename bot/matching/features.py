"""Turns a text into weighted features: stemmed words, word pairs and character n-grams.

The same analysis runs on the knowledge base's examples and on a question, so every form a
question can take (a prefix, a plural, a typo mapped to a known word) meets its counterpart.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache

from ..text import hebrew_variants, is_hebrew, stem, tokens

__all__ = ["Analysis", "analyze", "char_ngrams", "concept_table", "is_stopword"]

# Function words carry no topic: they are left out of every feature, so "what's the ..." does
# not pull a question towards a short topic that happens to use the same words.
STOPWORDS = frozenset(
    """a an the of to in on at for and or but not no yes is are was were am be been being it its
    this that these those there here my mine our ours your yours i me we us you he she they them
    his her their do does did doing done can could should would will shall may might must have has
    had having get got just so if then than as by about into from up out with what whats which who
    whom whose where when why how some any all also too very really much many more most please
    im ive id ill youre dont doesnt isnt cant wont""".split()
    + """של את על עם אל זה זו זאת אלה אני אנחנו אתה אתם אתן הוא היא הם הן לי לך לו לה לנו לכם
    להם שלי שלך שלו שלה שלנו שלכם שלהם יש אין האם או גם כל מה איך למה מי איפה מתי אם כי לא כן רק
    עוד אבל אז כבר היה היו יהיה אפשר צריך כדאי בבקשה הזה הזאת האלה הזו ממש מאוד""".split()
)
# A prefixed Hebrew form counts, but less than the word as written: "לקבוצה" is mostly "קבוצה".
PREFIX_VARIANT_WEIGHT = 0.6


def char_ngrams(word: str, low: int = 3, high: int = 5) -> Iterable[str]:
    padded = f" {word} "
    for n in range(low, high + 1):
        for i in range(len(padded) - n + 1):
            yield padded[i : i + n]


@lru_cache(maxsize=65536)
def _word_ngrams(word: str) -> tuple[str, ...]:
    return tuple(char_ngrams(word))


class Analysis:
    """The features of one text, kept apart by kind so each can be weighted on its own."""

    __slots__ = ("chars", "content", "surface", "tokens", "words")

    def __init__(self) -> None:
        self.words: defaultdict[str, float] = defaultdict(float)
        self.chars: Counter[str] = Counter()
        self.surface: dict[str, str] = {}
        self.content: list[tuple[str, frozenset[str]]] = []
        """Each content word with its word features, to see how much of a question a topic covers."""
        self.tokens: list[str] = []
        """Every word as read (typos fixed), function words included, in order."""


def is_stopword(word: str) -> bool:
    """A function word, also behind a Hebrew prefix ("ושלי", "במה") while the word is short."""
    if word in STOPWORDS:
        return True
    return (
        len(word) <= 5 and is_hebrew(word) and any(v in STOPWORDS for v in hebrew_variants(word, min_rest=2))
    )


def _word_forms(word: str) -> list[tuple[str, float]]:
    """The word's stem, and for Hebrew the stems behind its possible prefixes."""
    forms = [(stem(word), 1.0)]
    if is_hebrew(word):
        forms += [(stem(v), PREFIX_VARIANT_WEIGHT) for v in hebrew_variants(word)]
    return forms


def concept_table(groups: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Stem every word of each synonym group, mapping the stem to the group's name."""
    table: dict[str, str] = {}
    for name, words in groups.items():
        for word in words:
            for form in tokens(word):
                table[stem(form)] = name
    return table


def analyze(
    text: str,
    fix: Callable[[str], list[str]] | None = None,
    concepts: Mapping[str, str] | None = None,
) -> Analysis:
    """Analyze ``text``; ``fix`` may replace an unknown word (a typo, two words run together);
    words found in ``concepts`` also count as their concept ("hire" and "לגייס" as "=recruit").

    A text made only of function words ("what are you for") keeps them, so it still has
    features; in any other text they are left out.
    """
    words = [(raw, w) for raw in tokens(text) for w in (fix(raw) if fix else [raw])]
    keep_all = all(is_stopword(w) for _, w in words)
    result = Analysis()
    result.tokens = [w for _, w in words]
    previous: str | None = None
    for raw, word in words:
        if not keep_all and is_stopword(word):
            continue
        result.chars.update(_word_ngrams(word))
        forms = _word_forms(word)
        for form, weight in forms:
            result.words[form] += weight
            result.surface.setdefault(form, raw)
        concept = next((concepts[f] for f, _ in forms if f in concepts), None) if concepts else None
        if concept:
            result.words["=" + concept] += 1.0
            result.surface.setdefault("=" + concept, raw)
            forms.append(("=" + concept, 1.0))
        result.content.append((word, frozenset(f for f, _ in forms)))
        main = forms[0][0] if forms else None
        if main and previous:
            result.words[f"{previous}~{main}"] += 1.0
        previous = main
    return result
