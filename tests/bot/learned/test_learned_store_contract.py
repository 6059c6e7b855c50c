"""One contract for every store of learned examples and entries: memory, SQLite and a real
PostgreSQL server."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.learned.records import Entry, Example, LearnedStore

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def entry(topic: str = "owner-7", **fields: object) -> Entry:
    values: dict[str, object] = {
        "variants": {"en": ("may I stream our launch on TikTok?",), "he": ("מותר לשדר את ההשקה בטיקטוק?",)},
        "answer": {
            "en": "No: launches stream on our own channels.",
            "he": "לא: השקות משודרות רק בערוצים שלנו.",
        },
        "verdict": "no",
        "by": "Dana",
        "at": NOW,
        "ticket": 7,
    }
    return Entry(topic=topic, **(values | fields))  # type: ignore[arg-type]


def test_an_empty_store_has_nothing_and_stamp_zero(learned_store: LearnedStore) -> None:
    found = learned_store.learned()
    assert (found.examples, found.entries, learned_store.stamp()) == ((), (), 0)


def test_an_example_is_kept_with_its_audit_once(learned_store: LearnedStore) -> None:
    wanted = Example("join-groups", "is the alumni WhatsApp group ok?", "en", "Dana", NOW, ticket=3)
    stored, made = learned_store.add_example(wanted)
    assert made is True and stored.id > 0
    assert replace(stored, id=0) == wanted
    again, made_again = learned_store.add_example(
        replace(wanted, text="  IS the alumni   whatsapp group OK? ", by="Eli", at=NOW + timedelta(hours=1))
    )
    assert made_again is False
    assert again == stored
    other, _ = learned_store.add_example(replace(wanted, topic="install-apps"))
    assert other.id != stored.id
    assert learned_store.learned().examples == (stored, other)


def test_an_entry_is_kept_whole_and_its_topic_id_once(learned_store: LearnedStore) -> None:
    wanted = entry(
        answer={"he": "לא: השקות משודרות רק בערוצים שלנו. " * 50}, variants={"he": ("שאלה?",), "en": ()}
    )
    stored, made = learned_store.publish(wanted)
    assert made is True
    assert replace(stored, id=0) == wanted
    again, made_again = learned_store.publish(entry(verdict="yes", by="Eli"))
    assert (again, made_again) == (stored, False)
    assert learned_store.learned().entries == (stored,)


def test_the_stamp_moves_with_every_addition_only(learned_store: LearnedStore) -> None:
    learned_store.publish(entry())
    first = learned_store.stamp()
    learned_store.publish(entry())
    assert learned_store.stamp() == first
    learned_store.add_example(Example("join-groups", "a group?", "en", "Dana", NOW))
    assert learned_store.stamp() > first


def test_the_same_example_from_many_threads_is_stored_once(learned_store: LearnedStore) -> None:
    results: list[tuple[Example, bool]] = []
    barrier = threading.Barrier(6)

    def add(n: int) -> None:
        barrier.wait()
        results.append(learned_store.add_example(Example("join-groups", "a group?", "en", f"owner{n}", NOW)))

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(made for _, made in results) == 1
    assert len({stored.id for stored, _ in results}) == 1
    assert len(learned_store.learned().examples) == 1
