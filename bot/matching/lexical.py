"""Ranks knowledge-base topics for a question, with a score and the words that matched.

Each topic is scored as a whole: its examples are turned into TF-IDF vectors (stemmed words,
word pairs, character n-grams), averaged into one centroid per topic and stored in an inverted
index, so a question only touches the topics that share a feature with it. Words the index has
never seen are mapped to the closest known word with rapidfuzz (typos) or split in two (missing
spaces) before scoring.

Two rules make a partial fit less confident, so the advisor declines rather than guesses:
words that no topic knows lower every score (coverage), and a topic that shares only one word
with a question of several words scores less (single hit).
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from ..answer import Candidate
from ..text import hebrew_variants, is_hebrew, stem, tokens
from .features import Analysis, analyze

__all__ = ["LexicalMatcher", "Matcher", "MatcherWeights"]


class Matcher(Protocol):
    """What the advisor needs from a matcher: topics ranked best first."""

    def rank(self, text: str, limit: int = 5) -> list[Candidate]: ...


@dataclass(frozen=True, slots=True)
class MatcherWeights:
    """How much each kind of feature counts; word and character scores are cosines in 0..1."""

    words: float = 0.6
    chars: float = 0.4
    min_typo_length: int = 5
    min_typo_length_hebrew: int = 6
    long_word: int = 8
    coverage: float = 1.0
    """Exponent on the share of known words that scales every score (0: no effect)."""
    single_hit: float = 0.5
    """Score factor for a topic that shares only one word with a question of several words."""
    max_postings: int = 96
    """Each feature of a question visits at most this many topics, the ones it weighs most in:
    keeps large knowledge bases fast (a common character trigram adds little to any score)."""
    max_char_features: int = 128
    """A question scores with at most this many of its character n-grams, the weightiest: a
    40-word question has some 300 of them, most of them common ones."""
    max_char_visits: int = 2400
    """Those n-grams share this many posting visits: each visits the topics it weighs most in,
    ``max_postings`` of them for a short question, fewer (never under ``min_postings``) for a
    long one. Both limits keep a long question near the cost of a short one in plain Python;
    words (a few dozen even in a long question) are never cut."""
    min_postings: int = 4


def max_edits(word: str, long_word: int) -> int:
    """One typo in an ordinary word, two in a long one."""
    return 2 if len(word) >= long_word else 1


Vector = dict[str, float]
Postings = tuple["array[int]", "array[float]"]
"""The topics a feature occurs in and its weight in each, weightiest first."""
FIX_CACHE_SIZE = 100_000


def _normalize(vector: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {k: v / norm for k, v in vector.items()} if norm else {}


class _Block:
    """One kind of feature: its IDF table and the inverted index of topic centroids.

    IDF counts topics, not examples: a word that every marketing topic uses ("social",
    "networks") says little about which of them is meant, however often it is written.
    """

    def __init__(
        self,
        per_topic: Sequence[Sequence[Mapping[str, float]]],
        max_postings: int,
        max_features: int | None = None,
        max_visits: int | None = None,
        min_postings: int = 1,
    ) -> None:
        self.max_postings = max_postings
        self.max_features = max_features
        self.max_visits = max_visits
        self.min_postings = min_postings
        df: Counter[str] = Counter()
        for examples in per_topic:
            df.update(set().union(*examples))
        n_topics = len(per_topic)
        self.idf = {f: math.log((1 + n_topics) / (1 + d)) + 1.0 for f, d in df.items()}
        # A feature no topic has is as rare as can be: it stays in the question's norm, so
        # words the knowledge base has never seen dilute the score instead of vanishing.
        self.unseen_idf = math.log(1 + n_topics) + 1.0
        lists: defaultdict[str, list[tuple[float, int]]] = defaultdict(list)
        for topic, examples in enumerate(per_topic):
            centroid: defaultdict[str, float] = defaultdict(float)
            for counts in examples:
                for f, w in self.weigh(counts).items():
                    centroid[f] += w
            for f, w in _normalize(centroid).items():
                lists[f].append((w, topic))
        # Each posting list holds its topics weightiest first, in two flat arrays: a few bytes
        # a posting instead of a tuple, an int and a float each, and a question's visit reads
        # memory in order.
        self.index: dict[str, Postings] = {}
        for f, postings in lists.items():
            postings.sort(key=lambda posting: posting[0], reverse=True)
            self.index[f] = (array("i", [t for _, t in postings]), array("d", [w for w, _ in postings]))

    def weigh(self, counts: Mapping[str, float]) -> Vector:
        return _normalize(
            {f: (1.0 + math.log(c)) * self.idf.get(f, self.unseen_idf) for f, c in counts.items() if c > 0}
        )

    def score(self, counts: Mapping[str, float], scale: float, into: defaultdict[int, float]) -> Vector:
        """Add ``scale`` times the question's cosine with each topic it shares a feature with;
        return the question's feature weights (not normalized: only their order is used)."""
        idf, unseen, index = self.idf, self.unseen_idf, self.index
        query: Vector = {}
        found: list[tuple[float, Postings]] = []
        missing = 0.0
        for f, c in counts.items():
            if c <= 0:
                continue
            q = idf.get(f, unseen) if c == 1 else (1.0 + math.log(c)) * idf.get(f, unseen)
            query[f] = q
            postings = index.get(f)
            if postings:
                found.append((q, postings))
            else:
                missing += q * q
        if not found:
            return query
        if self.max_features is not None and len(found) > self.max_features:
            # A long question scores with its weightiest features only (the rarest n-grams),
            # as a cosine in their space: the common ones it leaves out would have added to
            # most topics alike. Features no topic has still dilute the score.
            found = heapq.nlargest(self.max_features, found, key=lambda item: item[0])
        factor = scale / math.sqrt(missing + sum(q * q for q, _ in found))
        limit = self.max_postings
        if self.max_visits is not None and len(found) * limit > self.max_visits:
            limit = max(self.min_postings, self.max_visits // len(found))
        for q, (topics, weights) in found:
            weight = factor * q
            if len(topics) > limit:
                topics, weights = topics[:limit], weights[:limit]
            for topic, w in zip(topics, weights, strict=True):
                into[topic] += weight * w
        return query


class LexicalMatcher:
    """The default matcher: fast, dependency-light, typo-tolerant, bilingual."""

    def __init__(
        self,
        documents: Mapping[str, Sequence[str]],
        weights: MatcherWeights = MatcherWeights(),
        concepts: Mapping[str, str] | None = None,
        vocabulary: Sequence[str] = (),
    ) -> None:
        """``documents`` maps each topic id to its example texts (questions and keywords);
        ``concepts`` maps word stems to a shared concept name (see :func:`concept_table`);
        ``vocabulary`` adds words a typo may be corrected to (names of networks and apps)."""
        self.weights = weights
        self.concepts = dict(concepts or {})
        self.topic_ids = list(documents)
        words = {w for texts in documents.values() for t in texts for w in tokens(t)}
        self._names = frozenset(w for phrase in vocabulary for w in tokens(phrase))
        words.update(self._names)
        self.vocabulary = sorted(words)
        self._known = frozenset(self.vocabulary)
        self._known_stems = frozenset(stem(w) for w in self.vocabulary) | frozenset(self.concepts)
        analyses = [[analyze(t, concepts=self.concepts) for t in texts] for texts in documents.values()]
        self._words = _Block([[a.words for a in topic] for topic in analyses], weights.max_postings)
        self._chars = _Block(
            [[a.chars for a in topic] for topic in analyses],
            weights.max_postings,
            weights.max_char_features,
            weights.max_char_visits,
            weights.min_postings,
        )
        self._topic_words = [set().union(*(a.words for a in topic)) for topic in analyses]
        self._all_words = frozenset().union(*self._topic_words)
        self._fixed: dict[str, list[str]] = {}
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for w in self.vocabulary:
            self._by_length[len(w)].append(w)
        self._near: dict[tuple[int, int], list[str]] = {}

    def _is_known(self, word: str) -> bool:
        if word in self._known or stem(word) in self._known_stems:
            return True
        return is_hebrew(word) and any(stem(v) in self._known_stems for v in hebrew_variants(word))

    def fix(self, word: str) -> list[str]:
        """A known word stays; an unknown one becomes its closest known word or two known words."""
        fixed = self._fixed.get(word)
        if fixed is None:
            if len(self._fixed) >= FIX_CACHE_SIZE:
                self._fixed.clear()
            fixed = self._fixed[word] = self._fix(word)
        return fixed

    def forget_fixes(self) -> None:
        """Drop the remembered typo corrections (they are rebuilt as words come again)."""
        self._fixed.clear()

    def _fix(self, word: str) -> list[str]:
        shortest = self.weights.min_typo_length_hebrew if is_hebrew(word) else self.weights.min_typo_length
        if len(word) < shortest or word.isdigit() or self._is_known(word):
            return [word]
        for cut in range(3, len(word) - 2):
            left, right = word[:cut], word[cut:]
            if left in self._known and right in self._known:
                return [left, right]
        edits = max_edits(word, self.weights.long_word)
        best = process.extractOne(
            word, self._lengths(len(word), edits), scorer=Levenshtein.distance, score_cutoff=edits
        )
        return [best[0]] if best else [word]

    def _lengths(self, length: int, edits: int) -> list[str]:
        """The known words within ``edits`` of ``length`` letters, in vocabulary order: only they
        can be that many edits away, so a typo is compared with a fraction of the vocabulary."""
        near = self._near.get((length, edits))
        if near is None:
            near = sorted(
                w for n in range(length - edits, length + edits + 1) for w in self._by_length.get(n, ())
            )
            self._near[(length, edits)] = near
        return near

    def analyze(self, text: str) -> Analysis:
        """A question's analysis: typos fixed, concepts added."""
        return analyze(text, self.fix, self.concepts)

    def analyze_example(self, text: str) -> Analysis:
        """An example's analysis: concepts added, words kept as written."""
        return analyze(text, concepts=self.concepts)

    def terms(self, analysis: Analysis, topics: Sequence[str]) -> dict[str, tuple[str, ...]]:
        """For each of ``topics``, the question's words (weightiest first) its examples use."""
        idf, unseen = self._words.idf, self._words.unseen_idf
        explained = sorted(
            (f for f in analysis.words if f in analysis.surface),
            key=lambda f: analysis.words[f] * idf.get(f, unseen),
            reverse=True,
        )
        index = {t: i for i, t in enumerate(self.topic_ids)}
        return {t: self._reason(analysis, explained, index[t]) if t in index else () for t in topics}

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        analysis = self.analyze(text)
        scores: defaultdict[int, float] = defaultdict(float)
        query_words = self._words.score(analysis.words, self.weights.words, scores)
        self._chars.score(analysis.chars, self.weights.chars, scores)
        factor = self._coverage(analysis) ** self.weights.coverage if self.weights.coverage else 1.0
        # Only a shortlist is explained and re-scored, which keeps large knowledge bases fast;
        # a topic outside it would need to beat a halved score from the shortlist to matter.
        shortlist = heapq.nlargest(2 * limit + 6, scores.items(), key=lambda item: item[1])
        several_words = len(analysis.content) > 1
        explained = [f for f in query_words if f in analysis.surface]
        explained.sort(key=lambda f: query_words[f], reverse=True)
        ranked = []
        for t, s in shortlist:
            s *= factor
            terms = self._reason(analysis, explained, t)
            if several_words and len(terms) < 2:
                s *= self.weights.single_hit
            if s > 0.0:
                ranked.append(Candidate(self.topic_ids[t], min(1.0, s), terms))
        ranked.sort(key=lambda c: c.score, reverse=True)
        return ranked[:limit]

    def _coverage(self, analysis: Analysis) -> float:
        """The share of the question's content words that the knowledge base knows at all.

        "how do I install docker" shares "install" with the apps topic, but "docker" is a word
        no topic uses, so every score is lowered: a partial fit is not a confident one.
        """
        if not analysis.content:
            return 1.0
        hits = sum(1 for word, forms in analysis.content if word in self._names or forms & self._all_words)
        return hits / len(analysis.content)

    def _reason(self, analysis: Analysis, explained: list[str], topic: int) -> tuple[str, ...]:
        """The question's words (weightiest first) that the topic's examples also use."""
        known = self._topic_words[topic]
        return tuple(dict.fromkeys(analysis.surface[f] for f in explained if f in known))[:6]
