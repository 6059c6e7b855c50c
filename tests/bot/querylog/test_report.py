from __future__ import annotations

import csv
import io
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from rapidfuzz import fuzz

from bot.querylog.records import ChecklistRecord, FeedbackRecord, QueryLog, QuestionRecord
from bot.querylog.report import MAX_CANDIDATES, build_report, cluster

START = datetime(2026, 11, 20, tzinfo=UTC)


def q(
    n: int,
    day: int,
    channel: str,
    outcome: str,
    topic: str | None,
    text: str,
    lang: str = "en",
    confidence: float = 0.5,
    nearest: str = "install-apps",
) -> QuestionRecord:
    return QuestionRecord(
        id=f"{n:032x}",
        asked_at=START + timedelta(days=day, hours=n % 20),
        channel=channel,
        text=text,
        lang=lang,
        outcome=outcome,
        confidence=confidence,
        latency_ms=1.0,
        topic=topic,
        verdict="no" if topic else None,
        runners_up=((topic or nearest, confidence),),
    )


def seed(store: QueryLog) -> None:
    rows = [
        q(1, 0, "slack", "answered", "install-apps", "may I install the linkedin app"),
        q(2, 0, "slack", "answered", "install-apps", "install facebook on my laptop"),
        q(3, 1, "teams", "answered", "install-apps", "can I put tiktok on my computer"),
        q(4, 1, "teams", "answered", "join-groups", "join a facebook group"),
        q(5, 2, "web", "answered", "join-groups", "linkedin group ok?"),
        q(6, 2, "web", "clarify", None, "marketing", nearest="product-marketing"),
        q(7, 3, "cli", "declined", None, "how do I install the linkedin plugin for my mac"),
        q(8, 3, "cli", "declined", None, "how do I install a linkedin plugin on my mac?"),
        q(9, 3, "slack", "declined", None, "what is the wifi password", nearest="off-topic"),
        q(10, 4, "slack", "answered", "viral-promo", "how do we go viral", confidence=0.1),
        q(11, 4, "slack", "declined", None, "איך מתקינים את התוסף של לינקדאין למק", lang="he"),
        q(12, 9, "slack", "answered", "join-groups", "outside the period"),
    ]
    store.write(rows)
    store.write(
        [
            FeedbackRecord(
                id="f1".ljust(32, "0"),
                question_id=rows[0].id,
                at=rows[0].asked_at,
                channel="slack",
                helpful=True,
            ),
            FeedbackRecord(
                id="f2".ljust(32, "0"),
                question_id=rows[1].id,
                at=rows[1].asked_at,
                channel="slack",
                helpful=False,
            ),
            FeedbackRecord(
                id="f3".ljust(32, "0"),
                question_id=rows[2].id,
                at=rows[2].asked_at,
                channel="teams",
                helpful=True,
            ),
            FeedbackRecord(
                id="f4".ljust(32, "0"),
                question_id=rows[3].id,
                at=rows[3].asked_at,
                channel="teams",
                helpful=True,
            ),
            FeedbackRecord(
                id="f5".ljust(32, "0"),
                question_id=rows[5].id,
                at=rows[5].asked_at,
                channel="web",
                picked="viral-promo",
            ),
        ]
    )
    store.write(
        [
            ChecklistRecord(
                id="k1".ljust(32, "0"),
                at=START + timedelta(days=1),
                channel="web",
                checklist="join-group",
                total=5,
                missed=("who-sees",),
            ),
            ChecklistRecord(
                id="k2".ljust(32, "0"),
                at=START + timedelta(days=2),
                channel="slack",
                checklist="join-group",
                total=5,
                missed=("who-sees", "leave-if-mixed"),
            ),
            ChecklistRecord(
                id="k3".ljust(32, "0"),
                at=START + timedelta(days=2),
                channel="teams",
                checklist="install-app",
                total=5,
            ),
        ]
    )


def test_report_figures_match_the_seeded_log(store: QueryLog) -> None:
    seed(store)
    report = build_report(store, START, START + timedelta(days=7))
    assert report.questions == 11
    assert report.per_day == {
        "2026-11-20": 2,
        "2026-11-21": 2,
        "2026-11-22": 2,
        "2026-11-23": 3,
        "2026-11-24": 2,
        "2026-11-25": 0,
        "2026-11-26": 0,
    }
    assert report.per_channel == {"slack": 5, "teams": 2, "web": 2, "cli": 2}
    assert report.outcomes == {"answered": 6, "clarify": 1, "declined": 4}
    assert abs(report.share("declined") - 4 / 11) < 1e-9
    topics = {t["topic"]: t for t in report.topics}
    assert topics["install-apps"] == {
        "topic": "install-apps",
        "questions": 3,
        "rated": 3,
        "helpful": 2,
        "helpful_rate": 0.6667,
    }
    assert topics["join-groups"]["questions"] == 2 and topics["join-groups"]["helpful_rate"] == 1.0
    assert topics["viral-promo"]["helpful_rate"] is None
    assert report.topics[0]["topic"] == "install-apps"
    assert report.picks == {"viral-promo": 1}

    clusters = [(c.count, c.lang, c.nearest_topic) for c in report.clusters]
    assert clusters[0] == (2, "en", "install-apps")
    assert sorted(clusters[1:]) == sorted(
        [
            (1, "en", "product-marketing"),
            (1, "en", "off-topic"),
            (1, "en", "viral-promo"),
            (1, "he", "install-apps"),
        ]
    )
    assert report.checklists == [
        {"checklist": "join-group", "finished": 2, "complete": 0},
        {"checklist": "install-app", "finished": 1, "complete": 1},
    ]
    assert report.missed_items[0] == {"checklist": "join-group", "item": "who-sees", "count": 2}


