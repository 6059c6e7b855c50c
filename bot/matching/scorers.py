"""Base scorers: each learns from the topics' examples to give a probability per topic.

Two kinds, both linear classifiers (scikit-learn's multinomial logistic regression):

- :class:`LexicalScorer` reads the words of a text as the lexical matcher analyzes them
  (stems, Hebrew forms behind prefixes, synonym concepts, word pairs, character n-grams), as
  TF-IDF vectors: the discriminative counterpart of the matcher's centroids.
- :class:`SemanticScorer` reads sentence embeddings from an encoder.

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

__all__ = ["FittedScorer", "LexicalScorer", "Scorer", "SemanticScorer", "softmax"]

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

    @property
    def identity(self) -> str:
        """The scorer's kind and settings: what, besides its features, a fit depends on."""
        ...

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

    def reading(self, analyze_example: Analyzer, analyze_question: Analyzer) -> LexicalScorer:
        """The same scorer over other analyzers (those of a knowledge base that grew)."""
        return LexicalScorer(analyze_example, analyze_question, self.chars, self.c, self.surface)

    @property
    def identity(self) -> str:
        return f"lexical chars={self.chars} c={self.c} surface={self.surface}"

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
        self._known: dict[str, Matrix] = {}
        """Every example's vector embedded so far: a knowledge base that grows embeds only
        what is new."""

    @property
    def identity(self) -> str:
        return f"semantic c={self.c} scale={self.scale}"

    def features(self, texts: Sequence[str], questions: bool = False) -> Matrix:
        if questions:
            return np.asarray(self.encoder.encode(texts), dtype=np.float64)
        new = [t for t in dict.fromkeys(texts) if t not in self._known]
        if len(new) == len(set(texts)):
            vectors = np.asarray(self._examples(texts), dtype=np.float64)
            self._known.update(zip(texts, vectors, strict=True))
            return vectors
        if new:
            self._known.update(zip(new, np.asarray(self.encoder.encode(new), dtype=np.float64), strict=True))
        return np.stack([self._known[t] for t in texts])

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
