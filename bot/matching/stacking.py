"""How the fusion of :mod:`bot.matching.fusion` is learned: each base scorer's probabilities for
texts it did not see (the folds), turned into one row per (text, candidate topic), and a small
logistic regression per language group that predicts from them whether the candidate is right."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..text import is_hebrew
from .features import Analysis
from .scorers import Matrix

__all__ = [
    "DEFAULT_STACKING",
    "Meta",
    "Stacking",
    "coverage_of",
    "folds",
    "language_group",
    "learn",
    "pair_features",
    "top_candidates",
    "topic_words",
]

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


DEFAULT_STACKING = Stacking()


@dataclass(frozen=True, slots=True)
class Meta:
    coef: Matrix
    bias: float

    def score(self, rows: Matrix) -> Matrix:
        return np.asarray(1.0 / (1.0 + np.exp(-(rows @ self.coef + self.bias))))


def language_group(text: str) -> str:
    return "he" if is_hebrew(text) else "other"


def coverage_of(analysis: Analysis, known: Mapping[str, int] | set[str], prefix: str = "w ") -> float:
    """The share of the text's content words that ``known`` has in any form."""
    if not analysis.content:
        return 1.0
    hits = sum(1 for _, forms in analysis.content if any(prefix + f in known for f in forms))
    return hits / len(analysis.content)


def topic_words(analyses: Sequence[Analysis], labels: Sequence[int], n_topics: int) -> list[set[str]]:
    """Every word feature each topic's examples use."""
    words: list[set[str]] = [set() for _ in range(n_topics)]
    for analysis, label in zip(analyses, labels, strict=True):
        words[label].update(analysis.words)
    return words


def top_candidates(probabilities: Sequence[Matrix], row: int, top: int) -> list[int]:
    chosen: dict[int, None] = {}
    for p in probabilities:
        for k in np.argsort(-p[row])[:top]:
            chosen[int(k)] = None
    return list(chosen)


def pair_features(
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
    share = np.array([coverage_of(analysis, topic_words[k], "") for k in candidates])
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


def learn(
    texts: Sequence[str],
    labels: NDArray[np.int64],
    analyses: Sequence[Analysis],
    held_out: Sequence[Matrix],
    coverage: NDArray[np.float64],
    seen: Sequence[Sequence[set[str]]],
    declines: NDArray[np.bool_],
    stacking: Stacking,
) -> dict[str, Meta]:
    """The fusion: one regression per language group with enough texts (and one for all)
    over the held-out probabilities of every text's candidates."""
    from sklearn.linear_model import LogisticRegression

    rows: dict[str, list[Matrix]] = {}
    right: dict[str, list[Matrix]] = {}
    for i, text in enumerate(texts):
        candidates = top_candidates(held_out, i, stacking.top)
        features = pair_features(held_out, i, candidates, analyses[i], coverage[i], seen[i], declines)
        for group in (language_group(text), "all"):
            rows.setdefault(group, []).append(features)
            right.setdefault(group, []).append(np.asarray(candidates) == labels[i])
    meta = {}
    for group in rows:
        x, y = np.concatenate(rows[group]), np.concatenate(right[group])
        if group != "all" and (len(rows[group]) < stacking.min_group or y.all() or not y.any()):
            continue
        if y.all() or not y.any():
            meta[group] = Meta(np.zeros(x.shape[1]), 0.0)
            continue
        model = LogisticRegression(C=stacking.c, max_iter=1000).fit(x, y)
        meta[group] = Meta(np.asarray(model.coef_[0]), float(model.intercept_[0]))
    return meta


def folds(
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
