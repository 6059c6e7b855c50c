"""Reading a message for what it leans on: "why?", "what instead?", "tell me more", "and on
Instagram?", "a checklist for that?", or a pronoun pointing back ("may I join it?").

The words are data (``knowledge/conversation.yaml``). A message is a follow-up only when nothing
but cue words, fillers and the networks or apps it names is left in it: "why can't I install
apps at work?" is a question of its own, "why not?" is not.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Literal

from pydantic import BaseModel, ConfigDict
from rapidfuzz.distance import DamerauLevenshtein

from ..knowledge.localized import Localized, LocalizedList, NonEmpty
from ..matching.entities import Entities, EntityFinder
from ..text import hebrew_variants, is_hebrew, normalize, stem, tokens
from .names import LooseNames
from .words import Vocabulary

__all__ = ["ConversationCues", "Cues", "Reading"]

Intent = Literal["why", "instead", "more"]
INTENTS: tuple[Intent, ...] = ("why", "instead", "more")
# A whole English message one edit from a cue phrase is that cue ("wyh not"), two edits for
# long phrases; short ones must match exactly. Hebrew is forgiven word by word instead: one
# letter in front of a Hebrew word changes its meaning ("ומה" is "and what", "למה" is "why").
MIN_FUZZY_CUE = 5
LONG_CUE = 12
# Words of four letters or more one edit away from a filler are that filler ("abut", "waht").
MIN_FUZZY_FILLER = 4
# Words around a cue that change nothing ("ok so why?", "could you elaborate", "אז למה בעצם?").
EDGE_WORDS = frozenset(
    {"and", "but", "so", "ok", "okay", "then", "please", "pls", "plz", "well", "hmm", "oh", "just"}
    | {"could", "can", "would", "will", "you", "u", "me", "maybe", "now", "again", "exactly", "really"}
)
# A message of at most this many words, or with at most this many words of its own, may lean
# on the context even with words of its own.
SHORT_WORDS = 5
FEW_OWN_WORDS = 1
# "it" after these points at nothing ("is it a good idea to ...", "would it be ok") unless it
# ends the message ("everyone does it").
IMPERSONAL = frozenset({"is", "isnt", "was", "would", "will", "does", "could", "be"})
# "זה" right after a network or a term such as "רשתות חברתיות" is a copula ("רשתות חברתיות זה
# ..." - social networks are ...), not a pointer back.
COPULAS_HE = frozenset({"זה", "זאת", "זו"})
PEOPLE = frozenset({"we", "they", "he", "she", "you", "u", "someone", "people"})
AND_HE = "ו"
EDGE_WORDS_HE = frozenset({"ו", "אז", "אבל", "טוב", "אוקיי", "בבקשה", "רגע", "נו", "בעצם", "שוב", "אולי"})


class ConversationCues(BaseModel):
    """``knowledge/conversation.yaml``: the words of follow-ups and the ask-back phrase."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    why: LocalizedList
    instead: LocalizedList
    more: LocalizedList
    heads: dict[Intent, list[NonEmpty]] = {}
    openers: dict[Intent, LocalizedList] = {}
    pushback: LocalizedList | None = None
    generic: list[NonEmpty] = []
    fillers: LocalizedList
    deixis: LocalizedList
    slang: dict[NonEmpty, NonEmpty] = {}
    acknowledgements: LocalizedList | None = None
    checklist: LocalizedList | None = None
    acknowledgement_topic: NonEmpty | None = None
    ask_back: Localized
    ask_back_topics: list[NonEmpty]
    more_intro: Localized


@dataclass(frozen=True, slots=True)
class Reading:
    """What a message holds besides a question of its own.

    ``intent``: "why", "instead" or "more" when that is all it asks; ``slot_only``: it names a
    network or an app and nothing else ("and on Instagram?"); ``checklist_only``: it asks for
    a checklist without saying which ("a checklist for that?"); ``deixis``: a word pointing
    back ("it", "אותו")."""

    entities: Entities
    intent: Intent | None = None
    slot_only: bool = False
    checklist_only: bool = False
    deixis: bool = False
    short: bool = False
    """At most a few words: a follow-up if the matcher finds no other topic it is sure of."""
    hinted: Intent | None = None
    """A short message with one intent's head word among words of its own ("how's that so
    bad?"): that intent, unless the matcher is sure of another topic."""
    vague: bool = False
    """No word of its own, but words about the previous answer ("is that really a problem?")."""
    bare: bool = False
    """A few words, at most one of them its own, naming nothing ("can I stay?", "should I
    accept?"): about the previous topic if that is the advice it is closest to."""
    acknowledged: bool = False
    """Nothing but words saying the answer was taken in ("ok got it", "הבנתי, סבבה")."""

    @property
    def leans(self) -> bool:
        """Whether the message means nothing without what came before it."""
        return self.intent is not None or self.slot_only or self.checklist_only


