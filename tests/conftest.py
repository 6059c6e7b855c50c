from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot import Advisor, Knowledge
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.delivery.claims import DeliveryClaims, MemoryDeliveryClaims
from bot.delivery.sql import SqlDeliveryClaims
from bot.learned.records import LearnedStore, MemoryLearnedStore
from bot.learned.sql import SqlLearnedStore
from bot.querylog.records import MemoryQueryLog, QueryLog
from bot.querylog.sql import SqlQueryLog
from bot.testing import AdvisorTester, shipped_advisor
from bot.tickets.digest import DigestLedger, MemoryDigestLedger
from bot.tickets.memory import MemoryTicketStore
from bot.tickets.records import TicketStore
from bot.tickets.sql import SqlDigestLedger, SqlTicketStore

from .pgserver import PostgresServer, find_pg_bin
from .slackkit import SlackRig
from .teamskit import TeamsRig
from .webkit import WebRig

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def advisor() -> Advisor:
    return shipped_advisor()


@pytest.fixture(scope="session")
def knowledge(advisor: Advisor) -> Knowledge:
    return advisor.knowledge


@pytest.fixture(scope="session")
def tester(advisor: Advisor) -> AdvisorTester:
    return AdvisorTester(advisor)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge base, for tests that break it on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session; required when ADVISOR_REQUIRE_POSTGRES=1 (CI)."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        if os.environ.get("ADVISOR_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (ADVISOR_REQUIRE_POSTGRES=1) but initdb was not found")
        pytest.skip("PostgreSQL is not installed here; CI installs it and runs these tests")
    server = PostgresServer(bin_dir)
    server.init()
    server.start()
    server.wait_ready()
    yield server
    server.destroy()


@pytest.fixture
def pg_url(postgres: PostgresServer) -> str:
    """A fresh database on the session's server, for one test."""
    if not postgres.running():
        postgres.start()
        postgres.wait_ready()
    return postgres.create_database(f"t{uuid.uuid4().hex[:12]}")


@contextmanager
def sql_log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlQueryLog]:
    """A migrated SQL query log on the parameter's database: SQLite in ``tmp_path``, or PostgreSQL."""
    sqlite = str(request.param).startswith("sqlite")
    url = f"sqlite:///{tmp_path / 'log.db'}" if sqlite else request.getfixturevalue("pg_url")
    sql = SqlQueryLog(url)
    sql.upgrade()
    try:
        yield sql
    finally:
        sql.engine.dispose()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QueryLog]:
    """Every query log implementation, for the contract tests."""
    if request.param == "memory":
        yield MemoryQueryLog()
        return
    with sql_log(request, tmp_path) as sql:
        yield sql


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def claims(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DeliveryClaims]:
    """Every store of delivery claims, for the contract tests."""
    if request.param == "memory":
        yield MemoryDeliveryClaims()
        return
    with sql_log(request, tmp_path) as sql:
        yield SqlDeliveryClaims(sql.engine, sql.write_lock)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def ticket_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TicketStore]:
    """Every ticket store, for the contract tests."""
    if request.param == "memory":
        yield MemoryTicketStore()
        return
    with sql_log(request, tmp_path) as sql:
        yield SqlTicketStore(sql.engine, sql.write_lock)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def digest_ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DigestLedger]:
    """Every ledger of the weeks whose digest was sent, for the contract tests."""
    if request.param == "memory":
        yield MemoryDigestLedger()
        return
    with sql_log(request, tmp_path) as sql:
        yield SqlDigestLedger(sql.engine, sql.write_lock)


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def learned_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LearnedStore]:
    """Every store of learned examples and entries, for the contract tests."""
    if request.param == "memory":
        yield MemoryLearnedStore()
        return
    with sql_log(request, tmp_path) as sql:
        yield SqlLearnedStore(sql.engine, sql.write_lock)


@pytest.fixture
def slack(tmp_path: Path) -> Iterator[SlackRig]:
    """The advisor server with Slack on, and a recorder standing in for Slack's Web API."""
    rig = SlackRig(tmp_path)
    yield rig
    rig.close()


@pytest.fixture
def teams(tmp_path: Path) -> Iterator[TeamsRig]:
    """The advisor server with Teams on (app id set, authentication on) and a fake connector."""
    rig = TeamsRig(tmp_path)
    yield rig
    rig.close()


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebRig]:
    rig = WebRig(tmp_path)
    yield rig
    rig.close()
