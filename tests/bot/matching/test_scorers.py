"""The base scorers on vectors made up for the purpose: the nearest-example scorer and the
encoder call it shares with the semantic regression."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from bot.matching.fusion import FusedMatcher, Stacking, shared_features
from bot.matching.lexical import LexicalMatcher
from bot.matching.scorers import TEMPERATURES, LexicalScorer, NearestScorer, SemanticScorer

from .test_fusion import TOPICS


class CountingEncoder:
    """Unit vectors from a text's letters; counts the calls it gets."""

    def __init__(self) -> None:
        self.calls = 0

    def encode(self, texts: Sequence[str]) -> NDArray[np.float64]:
        self.calls += 1
        rows = np.zeros((len(texts), 64))
        for row, text in enumerate(texts):
            for char in text:
                rows[row, ord(char) % 64] += 1.0
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


def unit(*rows: Sequence[float]) -> NDArray[np.float64]:
    array = np.asarray(rows, dtype=np.float64)
    return np.asarray(array / np.linalg.norm(array, axis=1, keepdims=True))


def test_each_topic_scores_by_its_nearest_example() -> None:
    examples = unit([1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.8, 0.6])
    fitted = NearestScorer(SemanticScorer(CountingEncoder())).fit(examples, np.array([0, 0, 1, 1]), 3)
    question = unit([0, 0.6, 0.8])
    similarities = fitted.similarities(question)[0]
    assert np.isclose(similarities[1], float(question[0] @ examples[3]))
    assert np.isclose(similarities[0], float(question[0] @ examples[1]))
    assert similarities[2] < -1.0, "a topic without examples is below any cosine"
    probabilities = fitted.probabilities(question)[0]
    assert np.isclose(probabilities.sum(), 1.0) and probabilities.argmax() == 1
    assert fitted.temperature in TEMPERATURES


def test_the_temperature_follows_how_well_the_examples_separate() -> None:
    rng = np.random.default_rng(1)
    centres = np.eye(8)
    labels = np.repeat(np.arange(8), 6)

    def around(spread: float) -> NDArray[np.float64]:
        rows = centres[labels] + spread * rng.normal(size=(len(labels), 8))
        return np.asarray(rows / np.linalg.norm(rows, axis=1, keepdims=True))

    scorer = NearestScorer(SemanticScorer(CountingEncoder()))
    tight = scorer.fit(around(0.05), labels, 8).temperature
    loose = scorer.fit(around(0.6), labels, 8).temperature
    assert tight > loose


def test_the_regression_and_the_nearest_examples_share_one_encoder_call() -> None:
    encoder = CountingEncoder()
    semantic = SemanticScorer(encoder)
    features = shared_features([semantic, NearestScorer(semantic)], ["one text", "another"], questions=True)
    assert encoder.calls == 1 and features[0] is features[1]

    explainer = LexicalMatcher(TOPICS)
    lexical = LexicalScorer(explainer.analyze_example, explainer.analyze)
    matcher = FusedMatcher(
        TOPICS, lexical, explainer, [semantic, NearestScorer(semantic)], Stacking(min_group=5)
    )
    assert matcher.scorers == ["lexical", "semantic", "nearest"]
    encoder.calls = 0
    ranked = matcher.rank_many(["may I install this app on my laptop", "what is the weather tomorrow"])
    assert encoder.calls == 1
    assert ranked[0][0].topic == "apps" and ranked[1][0].topic == "off-topic"