def _phrases(words: LocalizedList) -> frozenset[str]:
    return frozenset(p for p in (normalize(w) for w in words.all()) if p)


class Cues:
    def __init__(
        self, cues: ConversationCues, entities: EntityFinder, names: LooseNames | None = None
    ) -> None:
        """``names``: network and app names as typed loosely, looked for in short messages that
        name none the entity finder knows."""
        self.cues = cues
        self.entities = entities
        self.names = names
        self._intents = {kind: _phrases(getattr(cues, kind)) for kind in INTENTS}
        self._vocabulary = frozenset(w for ps in self._intents.values() for p in ps for w in p.split())
        self._fillers = frozenset(w for p in _phrases(cues.fillers) for w in p.split())
        self._deixis = _phrases(cues.deixis)
        self._long_fillers = [w for w in self._fillers if len(w) >= MIN_FUZZY_FILLER]
        self._heads = {kind: frozenset(normalize(w) for w in cues.heads.get(kind, [])) for kind in INTENTS}
        self._generic = frozenset(normalize(w) for w in cues.generic)
        self._phrase_words = {
            kind: frozenset(
                stem(w) for w in {w for p in self._intents[kind] for w in p.split()} | self._heads[kind]
            )
            for kind in INTENTS
        }
        self._checklist = frozenset(
            w for p in (_phrases(cues.checklist) if cues.checklist else ()) for w in p.split()
        )
        self._acknowledgements = (
            frozenset(w for p in _phrases(cues.acknowledgements) for w in p.split())
            if cues.acknowledgements
            else frozenset()
        )
        self.words = Vocabulary(
            self._vocabulary
            | self._fillers
            | self._deixis
            | self._generic
            | EDGE_WORDS
            | EDGE_WORDS_HE
            | frozenset(w for ws in self._heads.values() for w in ws)
            | self._acknowledgements
            | self._checklist,
            cues.slang,
        )

    def read(self, text: str) -> Reading:
        words = tokens(text)
        entities, used = self._named(words)
        rest = self.words.read(w for i, w in enumerate(words) if i not in used)
        copulas = {i for i, w in enumerate(words) if w in COPULAS_HE and i - 1 in used}
        pointers = (
            self.words.read(w for i, w in enumerate(words) if i not in used | copulas) if copulas else rest
        )
        deixis = any(
            self._is(w, self._deixis)
            and not (w == "it" and 0 < i < len(pointers) - 1 and pointers[i - 1] in IMPERSONAL)
            for i, w in enumerate(pointers)
        )
        content = [w for w in rest if not self._is_filler(w)]
        own = [w for w in content if w not in self.words]
        named = bool(entities.network or entities.app)
        intent = self._intent(rest)
        short = len(words) <= SHORT_WORDS or len(own) <= FEW_OWN_WORDS
        return Reading(
            entities=entities,
            intent=intent,
            slot_only=named and not content and intent is None,
            checklist_only=(entities.checklist or any(w in self._checklist for w in rest))
            and not [w for w in content if w not in self._checklist],
            deixis=deixis,
            short=short,
            hinted=self._hinted(rest) if short and intent is None and not named else None,
            vague=not named and not own and bool(content),
            bare=not named and len(words) <= SHORT_WORDS and len(own) <= FEW_OWN_WORDS,
            acknowledged=bool(rest) and not named and all(w in self._acknowledgements for w in rest),
        )

    def _named(self, words: list[str]) -> tuple[Entities, frozenset[int]]:
        """What the words name, and which of them: the names the entity finder knows, else in
        a short message the names typed loosely among words that are not follow-up words."""
        entities, used = self.entities.spans(words)
        if self.names is None or entities.network or entities.app or len(words) > SHORT_WORDS:
            return entities, used
        open_ = [i for i, w in enumerate(words) if i not in used and self.words.canon(w)[0] not in self.words]
        found, loose = self.names.find(words, open_)
        if not found:
            return entities, used
        named = self.entities.of(found.get("network"), found.get("app"))
        return replace(named, checklist=entities.checklist), used | loose

    def _hinted(self, words: list[str]) -> Intent | None:
        kinds = {kind for w in words for kind in INTENTS if self._is_head(w, kind)}
        return kinds.pop() if len(kinds) == 1 else None

    def _is_head(self, word: str, kind: Intent) -> bool:
        # "why's", "what's" are normalized to "whys", "whats"
        heads = self._heads[kind]
        return self._is(word, heads) or (word.endswith("s") and word[:-1] in heads)

    def _is(self, word: str, words: frozenset[str]) -> bool:
        if word in words:
            return True
        return is_hebrew(word) and any(v in words for v in hebrew_variants(word, min_rest=2))

    def _is_filler(self, word: str) -> bool:
        if self._is(word, self._fillers):
            return True
        if is_hebrew(word):
            return False
        if len(word) < MIN_FUZZY_FILLER:  # short words: swapped letters only ("adn", "teh")
            return any(sorted(word) == sorted(f) for f in self._fillers if len(f) == len(word))
        return any(DamerauLevenshtein.distance(word, f, score_cutoff=1) <= 1 for f in self._long_fillers)

    def _intent(self, words: list[str]) -> Intent | None:
        """The cue the words are, whole: first as they are, then without fillers the cues do
        not use ("why not on" is "why not"), then without the words at their edges; else the
        intent of its head word, or of most of its words."""
        kept = [w for w in words if self._is(w, self._vocabulary) or not self._is_filler(w)]
        candidates = (words, kept, _trim(kept))
        for candidate in candidates:
            found = self._cue(candidate, fuzzy=False)
            if found:
                return found
        found = self._head(words)
        for candidate in candidates:
            found = found or self._cue(candidate, fuzzy=True)
        return found or self._vote(words)

    def _vote(self, words: list[str]) -> Intent | None:
        """Words that all belong to follow-ups, read as the intent whose phrases hold most of
        them ("so what's the right way to handle it" holds words of "what instead")."""
        if not words or any(w not in self.words for w in words):
            return None
        votes = Counter(
            kind
            for w in set(words)
            if not self._is_filler(w)
            for kind in INTENTS
            if stem(w) in self._phrase_words[kind]
        )
        ranked = votes.most_common(2)
        if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
            return None
        return ranked[0][0]

    def _head(self, words: list[str]) -> Intent | None:
        """One intent's head word with nothing else but fillers and generic words."""
        kinds = {kind for w in words for kind in INTENTS if self._is_head(w, kind)}
        if len(kinds) != 1:
            return None
        [kind] = kinds
        allowed = self._heads[kind] | self._generic | self._vocabulary
        if all(self._is(w, allowed) or self._is_filler(w) for w in words):
            return kind
        return None

    def _cue(self, words: list[str], fuzzy: bool) -> Intent | None:
        if not words:
            return None
        forms = [" ".join(words)]
        if any(w in PEOPLE for w in words):  # "what should they do" asks as "what should i do"
            forms.append(" ".join("i" if w in PEOPLE else w for w in words))
        if is_hebrew(words[0]) and words[0].startswith(AND_HE) and len(words[0]) > 2:
            forms.append(" ".join([words[0][1:], *words[1:]]))  # "ומה עושים" asks "מה עושים"
        for form in forms:
            for kind in INTENTS:
                if form in self._intents[kind]:
                    return kind
        text = forms[-1] if len(forms) > 1 and not is_hebrew(words[0]) else forms[0]
        if not fuzzy or len(text) < MIN_FUZZY_CUE or is_hebrew(text):
            return None
        allowed = 2 if len(text) >= LONG_CUE else 1
        best: tuple[int, Intent | None] = (allowed + 1, None)
        for kind in INTENTS:
            for phrase in self._intents[kind]:
                if len(phrase) < MIN_FUZZY_CUE:
                    continue
                distance = DamerauLevenshtein.distance(text, phrase, score_cutoff=allowed)
                if distance < best[0]:
                    best = (distance, kind)
        return best[1]


def _trim(words: list[str]) -> list[str]:
    edges = EDGE_WORDS | EDGE_WORDS_HE
    start, end = 0, len(words)
    while start < end and words[start] in edges:
        start += 1
    while end > start and words[end - 1] in edges:
        end -= 1
    return words[start:end]
