"""Migration 0008 on a database taught before it, SQLite and a real PostgreSQL server: what
was learned is still served and can be withdrawn; going back drops what was withdrawn, which
the schema before would serve again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from bot.learned.sql import SqlLearnedStore
from bot.querylog.migrations import config, upgrade
from bot.querylog.sql import create_engine

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    sqlite = f"sqlite:///{tmp_path / 'log.db'}"
    made = create_engine(sqlite if request.param == "sqlite" else request.getfixturevalue("pg_url"))
    yield made
    made.dispose()


def test_what_was_learned_before_0008_is_served_and_can_be_withdrawn(engine: sa.Engine) -> None:
    upgrade(engine, "0007")
    rows = sa.table("learned", *(sa.column(n) for n in ("key", "kind", "topic", "lang", "text", "by", "at")))
    with engine.begin() as conn:
        for n, text in enumerate(["a group?", "another group?"]):
            row = {"key": f"k{n}", "kind": "example", "topic": "join-groups", "lang": "en", "text": text}
            conn.execute(rows.insert().values(row | {"by": "Dana", "at": NOW}))
    upgrade(engine)
    store = SqlLearnedStore(engine)
    first, second = store.learned().examples
    assert (first.text, first.withdrawn, second.text) == ("a group?", None, "another group?")
    assert store.withdraw(first.id, "Eli", NOW) is not None
    assert store.learned().examples == (second,)
    command.downgrade(config(engine), "0007")
    with engine.connect() as conn:
        kept = conn.execute(sa.select(rows.c.text)).scalars().all()
    assert kept == ["another group?"]
