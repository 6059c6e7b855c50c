"""One contract for every store of learned examples and entries: memory, SQLite and a real
PostgreSQL server."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.learned.records import Entry, Example, Learned, LearnedStore, Withdrawal

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


def test_a_withdrawn_item_is_kept_for_the_audit_and_no_longer_served(learned_store: LearnedStore) -> None:
    example, _ = learned_store.add_example(Example("join-groups", "a group?", "en", "Dana", NOW))
    published, _ = learned_store.publish(entry())
    later = NOW + timedelta(hours=2)
    withdrawn = learned_store.withdraw(published.id, "Eli", later)
    assert withdrawn is not None
    item, made = withdrawn
    assert made is True
    assert item == replace(published, withdrawn=Withdrawal("Eli", later))
    assert learned_store.learned() == Learned(examples=(example,))
    assert learned_store.learned(with_withdrawn=True) == Learned((example,), (item,))
    again = learned_store.withdraw(published.id, "Dana", later + timedelta(hours=1))
    assert again == (item, False)
    gone = learned_store.withdraw(example.id, "Eli", later)
    assert gone is not None and gone[1] is True and gone[0].withdrawn == Withdrawal("Eli", later)
    assert learned_store.learned() == Learned()
    assert learned_store.withdraw(published.id + example.id + 100, "Eli", later) is None


def test_what_was_withdrawn_can_be_taught_again_as_a_new_item(learned_store: LearnedStore) -> None:
    first, _ = learned_store.publish(entry())
    learned_store.withdraw(first.id, "Eli", NOW)
    second, made = learned_store.publish(entry(verdict="caution", by="Eli"))
    assert made is True and second.id != first.id and second.withdrawn is None
    assert learned_store.learned().entries == (second,)
    old, _ = learned_store.add_example(Example("join-groups", "a group?", "en", "Dana", NOW))
    learned_store.withdraw(old.id, "Eli", NOW)
    new, made = learned_store.add_example(Example("join-groups", "A group?", "en", "Eli", NOW))
    assert made is True and new.id != old.id
    assert [e.id for e in learned_store.learned(with_withdrawn=True).examples] == [old.id, new.id]


def test_the_stamp_moves_with_every_withdrawal_once(learned_store: LearnedStore) -> None:
    published, _ = learned_store.publish(entry())
    before = learned_store.stamp()
    learned_store.withdraw(published.id, "Eli", NOW)
    after = learned_store.stamp()
    assert after != before
    learned_store.withdraw(published.id, "Eli", NOW)
    learned_store.withdraw(published.id + 100, "Eli", NOW)
    assert learned_store.stamp() == after
    learned_store.publish(entry())
    assert learned_store.stamp() not in (before, after)


def test_one_item_withdrawn_from_many_threads_is_withdrawn_once(learned_store: LearnedStore) -> None:
    published, _ = learned_store.publish(entry())
    results: list[bool] = []
    barrier = threading.Barrier(6)

    def withdraw(n: int) -> None:
        barrier.wait()
        outcome = learned_store.withdraw(published.id, f"owner{n}", NOW + timedelta(minutes=n))
        assert outcome is not None
        results.append(outcome[1])

    threads = [threading.Thread(target=withdraw, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False] * 5 + [True]
    [item] = learned_store.learned(with_withdrawn=True).entries
    assert item.withdrawn is not None and item.withdrawn.by in {f"owner{n}" for n in range(6)}
