from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.conversation.behind import WriteBehind
from bot.conversation.sql import SqlContextStore
from bot.conversation.store import ContextStore, MemoryContextStore
from tests.conftest import sql_log


@pytest.fixture(params=["memory", "sqlite", "sqlite-behind", "postgresql"])
def contexts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ContextStore]:
    """Every store of conversation contexts, for the contract tests (``sqlite-behind``: SQLite
    written after the answer, as one process on one box runs it)."""
    if request.param == "memory":
        yield MemoryContextStore()
        return
    with sql_log(request, tmp_path) as sql:
        store = SqlContextStore(sql.engine, sql.write_lock)
        if request.param != "sqlite-behind":
            yield store
            return
        behind = WriteBehind(store)
        yield behind
        behind.close()
