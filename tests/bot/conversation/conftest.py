from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.conversation.sql import SqlContextStore
from bot.conversation.store import ContextStore, MemoryContextStore
from tests.conftest import sql_log


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def contexts(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ContextStore]:
    """Every store of conversation contexts, for the contract tests."""
    if request.param == "memory":
        yield MemoryContextStore()
        return
    with sql_log(request, tmp_path) as sql:
        yield SqlContextStore(sql.engine, sql.write_lock)
