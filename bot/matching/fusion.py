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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..answer import Candidate
from ..text import is_hebrew
from .batching import Batcher
from .features import Analysis
from .lexical import LexicalMatcher
from .scorers import FittedScorer, LexicalScorer, Matrix, Scorer

__all__ = ["FusedMatcher", "Stacking"]

_FLOOR = 1e-4


@dataclass(frozen=True, slots=True)
class Stacking:
    """How the fusion is learned: ``folds`` held-out parts, ``top`` candidates per scorer,
    ``c`` the meta-regression's inverse regularization, ``min_group`` texts a language group
    needs for a regression of its own."""

    folds: int = 5
    top: int = 3
    c: float = 1.0
    min_group: int = 60
    seed: int = 0


@dataclass(frozen=True, slots=True)
class _Meta:
    coef: Matrix
    bias: float

    def score(self, rows: Matrix) -> Matrix:
        return np.asarray(1.0 / (1.0 + np.exp(-(rows @ self.coef + self.bias))))


def _group(text: str) -> str:
    return "he" if is_hebrew(text) else "other"


def _coverage(analysis: Analysis, known: Mapping[str, int] | set[str], prefix: str = "w ") -> float:
    """The share of the text's content words that ``known`` has in any form."""
    if not analysis.content:
        return 1.0
    hits = sum(1 for _, forms in analysis.content if any(prefix + f in known for f in forms))
    return hits / len(analysis.content)


def _topic_words(analyses: Sequence[Analysis], labels: Sequence[int], n_topics: int) -> list[set[str]]:
    """Every word feature each topic's examples use."""
    words: list[set[str]] = [set() for _ in range(n_topics)]
    for analysis, label in zip(analyses, labels, strict=True):
        words[label].update(analysis.words)
    return words


def _candidates(probabilities: Sequence[Matrix], row: int, top: int) -> list[int]:
    chosen: dict[int, None] = {}
    for p in probabilities:
        for k in np.argsort(-p[row])[:top]:
            chosen[int(k)] = None
    return list(chosen)


