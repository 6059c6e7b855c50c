"""Reading a written word as a word of the follow-up vocabulary, and network or app names
typed loosely in a short turn."""

from __future__ import annotations

import pytest

from bot import Knowledge
from bot.conversation.names import LooseNames
from bot.conversation.words import Vocabulary

WORDS = Vocabulary(
    ["why", "not", "what", "do", "you", "suggest", "reason", "details", "למה", "הסיבה", "מה", "עוד"],
    {"y": "why", "u": "you", "wat": "what", "deets": "details"},
)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("why", ("why",)),
        ("y", ("why",)),  # slang
        ("u", ("you",)),
        ("whyyyy", ("why",)),  # letters repeated
        ("למהה", ("למה",)),
        ("ולמה", ("למה",)),  # Hebrew prefixes
        ("והסיבה", ("הסיבה",)),
        ("למא", ("למה",)),  # alef for he at the end
        ("reasons", ("reason",)),  # another ending
        ("suggets", ("suggest",)),  # one typo in a long word
        ("detials", ("details",)),
    ],
)
def test_a_word_is_read_as_the_vocabulary_word_it_stands_for(written: str, read: tuple[str, ...]) -> None:
    assert WORDS.canon(written) == read


@pytest.mark.parametrize("word", ["linkedin", "recruit", "wat", "dog", "מותר", "נוט"])
def test_a_word_of_its_own_stays_as_written(word: str) -> None:
    vocabulary = Vocabulary(["why", "not", "what", "מה"])
    assert vocabulary.canon(word) == (word,)


def test_slang_may_stand_for_several_words() -> None:
    words = Vocabulary(["give", "me", "more"], {"gimme": "give me"})
    assert words.read(["gimme", "more"]) == ["give", "me", "more"]


@pytest.fixture(scope="module")
def names(knowledge: Knowledge) -> LooseNames:
    return LooseNames(knowledge.policy)


@pytest.mark.parametrize(
    ("words", "found"),
    [
        (["isnta"], {"network": "instagram"}),
        (["tiktk"], {"network": "tiktok"}),
        (["ובאינסטגמ"], {"network": "instagram"}),  # final letters are folded by normalize
        (["ובווטס"], {"network": "whatsapp"}),
        (["sales", "navigatr"], {"app": "sales-navigator"}),
        (["sales", "nav"], {"app": "sales-navigator"}),
        (["navigator"], {"app": "sales-navigator"}),
        (["ונביגייטור"], {"app": "sales-navigator"}),
    ],
)
def test_a_name_typed_loosely_is_found(names: LooseNames, words: list[str], found: dict[str, str]) -> None:
    assert names.find(words, range(len(words)))[0] == found


@pytest.mark.parametrize("word", ["sweet", "beta", "group", "policy", "customers", "נורא", "הקבוצה"])
def test_ordinary_words_are_not_names(names: LooseNames, word: str) -> None:
    assert names.find([word], [0]) == ({}, set())


def test_only_the_words_offered_are_looked_at(names: LooseNames) -> None:
    assert names.find(["isnta", "tiktk"], [1]) == ({"network": "tiktok"}, {1})
