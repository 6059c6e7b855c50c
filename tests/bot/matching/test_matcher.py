from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.advisor import Advisor
from bot.matching.build import TopicTexts, lexical_matcher, topic_documents
from bot.matching.lexical import LexicalMatcher, MatcherWeights, max_edits
from bot.query import Query

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


def test_long_questions_get_the_answer_an_unpruned_matcher_gives(advisor: Advisor) -> None:
    """A long question scores with its weightiest character n-grams and a share of the visits;
    on the shipped knowledge base that must not change what the person is told."""
    documents = topic_documents(advisor.knowledge)
    unpruned = MatcherWeights(max_char_features=10**6, max_char_visits=10**9)
    pruned = Advisor(advisor.knowledge, matcher="centroid")
    whole_matcher = lexical_matcher(TopicTexts.of(advisor.knowledge), unpruned)
    whole = Advisor(advisor.knowledge, matcher=whole_matcher, thresholds=pruned.thresholds)
    rng = random.Random(3)
    topics = list(documents)
    questions = []
    for topic in topics:
        for _ in range(4):
            # Two examples of one topic and one of another: long, and not always clear-cut.
            other = rng.choice([t for t in topics if t != topic])
            questions.append(" ".join(rng.sample(documents[topic], 2) + rng.sample(documents[other], 1)))
    same = 0
    for question in questions:
        got, expected = pruned.handle(Query(question)), whole.handle(Query(question))
        same += (got.outcome, got.topic) == (expected.outcome, expected.topic)
    assert len(questions) >= 60
    assert same >= 0.95 * len(questions)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_typo_correction_matches_a_search_of_the_whole_vocabulary(data: st.DataObject) -> None:
    """Typos are compared only with known words of a near length: the result is the one a
    search of every known word gives."""
    matcher = TYPO_MATCHER
    word = data.draw(st.sampled_from([w for w in matcher.vocabulary if len(w) >= 4]))
    at = data.draw(st.integers(0, len(word)))
    letter = data.draw(st.sampled_from("abcdeilnorstuy"))
    edit = data.draw(st.sampled_from(["insert", "delete", "replace", "swap"]))
    if edit == "insert":
        typo = word[:at] + letter + word[at:]
    elif edit == "delete":
        typo = word[:at] + word[at + 1 :]
    elif edit == "replace":
        typo = word[:at] + letter + word[at + 1 :]
    else:
        typo = word[:at] + word[at + 1 : at + 2] + word[at : at + 1] + word[at + 2 :]
    fixed = matcher.fix(typo)
    if len(fixed) == 1 and fixed[0] != typo:
        edits = max_edits(typo, matcher.weights.long_word)
        best = process.extractOne(typo, matcher.vocabulary, scorer=Levenshtein.distance, score_cutoff=edits)
        assert best is not None and fixed == [best[0]]


TYPO_MATCHER = LexicalMatcher(
    {
        "a": ["installing the linkedin application on a company laptop", "approved extensions"],
        "b": ["joining professional communities and groups", "personal networks, private profiles"],
        "c": ["marketing budget, sponsored posts and advertising costs", "customers and prospects"],
    }
)