def test_report_formats(store: QueryLog) -> None:
    seed(store)
    report = build_report(store, START, START + timedelta(days=7))
    data = json.loads(json.dumps(report.to_dict()))
    assert data["version"] == 1 and data["questions"] == 11
    assert data["outcomes"]["declined"] == {"count": 4, "share": 0.3636}
    assert data["unanswered"][0]["nearest_topic"] == "install-apps"
    rows = list(csv.reader(io.StringIO(report.to_csv())))
    assert rows[0] == ["section", "key", "count", "extra"]
    assert ["outcome", "answered", "6", "0.5455"] in rows
    assert "Advisor report 2026-11-20 to 2026-11-27: 11 questions" in report.to_text()


def test_suggestions_are_ready_yaml(store: QueryLog) -> None:
    seed(store)
    snippets = build_report(store, START, START + timedelta(days=7)).suggestions()
    first = snippets.split("\n\n")[0]
    assert first.startswith("# 2 question(s) like these; nearest topic: install-apps")
    assert "knowledge/topics/install-apps.yaml, under examples.en" in first
    parsed = yaml.safe_load(first)
    assert parsed["examples"]["en"] == [
        "how do I install the linkedin plugin for my mac",
        "how do I install a linkedin plugin on my mac?",
    ]
    assert "examples:\n  he:\n  - איך מתקינים" in snippets


def test_empty_period(store: QueryLog) -> None:
    report = build_report(store, START, START + timedelta(days=1))
    assert report.questions == 0 and report.clusters == [] and report.share("answered") == 0.0
    assert report.to_dict()["per_day"] == {"2026-11-20": 0}


def test_questions_that_look_like_formulas_are_neutralized_in_the_csv(store: QueryLog) -> None:
    attacks = ['=HYPERLINK("http://evil.example/x","click me")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
    store.write([q(n, 0, "web", "declined", None, text) for n, text in enumerate(attacks, 1)])
    rows = list(csv.reader(io.StringIO(build_report(store, START, START + timedelta(days=1)).to_csv())))
    cells = {row[1] for row in rows if row[0] == "unanswered"}
    assert cells == {"'" + text for text in attacks}


def test_one_rating_per_answer_and_person(store: QueryLog) -> None:
    asked = q(1, 0, "web", "answered", "join-groups", "join a facebook group")
    store.write([asked])
    store.write(
        [
            FeedbackRecord(f"{n:032x}", asked.id, asked.asked_at, "web", user="a" * 32, helpful=False)
            for n in range(50)
        ]
        + [FeedbackRecord("b" * 32, asked.id, asked.asked_at, "web", user="b" * 32, helpful=True)]
        + [FeedbackRecord(f"p{n:031x}", asked.id, asked.asked_at, "web", picked="none") for n in range(5)]
    )
    report = build_report(store, START, START + timedelta(days=1))
    [topic] = report.topics
    assert (topic["rated"], topic["helpful"]) == (2, 1)
    assert report.picks == {"none": 1}


def test_grouping_compares_each_wording_with_a_bounded_number_of_groups(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(5)
    made_up = [
        "".join(rng.choice("bcdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3)) for _ in range(9000)
    ]
    questions = [q(n, 0, "web", "declined", None, " ".join(made_up[3 * n : 3 * n + 3])) for n in range(1500)]
    calls = 0
    real = fuzz.token_set_ratio

    def counted(*args: Any, **kwargs: Any) -> float:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(fuzz, "token_set_ratio", counted)
    clusters = cluster(questions)
    assert sum(c.count for c in clusters) == 1500
    assert calls <= 1500 * MAX_CANDIDATES


def test_grouping_still_joins_alike_wordings() -> None:
    texts = ["how do I install the linkedin plugin", "how do I install a linkedin plugin?", "wifi password"]
    clusters = cluster([q(n, 0, "web", "declined", None, t) for n, t in enumerate(texts * 3)])
    assert [(c.count, c.examples[0]) for c in clusters] == [
        (6, "how do I install the linkedin plugin"),
        (3, "wifi password"),
    ]


def test_the_report_counts_follow_ups(store: QueryLog) -> None:
    from dataclasses import replace

    first = q(1, 0, "slack", "answered", "recruitment", "can we recruit on LinkedIn?")
    follow = replace(
        q(2, 0, "slack", "answered", "recruitment", "and on Instagram?"),
        context={"topic": "recruitment", "entities": {}, "follow_up": "slot"},
    )
    store.write([first, follow, q(3, 0, "web", "clarify", None, "and on Instagram?")])
    report = build_report(store, START, START + timedelta(days=1))
    assert report.follow_ups == 1 and report.to_dict()["follow_ups"] == 1
    assert "Follow-ups answered in their conversation's context: 1" in report.to_text()