def _pair_features(
    probabilities: Sequence[Matrix],
    row: int,
    candidates: Sequence[int],
    analysis: Analysis,
    coverage: float,
    topic_words: Sequence[set[str]],
    declines: NDArray[np.bool_],
) -> Matrix:
    """One row per candidate: for each scorer log p, p, first or not, and its margin; then how
    much of the text the knowledge base knows and how much the candidate's examples share,
    and whether the candidate is a topic of questions to decline (for which little knowledge
    is evidence for, not against)."""
    columns = []
    chosen = np.asarray(candidates)
    for p in probabilities:
        r = p[row]
        first, second = np.sort(r)[-2:][::-1] if len(r) > 1 else (r[0], 0.0)
        values = r[chosen]
        columns += [
            np.log(np.maximum(values, _FLOOR)),
            values,
            (values >= first).astype(float),
            np.full(len(candidates), first - second),
        ]
    share = np.array([_coverage(analysis, topic_words[k], "") for k in candidates])
    decline = declines[chosen].astype(float)
    columns += [
        np.full(len(candidates), coverage),
        share,
        decline,
        decline * coverage,
        decline * share,
        np.full(len(candidates), 1.0 / (1 + len(analysis.content))),
    ]
    return np.stack(columns, axis=1)


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
        stacking: Stacking = Stacking(),
        declines: Sequence[str] = (),
        keywords: Mapping[str, Sequence[str]] | None = None,
        fusion: FusedMatcher | None = None,
    ) -> None:
        """``declines`` names the topics that hold questions to turn down; ``keywords`` (words
        and titles) train the scorers in every fold but are never held out: the fusion learns
        from how questions are asked, not from single words.

        ``fusion`` lends the fusion another matcher of the same scorers learned: the scorers are
        then fitted once on every text, without folds, in a fraction of the time. The fusion's
        features are the same for any topic, so it serves topics it never saw (what the policy
        owner teaches)."""
        keywords = keywords or {}
        self.topics = [t for t, examples in documents.items() if examples or keywords.get(t)]
        self._declines = np.array([t in set(declines) for t in self.topics], dtype=bool)
        self.lexical = lexical
        self.explainer = explainer
        self.others = list(others)
        self.stacking = stacking
        self.scorers = [s.name for s in (lexical, *self.others)]
        self._batched: Batcher[tuple[str, int], list[Candidate]] = Batcher(self._rank_batch)
        self._meta: dict[str, _Meta]
        if fusion is not None and fusion.scorers != self.scorers:
            raise ValueError(f"a fusion of {fusion.scorers} cannot fuse {self.scorers}")
        corpus = _Corpus(self.topics, documents, keywords, explainer, lexical, self.others)
        n_topics = len(self.topics)
        self._lexical = lexical.fit(corpus.lexical, corpus.labels, n_topics)
        self._others: list[FittedScorer] = [
            s.fit(f, corpus.labels, n_topics) for s, f in zip(self.others, corpus.other, strict=True)
        ]
        self._topic_words = _topic_words(corpus.analyses, corpus.labels.tolist(), n_topics)
        if fusion is not None:
            self._meta = fusion._meta
            return
        held = self._held_out(corpus)
        kept = np.flatnonzero(corpus.held)
        self._meta = self._learn(
            [corpus.texts[i] for i in kept],
            corpus.labels[kept],
            [corpus.analyses[i] for i in kept],
            [h[kept] for h in held.probabilities],
            held.coverage[kept],
            [held.seen[i] for i in kept],
        )

    def _held_out(self, corpus: _Corpus) -> _HeldOut:
        """Each scorer's probabilities for every text, from a fit on the folds without it, and
        what the lexical fit knew of the text (coverage, each topic's words)."""
        n, n_topics = len(corpus.texts), len(self.topics)
        held = _HeldOut([np.zeros((n, n_topics)) for _ in (self.lexical, *self.others)], np.ones(n), [[]] * n)
        labels = corpus.labels
        for train, test in _folds(labels, corpus.held, self.stacking):
            fitted = self.lexical.fit([corpus.lexical[i] for i in train], labels[train], n_topics)
            held.probabilities[0][test] = fitted.probabilities([corpus.lexical[i] for i in test])
            words = _topic_words([corpus.analyses[i] for i in train], labels[train].tolist(), n_topics)
            for i in test:
                held.coverage[i] = _coverage(corpus.analyses[i], fitted.vocabulary)
                held.seen[i] = words
            for k, (scorer, features) in enumerate(zip(self.others, corpus.other, strict=True), 1):
                part = scorer.fit(scorer.take(features, train), labels[train], n_topics)
                held.probabilities[k][test] = part.probabilities(scorer.take(features, test))
        return held

    def _learn(
        self,
        texts: Sequence[str],
        labels: NDArray[np.int64],
        analyses: Sequence[Analysis],
        held_out: Sequence[Matrix],
        coverage: NDArray[np.float64],
        seen: Sequence[Sequence[set[str]]],
    ) -> dict[str, _Meta]:
        from sklearn.linear_model import LogisticRegression

        rows: dict[str, list[Matrix]] = {}
        right: dict[str, list[Matrix]] = {}
        for i, text in enumerate(texts):
            candidates = _candidates(held_out, i, self.stacking.top)
            features = _pair_features(
                held_out, i, candidates, analyses[i], coverage[i], seen[i], self._declines
            )
            for group in (_group(text), "all"):
                rows.setdefault(group, []).append(features)
                right.setdefault(group, []).append(np.asarray(candidates) == labels[i])
        meta = {}
        for group in rows:
            x, y = np.concatenate(rows[group]), np.concatenate(right[group])
            if group != "all" and (len(rows[group]) < self.stacking.min_group or y.all() or not y.any()):
                continue
            if y.all() or not y.any():
                meta[group] = _Meta(np.zeros(x.shape[1]), 0.0)
                continue
            model = LogisticRegression(C=self.stacking.c, max_iter=1000).fit(x, y)
            meta[group] = _Meta(np.asarray(model.coef_[0]), float(model.intercept_[0]))
        return meta

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
            candidates = _candidates(probabilities, row, self.stacking.top)
            features = _pair_features(
                probabilities,
                row,
                candidates,
                analysis,
                _coverage(analysis, known),
                self._topic_words,
                self._declines,
            )
            meta = self._meta.get(_group(text)) or self._meta["all"]
            scores = meta.score(features)
            order = np.argsort(-scores)[:limit]
            terms = self.explainer.terms(analysis, [self.topics[candidates[i]] for i in order])
            ranked.append(
                [
                    Candidate(self.topics[candidates[i]], float(scores[i]), terms[self.topics[candidates[i]]])
                    for i in order
                ]
            )
        return ranked


def _folds(
    labels: NDArray[np.int64], held: NDArray[np.bool_], stacking: Stacking
) -> list[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """Folds over the texts that may be held out (stratified where every topic has enough of
    them); the others are in every training part."""
    from sklearn.model_selection import KFold, StratifiedKFold

    rows = np.flatnonzero(held)
    always = np.flatnonzero(~held)
    counts = np.bincount(labels[rows]) if len(rows) else np.zeros(0, dtype=np.int64)
    smallest = int(counts[counts > 0].min()) if counts.any() else 0
    if smallest >= stacking.folds:
        splitter: Any = StratifiedKFold(stacking.folds, shuffle=True, random_state=stacking.seed)
        parts = splitter.split(np.zeros(len(rows)), labels[rows])
    else:
        parts = KFold(stacking.folds, shuffle=True, random_state=stacking.seed).split(rows)
    return [(np.concatenate([rows[train], always]), rows[test]) for train, test in parts]
