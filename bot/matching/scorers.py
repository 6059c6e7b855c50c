"""Base scorers: each learns from the topics' examples to give a probability per topic.

Two linear classifiers (scikit-learn's multinomial logistic regression) and one by similarity:

- :class:`LexicalScorer` reads the words of a text as the lexical matcher analyzes them
  (stems, Hebrew forms behind prefixes, synonym concepts, word pairs, character n-grams), as
  TF-IDF vectors: the discriminative counterpart of the matcher's centroids.
- :class:`SemanticScorer` reads sentence embeddings from an encoder.
- :class:`NearestScorer` scores each topic by its example nearest to the text in the same
  embeddings: it keeps what a linear boundary smooths away (one example worded just like
  the question), which the fusion weighs against the regression.

Fitting and featurizing are apart so that the fusion (:mod:`bot.matching.fusion`) can fit either on a
part of the examples and score the rest. Scoring a question runs on the fitted weights in
numpy, without scikit-learn's per-call checks: a question costs microseconds here.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from .features import Analysis

__all__ = ["FittedScorer", "LexicalScorer", "NearestScorer", "Scorer", "SemanticScorer", "softmax"]

Matrix = NDArray[np.float64]
Analyzer = Callable[[str], Analysis]


def softmax(z: Matrix) -> Matrix:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


class FittedScorer(Protocol):
    def probabilities(self, features: Any) -> Matrix:
        """One row per text, one column per topic (all topics, in the fusion's order)."""


class Scorer(Protocol):
    """Turns texts into features once, and fits a classifier on any subset of them."""

    name: str

    def features(self, texts: Sequence[str], questions: bool = False) -> Any:
        """Features of ``texts``; ``questions`` marks people's questions (typos are fixed)
        rather than the knowledge base's own examples."""

    def take(self, features: Any, rows: Any) -> Any: ...

    def fit(self, features: Any, labels: NDArray[np.int64], n_topics: int) -> FittedScorer: ...


def _logistic(c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    # saga converges in a fraction of lbfgs's time on these small, sparse problems.
    return LogisticRegression(C=c, solver="saga", max_iter=400, tol=1e-3, random_state=0)


def _weights(model: Any, n_topics: int, n_features: int) -> tuple[Matrix, Matrix]:
    """The regression's weights spread over all topics; a topic absent from the training part
    gets weights that never win."""
    coef = np.zeros((n_topics, n_features))
    bias = np.full(n_topics, -30.0)
    classes = np.asarray(model.classes_)
    if len(classes) == 1:
        bias[classes[0]] = 0.0
        return coef, bias
    coef[classes] = model.coef_
    bias[classes] = model.intercept_
    return coef, bias


@dataclass(frozen=True, slots=True)
class _FittedLexical:
    vocabulary: Mapping[str, int]
    idf: Matrix
    coef: Matrix
    """Topics by features, transposed for sparse lookups: ``coef[f]`` is one feature's row."""
    bias: Matrix

    def vector(self, counts: Mapping[str, float]) -> tuple[list[int], Matrix]:
        columns, values = [], []
        for feature, count in counts.items():
            column = self.vocabulary.get(feature)
            if column is not None and count > 0:
                columns.append(column)
                values.append((1.0 + math.log(count)) * self.idf[column])
        weights = np.asarray(values)
        norm = float(np.sqrt((weights * weights).sum())) if values else 0.0
        return columns, weights / norm if norm else weights

    def probabilities(self, features: Sequence[Mapping[str, float]]) -> Matrix:
        z = np.tile(self.bias, (len(features), 1))
        for row, counts in enumerate(features):
            columns, weights = self.vector(counts)
            if columns:
                z[row] += weights @ self.coef[columns]
        return softmax(z)


class LexicalScorer:
    """TF-IDF over the lexical analysis (words and character n-grams), then a regression.

    ``chars`` weighs character n-grams against words before TF-IDF: they carry typos and
    unseen inflections, words carry meaning.
    """

    name = "lexical"

    def __init__(
        self,
        analyze_example: Analyzer,
        analyze_question: Analyzer,
        chars: float = 0.5,
        c: float = 20.0,
        surface: bool = True,
    ) -> None:
        self._example = analyze_example
        self._question = analyze_question
        self.chars = chars
        self.c = c
        self.surface = surface

    def counts(self, analysis: Analysis) -> dict[str, float]:
        counts = {"w " + k: v for k, v in analysis.words.items()}
        counts.update(("c" + k, v * self.chars) for k, v in analysis.chars.items())
        if self.surface:
            # The words as written, function words and their pairs included: "what is your
            # name" and "what is my name" differ only there.
            words = analysis.tokens
            pairs = (f"b {a} {b}" for a, b in zip(words, words[1:], strict=False))
            for feature in (*("t " + w for w in words), *pairs):
                counts[feature] = counts.get(feature, 0.0) + 1.0
        return counts

    def features(self, texts: Sequence[str], questions: bool = False) -> list[dict[str, float]]:
        analyze = self._question if questions else self._example
        return [self.counts(analyze(t)) for t in texts]

    def take(self, features: Sequence[dict[str, float]], rows: Any) -> list[dict[str, float]]:
        return [features[i] for i in rows]

    def fit(
        self, features: Sequence[dict[str, float]], labels: NDArray[np.int64], n_topics: int
    ) -> _FittedLexical:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.feature_extraction.text import TfidfTransformer

        vectorizer = DictVectorizer()
        tfidf = TfidfTransformer(sublinear_tf=True)
        matrix = tfidf.fit_transform(vectorizer.fit_transform(features))
        model = _logistic(self.c).fit(matrix, labels)
        coef, bias = _weights(model, n_topics, matrix.shape[1])
        return _FittedLexical(
            {str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
            np.asarray(tfidf.idf_),
            np.ascontiguousarray(coef.T),
            bias,
        )


class Encoder(Protocol):
    def encode(self, texts: Sequence[str]) -> Any: ...


@dataclass(frozen=True, slots=True)
class _FittedSemantic:
    coef: Matrix
    bias: Matrix
    scale: float

    def probabilities(self, features: Matrix) -> Matrix:
        return softmax(features * self.scale @ self.coef.T + self.bias)


class SemanticScorer:
    """A regression over sentence embeddings (unit vectors, scaled so that the regression's
    probabilities can be sharp with moderate weights)."""

    name = "semantic"

    def __init__(
        self,
        encoder: Encoder,
        example_vectors: Callable[[Sequence[str]], Any] | None = None,
        c: float = 10.0,
        scale: float = 1.0,
    ) -> None:
        """``example_vectors`` embeds the knowledge base's examples (a cache on disk may serve
        them); questions always go to the encoder."""
        self.encoder = encoder
        self._examples = example_vectors or encoder.encode
        self.c = c
        self.scale = scale

    def features(self, texts: Sequence[str], questions: bool = False) -> Matrix:
        vectors = self.encoder.encode(texts) if questions else self._examples(texts)
        return np.asarray(vectors, dtype=np.float64)

    def take(self, features: Matrix, rows: Any) -> Matrix:
        return features[np.asarray(rows, dtype=np.int64)]

    def fit(self, features: Matrix, labels: NDArray[np.int64], n_topics: int) -> _FittedSemantic:
        from sklearn.linear_model import LogisticRegression
        from threadpoolctl import threadpool_limits

        # One BLAS thread: on a small dense problem more threads only wait for each other.
        with threadpool_limits(1):
            model = LogisticRegression(C=self.c, solver="newton-cg", max_iter=100, tol=1e-3).fit(
                features * self.scale, labels
            )
        coef, bias = _weights(model, n_topics, features.shape[1])
        return _FittedSemantic(coef, bias, self.scale)


TEMPERATURES = (5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 60.0, 80.0)
"""The softmax temperatures :class:`NearestScorer` chooses from."""
_LEAVE_ONE_OUT_ROWS = 2000
_FEW = 32
_CHUNK = 256
_UNSEEN = -2.0
"""The similarity of a topic without examples: below any cosine."""


@dataclass(frozen=True, slots=True)
class _FittedNearest:
    examples: Matrix
    """Unit rows, sorted by topic."""
    topics: NDArray[np.int64]
    """The topics that have examples, in order."""
    starts: NDArray[np.int64]
    """Where each of those topics' rows start in ``examples``."""
    n_topics: int
    temperature: float

    def similarities(self, features: Matrix) -> Matrix:
        """Each text's cosine to each topic's nearest example."""
        out = np.full((len(features), self.n_topics), _UNSEEN)
        if len(self.topics):
            # A question or a few: einsum rather than BLAS, whose threads wait on those the
            # encoder's runtime has just left spinning (milliseconds instead of microseconds).
            if len(features) <= _FEW:
                cosines = np.einsum("qd,ed->qe", features, self.examples)
            else:
                cosines = features @ self.examples.T
            out[:, self.topics] = np.maximum.reduceat(cosines, self.starts, axis=1)
        return out

    def probabilities(self, features: Matrix) -> Matrix:
        return softmax(self.similarities(features) * self.temperature)


class NearestScorer:
    """Each topic's probability from its nearest example's cosine similarity to the text,
    through a softmax whose temperature is the one of :data:`TEMPERATURES` under which the
    examples themselves, each left out in turn, are most likely (up to 2,000 of them, drawn
    at random with a fixed seed). It reads the features of ``semantic`` (the same encoder
    call serves both)."""

    name = "nearest"

    def __init__(self, semantic: SemanticScorer) -> None:
        self.semantic = semantic
        self.encoder = semantic.encoder

    def features(self, texts: Sequence[str], questions: bool = False) -> Matrix:
        return self.semantic.features(texts, questions)

    def take(self, features: Matrix, rows: Any) -> Matrix:
        return self.semantic.take(features, rows)

    def fit(self, features: Matrix, labels: NDArray[np.int64], n_topics: int) -> _FittedNearest:
        order = np.argsort(labels, kind="stable")
        topics, starts = np.unique(labels[order], return_index=True)
        fitted = _FittedNearest(features[order], topics, starts, n_topics, TEMPERATURES[0])
        return _FittedNearest(
            fitted.examples, topics, starts, n_topics, _leave_one_out_temperature(fitted, labels[order])
        )


def _leave_one_out_temperature(fitted: _FittedNearest, labels: NDArray[np.int64]) -> float:
    """The temperature under which the examples, each scored without itself, are likeliest."""
    n = len(labels)
    rows = np.arange(n)
    if n > _LEAVE_ONE_OUT_ROWS:
        rows = np.sort(np.random.default_rng(0).choice(n, _LEAVE_ONE_OUT_ROWS, replace=False))
    best = np.full((len(rows), fitted.n_topics), _UNSEEN)
    for start in range(0, len(rows), _CHUNK):
        part = rows[start : start + _CHUNK]
        sims = fitted.examples[part] @ fitted.examples.T
        sims[np.arange(len(part)), part] = _UNSEEN
        if len(fitted.topics):
            best[start : start + len(part), fitted.topics] = np.maximum.reduceat(sims, fitted.starts, axis=1)
    right = best[np.arange(len(rows)), labels[rows]]
    usable = right > _UNSEEN
    if not usable.any():
        return TEMPERATURES[len(TEMPERATURES) // 2]
    best, right = best[usable], right[usable]
    losses = []
    for t in TEMPERATURES:
        z = best * t
        top = z.max(axis=1)
        log_total = top + np.log(np.exp(z - top[:, None]).sum(axis=1))
        losses.append(float((log_total - right * t).mean()))
    return TEMPERATURES[int(np.argmin(losses))]
