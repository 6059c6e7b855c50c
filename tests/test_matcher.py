from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.advisor import Advisor
from bot.matcher import LexicalMatcher

DOCS = {
    "apps": ["can I install the linkedin app on my laptop", "install an add-in for outlook"],
    "groups": ["should I join this facebook group", "joining communities online"],
    "money": ["how much does marketing cost", "is it cheap to advertise"],
}


def test_ranks_best_first_with_reasons() -> None:
    matcher = LexicalMatcher(DOCS)
    ranked = matcher.rank("may I install linkedin on my laptop?")
    assert ranked[0].topic == "apps"
    assert ranked == sorted(ranked, key=lambda c: c.score, reverse=True)
    assert {"install", "linkedin", "laptop"} <= set(ranked[0].terms)
    assert all(0.0 <= c.score <= 1.0 for c in ranked)


def test_typos_are_corrected_to_known_words() -> None:
    matcher = LexicalMatcher(DOCS)
    assert matcher.fix("instll") == ["install"]
    assert matcher.fix("comunities") == ["communities"]
    assert matcher.fix("zebra") == ["zebra"]
    assert matcher.rank("shuold i jion this facebok grup")[0].topic == "groups"


def test_missing_spaces_are_split_into_known_words() -> None:
    matcher = LexicalMatcher(DOCS)
    assert matcher.fix("linkedinapp") == ["linkedin", "app"]
    assert matcher.rank("installlinkedin app")[0].topic == "apps"


def test_word_order_and_case_do_not_change_the_topic() -> None:
    matcher = LexicalMatcher(DOCS)
    assert matcher.rank("FACEBOOK GROUP JOIN")[0].topic == "groups"
    assert matcher.rank("join group facebook")[0].topic == "groups"
    assert matcher.rank("Join Facebook Group")[0].score == matcher.rank("join facebook group")[0].score


def test_unknown_words_lower_the_score() -> None:
    matcher = LexicalMatcher(DOCS)
    plain = matcher.rank("install the linkedin app")[0].score
    diluted = matcher.rank("install the linkedin app docker kubernetes terraform")[0].score
    assert diluted < plain / 2


def test_single_shared_word_scores_lower() -> None:
    matcher = LexicalMatcher(DOCS)
    assert matcher.rank("buy cheap shoes")[0].score < matcher.rank("cheap advertise")[0].score


def test_concepts_connect_synonyms_across_languages() -> None:
    docs = {"hiring": ["post a job opening", "find candidates"], "apps": ["install an app"]}
    plain = LexicalMatcher(docs)
    with_concepts = LexicalMatcher(
        docs, concepts={"recruit": "hire", "vacanc": "hire", "job": "hire", "משרה": "hire", "משר": "hire"}
    )
    assert plain.rank("we have a vacancy")[:1] == []
    assert with_concepts.rank("we have a vacancy")[0].topic == "hiring"
    assert with_concepts.rank("משרה פתוחה")[0].topic == "hiring"


def test_empty_and_unknown_questions_rank_nothing() -> None:
    matcher = LexicalMatcher(DOCS)
    assert matcher.rank("") == []
    assert matcher.rank("🙂") == []
    assert matcher.rank("qwxz vbnm") == []


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_ranking_never_fails(text: str) -> None:
    ranked = LexicalMatcher(DOCS).rank(text)
    assert all(0.0 <= c.score <= 1.0 for c in ranked)
    assert len({c.topic for c in ranked}) == len(ranked)


def test_shipped_matcher_is_used_through_the_protocol(advisor: Advisor) -> None:
    ranked = advisor.matcher.rank("who should see my business details?", limit=3)
    assert len(ranked) == 3 and ranked[0].topic == "restrict-visibility"
