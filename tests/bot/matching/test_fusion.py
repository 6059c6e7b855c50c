"""The fused matcher: base scorers stacked by a model learned on held-out predictions."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from bot.matching.build import TopicTexts, extend_matcher
from bot.matching.embedcache import FusionCache
from bot.matching.fusion import FusedMatcher, Stacking
from bot.matching.lexical import LexicalMatcher
from bot.matching.scorers import LexicalScorer, SemanticScorer
from bot.matching.stacking import folds

TOPICS = {
    "apps": [
        "may I install this app on my laptop",
        "is it ok to add a plugin to my browser",
        "can I download the desktop client onto my work machine",
        "may I set up this program on the office pc",
        "should I put a chat application on my company computer",
        "אפשר להתקין את האפליקציה במחשב של העבודה",
        "מותר להוריד תוסף לדפדפן בעבודה",
        "אפשר לשים את התוכנה על הלפטופ של החברה",
        "מותר להתקין את הצאט על המחשב",
        "אני יכול להוריד את התוכנה למחשב העבודה",
    ],
    "groups": [
        "should I join this facebook group",
        "can I become a member of a linkedin group",
        "is it wise to enter an online community for my profession",
        "a supplier invited me to their forum, should I accept",
        "may I sign up to a discussion group about our industry",
        "כדאי להצטרף לקבוצה בפייסבוק",
        "מותר להיות חבר בקבוצה בלינקדאין",
        "הזמינו אותי לקהילה של ספקים, להצטרף",
        "אפשר להצטרף לפורום מקצועי",
        "להיכנס לקבוצת דיון על התעשייה",
    ],
    "off-topic": [
        "what is the weather tomorrow",
        "how do I cook rice",
        "who won the game last night",
        "what time is it",
        "recommend a movie",
        "מה מזג האוויר מחר",
        "איך מבשלים אורז",
        "מי ניצח במשחק אתמול",
        "מה השעה",
        "תמליץ לי על סרט",
    ],
}
KEYWORDS = {"apps": ["install", "להתקין"], "groups": ["group", "קבוצה"]}


def build(
    cache: FusionCache | None = None, topics: dict[str, list[str]] = TOPICS, **stacking: int
) -> FusedMatcher:
    explainer = LexicalMatcher({t: [*topics[t], *KEYWORDS.get(t, [])] for t in topics})
    lexical = LexicalScorer(explainer.analyze_example, explainer.analyze)
    return FusedMatcher(
        topics,
        lexical,
        explainer,
        declines=["off-topic"],
        keywords=KEYWORDS,
        stacking=Stacking(min_group=5, **stacking),
        cache=cache,
    )


def test_ranks_with_probabilities_best_first_and_explains_them() -> None:
    matcher = build()
    ranked = matcher.rank("can I put a browser extension on the work laptop", 3)
    assert ranked[0].topic == "apps"
    assert all(0.0 <= c.score <= 1.0 for c in ranked)
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert "browser" in ranked[0].terms
    assert matcher.rank("להצטרף לקבוצה של לקוחות בפייסבוק", 1)[0].topic == "groups"
    assert matcher.rank("what is the weather today", 1)[0].topic == "off-topic"


def test_each_language_group_learns_its_own_weights() -> None:
    weights = build().weights
    assert set(weights) == {"he", "other", "all"}
    assert weights["he"] != weights["other"]
    # Without enough Hebrew texts for a regression of their own, Hebrew uses the pooled one.
    explainer = LexicalMatcher(TOPICS)
    few = FusedMatcher(
        TOPICS,
        LexicalScorer(explainer.analyze_example, explainer.analyze),
        explainer,
        stacking=Stacking(min_group=1000),
    )
    assert set(few.weights) == {"all"}


def test_the_same_examples_give_the_same_scores() -> None:
    question = "is joining that community a good idea"
    assert build().rank(question) == build().rank(question)


def test_ranking_many_at_once_equals_ranking_each() -> None:
    matcher = build()
    questions = ["may I install it", "כדאי להצטרף לקבוצה", "how do I cook pasta"]
    assert matcher.rank_many(questions, 3) == [matcher.rank(q, 3) for q in questions]


def test_keywords_train_every_fold_and_are_never_held_out() -> None:
    labels = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 0, 1], dtype=np.int64)
    held = np.array([True] * 9 + [False, False])
    parts = folds(labels, held, Stacking(folds=3))
    assert len(parts) == 3
    tested = sorted(int(i) for _, test in parts for i in test)
    assert tested == list(range(9))
    for train, test in parts:
        assert {9, 10} <= set(train.tolist()) and not set(train.tolist()) & set(test.tolist())


LIVESTREAM = [
    "may I livestream our product launch on tiktok",
    "can we stream the launch live",
    "מותר לשדר את ההשקה בלייב בטיקטוק",
]


def grown(**more: list[str]) -> TopicTexts:
    topics = {**TOPICS, **more}
    documents = {t: [*texts, *KEYWORDS.get(t, [])] for t, texts in topics.items()}
    return TopicTexts(examples=topics, documents=documents, keywords=KEYWORDS, declines=["off-topic"])


def test_a_matcher_extended_to_the_same_topics_ranks_as_it_did() -> None:
    matcher = build()
    again = extend_matcher(matcher, grown())
    assert isinstance(again, FusedMatcher) and again is not matcher
    questions = ["can I put a browser extension on the work laptop", "להצטרף לקבוצה של לקוחות", "weather?"]
    assert again.rank_many(questions) == matcher.rank_many(questions)


def test_an_extended_matcher_serves_a_new_topic_with_the_fusion_it_had() -> None:
    matcher = build()
    extended = extend_matcher(matcher, grown(livestream=LIVESTREAM))
    assert isinstance(extended, FusedMatcher)
    assert extended.weights == matcher.weights
    assert "livestream" not in matcher.topics and "livestream" in extended.topics
    assert extended.rank("is a live stream of the launch on tiktok ok", 1)[0].topic == "livestream"
    assert extended.rank("should I join this facebook group", 1)[0].topic == "groups"
    assert extended.rank("מותר לשדר בלייב את ההשקה?", 1)[0].topic == "livestream"


def test_a_plain_lexical_matcher_is_built_anew() -> None:
    extended = extend_matcher(LexicalMatcher(TOPICS), grown(livestream=LIVESTREAM))
    assert isinstance(extended, LexicalMatcher)
    assert extended.rank("may we livestream the launch on tiktok", 1)[0].topic == "livestream"


def test_a_fusion_lends_itself_only_to_the_scorers_it_was_learned_for() -> None:
    explainer = LexicalMatcher(TOPICS)
    lexical = LexicalScorer(explainer.analyze_example, explainer.analyze)
    semantic = SemanticScorer(Letters())
    with pytest.raises(ValueError, match="cannot fuse"):
        FusedMatcher(TOPICS, lexical, explainer, [semantic], fusion=build())


class Letters:
    """A sentence encoder of letter counts: enough to count what the scorer asks it to embed."""

    def __init__(self) -> None:
        self.encoded: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.encoded += texts
        vectors = np.array([[t.count(c) for c in "abcdefghijklmnopqrstuvwxyz"] for t in texts], dtype=float)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1.0)


def test_a_knowledge_base_that_grows_embeds_only_its_new_examples() -> None:
    encoder = Letters()
    scorer = SemanticScorer(encoder)
    first = scorer.features(TOPICS["apps"])
    assert encoder.encoded == TOPICS["apps"]
    grown_texts = [*TOPICS["apps"][:3], "a brand new example", *TOPICS["apps"][3:]]
    again = scorer.features(grown_texts)
    assert encoder.encoded == [*TOPICS["apps"], "a brand new example"]
    assert np.array_equal(again[[0, 1, 2, *range(4, len(grown_texts))]], first)
    assert np.allclose(again[3], encoder.encode(["a brand new example"])[0])
    scorer.features(["how do I cook rice"], questions=True)
    scorer.features(["how do I cook rice"], questions=True)
    assert encoder.encoded[-2:] == ["how do I cook rice"] * 2


QUESTIONS = ["can I put a browser extension on the work laptop", "להצטרף לקבוצה של לקוחות", "weather?"]


def test_a_restart_reads_the_fusion_it_learned_and_ranks_as_it_did(tmp_path: Path) -> None:
    cache = FusionCache(tmp_path)
    first = build(cache)
    [written] = tmp_path.iterdir()
    assert written.name.startswith("fusion-") and written.suffix == ".npz"
    again = build(FusionCache(tmp_path))
    assert again.weights == first.weights == build().weights
    assert again.rank_many(QUESTIONS) == first.rank_many(QUESTIONS)
    assert [p.name for p in tmp_path.iterdir()] == [written.name]


def test_the_fusion_is_read_from_the_cache_not_learned_again(tmp_path: Path) -> None:
    build(FusionCache(tmp_path))
    [written] = tmp_path.iterdir()
    key = written.name.removeprefix("fusion-").removesuffix(".npz")
    stored = FusionCache(tmp_path).get(key)
    assert stored is not None and set(stored) >= {"all", "he"}
    FusionCache(tmp_path).put(key, {group: (coef * 2, bias + 1) for group, (coef, bias) in stored.items()})
    read = build(FusionCache(tmp_path)).weights
    learned = build().weights
    assert read != learned
    assert np.allclose(read["all"], [2 * w for w in learned["all"]], atol=0.002)


def test_other_examples_or_another_stacking_learn_anew_under_another_key(tmp_path: Path) -> None:
    build(FusionCache(tmp_path))
    more = {**TOPICS, "apps": [*TOPICS["apps"], "can I add the scheduler tool to my desktop"]}
    build(FusionCache(tmp_path), topics=more)
    build(FusionCache(tmp_path), top=2)
    assert len(list(tmp_path.iterdir())) == 3


def test_a_corrupt_fusion_file_is_learned_again_and_replaced(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build(FusionCache(tmp_path))
    [written] = tmp_path.iterdir()
    written.write_bytes(b"not a zip file")
    with caplog.at_level(logging.WARNING, logger="bot.matching.embedcache"):
        again = build(FusionCache(tmp_path))
    assert "cannot be read" in caplog.text
    assert again.weights == build().weights
    key = written.name.removeprefix("fusion-").removesuffix(".npz")
    assert FusionCache(tmp_path).get(key) is not None
