"""One contract for every store of conversation contexts: memory, SQLite and a real PostgreSQL
server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.conversation.store import Context, ContextStore

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_a_context_is_recalled_while_fresh_and_replaced_by_the_next(contexts: ContextStore) -> None:
    first = Context("recruitment", NOW, network="linkedin", lang="en", user="u" * 32)
    contexts.keep("c" * 32, first)
    assert contexts.recall("c" * 32, NOW - timedelta(minutes=30)) == first
    assert contexts.recall("c" * 32, NOW + timedelta(seconds=1)) is None  # set before: stale
    assert contexts.recall("d" * 32, NOW - timedelta(days=1)) is None
    later = Context("install-apps", NOW + timedelta(minutes=5), app="hootsuite", lang="he", user="u" * 32)
    contexts.keep("c" * 32, later)
    assert contexts.recall("c" * 32, NOW) == later


def test_forget_removes_one_persons_contexts_only(contexts: ContextStore) -> None:
    contexts.keep("a" * 32, Context("join-groups", NOW, network="facebook", user="u" * 32))
    contexts.keep("b" * 32, Context("join-groups", NOW, user="u" * 32))
    contexts.keep("c" * 32, Context("recruitment", NOW, user="v" * 32))
    contexts.keep("d" * 32, Context("recruitment", NOW))
    assert contexts.forget("u" * 32) == 2
    assert contexts.recall("a" * 32, NOW - timedelta(hours=1)) is None
    assert contexts.recall("c" * 32, NOW - timedelta(hours=1)) is not None
    assert contexts.forget("u" * 32) == 0


def test_purge_removes_contexts_set_before_the_cutoff(contexts: ContextStore) -> None:
    contexts.keep("old" + "o" * 29, Context("recruitment", NOW - timedelta(hours=2)))
    contexts.keep("new" + "n" * 29, Context("recruitment", NOW))
    assert contexts.purge(NOW - timedelta(hours=1)) == 1
    assert contexts.recall("old" + "o" * 29, NOW - timedelta(days=1)) is None
    assert contexts.recall("new" + "n" * 29, NOW - timedelta(days=1)) is not None


def test_a_context_without_a_person_or_an_app_round_trips(contexts: ContextStore) -> None:
    context = Context("join-groups", NOW, network="x", lang="he", user=None)
    contexts.keep("k" * 64, context)
    assert contexts.recall("k" * 64, NOW) == context


def test_what_an_ask_back_named_round_trips_under_no_topic(contexts: ContextStore) -> None:
    context = Context("", NOW, network="tiktok", lang="he", user="u" * 32)
    contexts.keep("p" * 32, context)
    assert contexts.recall("p" * 32, NOW) == context
