"""Ranks topics by fusing the base scorers with a model learned on held-out predictions.

Stacked generalization: the examples are split into folds; each base scorer is fitted on all
folds but one and scores the one left out, so every example gets the probabilities a scorer
gives a text it has not seen. On those, a small logistic regression learns how far to trust
each scorer: for every (text, candidate topic) pair it predicts whether the candidate is the
right topic, from each scorer's probability of it, whether that scorer ranks it first, how sure
that scorer is overall, and how much of the text the knowledge base knows (coverage). Its
output is the candidate's score: a probability of being right, the same scale whichever scorers
run, so one set of answer / ask-back / decline thresholds serves them all.

One regression is learned per language group (Hebrew and the rest), so a scorer that reads one
language badly (an English-only encoder on Hebrew) is discounted there by what it did on the
held-out examples, not by a rule.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..answer import Candidate
from .batching import Batcher
from .embedcache import FusionCache
from .lexical import LexicalMatcher
from .scorers import FittedScorer, LexicalScorer, Matrix, Scorer
from .stacking import (
    DEFAULT_STACKING,
    Meta,
    Stacking,
    coverage_of,
    folds,
    language_group,
    learn,
    pair_features,
    top_candidates,
    topic_words,
)

__all__ = ["FusedMatcher", "Stacking", "fusion_key"]


class _Corpus:
    """The texts the scorers learn from, with their topics and features: examples (which may be
    held out) and keywords (which never are)."""

    def __init__(
        self,
        topics: Sequence[str],
        documents: Mapping[str, Sequence[str]],
        keywords: Mapping[str, Sequence[str]],
        explainer: LexicalMatcher,
        lexical: LexicalScorer,
        others: Sequence[Scorer],
    ) -> None:
        self.topics = topics
        rows = [
            (text, label, held)
            for label, topic in enumerate(topics)
            for texts, held in ((documents.get(topic, ()), True), (keywords.get(topic, ()), False))
            for text in texts
        ]
        self.texts = [text for text, _, _ in rows]
        self.labels = np.array([label for _, label, _ in rows], dtype=np.int64)
        self.held = np.array([held for _, _, held in rows], dtype=bool)
        self.analyses = [explainer.analyze_example(t) for t in self.texts]
        self.lexical = [lexical.counts(a) for a in self.analyses]
        self.other = [s.features(self.texts) for s in others]


@dataclass(slots=True)
class _HeldOut:
    probabilities: list[Matrix]
    coverage: NDArray[np.float64]
    seen: list[list[set[str]]]


class FusedMatcher:
    """The advisor's matcher: base scorers fused by a learned model (see the module's doc).

    ``explainer`` (the lexical matcher) analyzes questions, fixing typos, and names the words
    that matched each candidate.
    """

    def __init__(
        self,
        documents: Mapping[str, Sequence[str]],
        lexical: LexicalScorer,
        explainer: LexicalMatcher,
        others: Sequence[Scorer] = (),
        stacking: Stacking = DEFAULT_STACKING,
        declines: Sequence[str] = (),
        keywords: Mapping[str, Sequence[str]] | None = None,
        fusion: FusedMatcher | None = None,
        cache: FusionCache | None = None,
    ) -> None:
        """``declines`` names the topics that hold questions to turn down; ``keywords`` (words
        and titles) train the scorers in every fold but are never held out: the fusion learns
        from how questions are asked, not from single words.

        ``fusion`` lends the fusion another matcher of the same scorers learned: the scorers are
        then fitted once on every text, without folds, in a fraction of the time. The fusion's
        features are the same for any topic, so it serves topics it never saw (what the policy
        owner teaches). ``cache`` keeps the learned fusion on disk, under a digest of all it
        was learned from, so that a restart does not learn it again."""
        keywords = keywords or {}
        self.topics = [t for t, examples in documents.items() if examples or keywords.get(t)]
        self._declines = np.array([t in set(declines) for t in self.topics], dtype=bool)
        self.lexical = lexical
        self.explainer = explainer
        self.others = list(others)
        self.stacking = stacking
        self.scorers = [s.name for s in (lexical, *self.others)]
        self._batched: Batcher[tuple[str, int], list[Candidate]] = Batcher(self._rank_batch)
        self._meta: dict[str, Meta]
        if fusion is not None and fusion.scorers != self.scorers:
            raise ValueError(f"a fusion of {fusion.scorers} cannot fuse {self.scorers}")
        corpus = _Corpus(self.topics, documents, keywords, explainer, lexical, self.others)
        n_topics = len(self.topics)
        self._lexical = lexical.fit(corpus.lexical, corpus.labels, n_topics)
        self._others: list[FittedScorer] = [
            s.fit(f, corpus.labels, n_topics) for s, f in zip(self.others, corpus.other, strict=True)
        ]
        self._topic_words = topic_words(corpus.analyses, corpus.labels.tolist(), n_topics)
        if fusion is not None:
            self._meta = fusion._meta
            return
        key = fusion_key(corpus, (lexical, *self.others), stacking, self._declines) if cache else ""
        stored = cache.get(key) if cache else None
        if stored is not None:
            self._meta = {group: Meta(coef, bias) for group, (coef, bias) in stored.items()}
            return
        held = self._held_out(corpus)
        kept = np.flatnonzero(corpus.held)
        self._meta = learn(
            [corpus.texts[i] for i in kept],
            corpus.labels[kept],
            [corpus.analyses[i] for i in kept],
            [h[kept] for h in held.probabilities],
            held.coverage[kept],
            [held.seen[i] for i in kept],
            self._declines,
            stacking,
        )
        if cache:
            cache.put(key, {group: (m.coef, m.bias) for group, m in self._meta.items()})

    def _held_out(self, corpus: _Corpus) -> _HeldOut:
        """Each scorer's probabilities for every text, from a fit on the folds without it, and
        what the lexical fit knew of the text (coverage, each topic's words)."""
        n, n_topics = len(corpus.texts), len(self.topics)
        held = _HeldOut([np.zeros((n, n_topics)) for _ in (self.lexical, *self.others)], np.ones(n), [[]] * n)
        labels = corpus.labels
        for train, test in folds(labels, corpus.held, self.stacking):
            fitted = self.lexical.fit([corpus.lexical[i] for i in train], labels[train], n_topics)
            held.probabilities[0][test] = fitted.probabilities([corpus.lexical[i] for i in test])
            words = topic_words([corpus.analyses[i] for i in train], labels[train].tolist(), n_topics)
            for i in test:
                held.coverage[i] = coverage_of(corpus.analyses[i], fitted.vocabulary)
                held.seen[i] = words
            for k, (scorer, features) in enumerate(zip(self.others, corpus.other, strict=True), 1):
                part = scorer.fit(scorer.take(features, train), labels[train], n_topics)
                held.probabilities[k][test] = part.probabilities(scorer.take(features, test))
        return held

    @property
    def weights(self) -> dict[str, list[float]]:
        """The learned meta-regression weights per language group (for ``advisor tune``)."""
        return {g: [round(float(w), 3) for w in m.coef] for g, m in self._meta.items()}

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """Questions ranked at the same moment by other threads share one encoder call."""
        return self._batched((text, limit))

    def _rank_batch(self, items: Sequence[tuple[str, int]]) -> list[list[Candidate]]:
        most = max(limit for _, limit in items)
        ranked = self.rank_many([text for text, _ in items], most)
        return [r[:limit] for r, (_, limit) in zip(ranked, items, strict=True)]

    def rank_many(self, texts: Sequence[str], limit: int = 5) -> list[list[Candidate]]:
        """Rank several questions at once: the encoder sees them in one batch."""
        analyses = [self.explainer.analyze(t) for t in texts]
        probabilities = [self._lexical.probabilities([self.lexical.counts(a) for a in analyses])]
        for scorer, fitted in zip(self.others, self._others, strict=True):
            probabilities.append(fitted.probabilities(scorer.features(texts, questions=True)))
        known = self._lexical.vocabulary
        ranked = []
        for row, (text, analysis) in enumerate(zip(texts, analyses, strict=True)):
            chosen = top_candidates(probabilities, row, self.stacking.top)
            features = pair_features(
                probabilities,
                row,
                chosen,
                analysis,
                coverage_of(analysis, known),
                self._topic_words,
                self._declines,
            )
            meta = self._meta.get(language_group(text)) or self._meta["all"]
            scores = meta.score(features)
            order = np.argsort(-scores)[:limit]
            topics = [self.topics[chosen[i]] for i in order]
            terms = self.explainer.terms(analysis, topics)
            scored = zip(topics, order, strict=True)
            ranked.append([Candidate(t, float(scores[i]), terms[t]) for t, i in scored])
        return ranked


def fusion_key(corpus: _Corpus, scorers: Sequence[Scorer], stacking: Stacking, declines: Matrix) -> str:
    """A digest of all a fusion is learned from: the code that reads texts and learns, the
    scorers' settings, the stacking, and every text with its topic and features."""
    digest = hashlib.sha256(_code_digest())
    digest.update(repr((stacking, [s.identity for s in scorers], corpus.topics)).encode())
    for array in (corpus.labels, corpus.held, np.asarray(declines, dtype=bool)):
        digest.update(np.ascontiguousarray(array).tobytes())
    for text, counts in zip(corpus.texts, corpus.lexical, strict=True):
        digest.update(repr((text, sorted(counts.items()))).encode("utf-8", "surrogatepass"))
    for features in corpus.other:
        ready = isinstance(features, np.ndarray)
        digest.update(np.ascontiguousarray(features).tobytes() if ready else repr(features).encode())
    return digest.hexdigest()[:32]


@functools.cache
def _code_digest() -> bytes:
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([*here.glob("*.py"), here.parent / "text.py"]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.digest()
