"""The running advisor: knowledge, matcher, query log store, background writer, recorder,
delivery claims, the ticket desk and what the policy owner taught it, assembled from the
settings and closed together."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from types import TracebackType

from .advisor import Advisor
from .config import Settings
from .conversation.behind import WriteBehind
from .conversation.context import Conversations
from .conversation.sql import SqlContextStore, context_engine
from .conversation.store import ContextStore
from .delivery.leases import Deliveries
from .delivery.sql import SqlDeliveryClaims
from .errors import ConfigError
from .knowledge.knowledge import load_knowledge
from .learned.refresh import Refresher
from .learned.sql import SqlLearnedStore
from .learned.teach import Teacher
from .matching.build import growing, return_freed_memory, settings_cache, settings_encoder
from .nudge.sql import SqlNudgeStore
from .nudge.store import NudgeStore
from .querylog.pseudonyms import Pseudonymizer, load_or_create_key
from .querylog.recording import Recorder
from .querylog.spool import Spool
from .querylog.sql import SqlQueryLog
from .querylog.writer import LogWriter
from .tickets.desk import Desk
from .tickets.sql import SqlTicketStore

__all__ = ["Service", "open_store", "pseudonym_key"]

log = logging.getLogger(__name__)


def pseudonym_key(settings: Settings, allow_generated: bool) -> bytes:
    """The configured key; in development, or for the local command line, one is created once
    and kept beside the SQLite file. Production without a key is refused."""
    if settings.pseudonym_key is not None and settings.pseudonym_key.get_secret_value().strip():
        return settings.pseudonym_key.get_secret_value().strip().encode()
    if allow_generated or settings.env == "development":
        return load_or_create_key(settings.data_dir / "pseudonym.key")
    raise ConfigError(
        "ADVISOR_PSEUDONYM_KEY is required in production (ADVISOR_ENV=production): it keys the "
        "pseudonyms of user ids in the query log. Set it to a long random secret, or set "
        "ADVISOR_ENV=development for a local key."
    )


def open_store(settings: Settings) -> SqlQueryLog:
    """The query log store the settings name; an embedded SQLite one is brought up to date."""
    store = SqlQueryLog(settings.log_url)
    if settings.is_sqlite:
        store.upgrade()
    return store


def conversations(settings: Settings, store: SqlQueryLog, pseudonyms: Pseudonymizer) -> Conversations | None:
    """Conversation contexts in the log's database, so that any replica takes the next turn.
    SQLite shares the log's engine and write lock, and is written after the answer (one process
    uses it, and reads its own waiting writes); PostgreSQL gets an engine of its own and is
    written before the answer goes, so the next turn finds it on any replica."""
    if not settings.conversation_context:
        return None
    contexts: ContextStore
    if settings.is_sqlite:
        contexts = WriteBehind(SqlContextStore(store.engine, store.write_lock))
    else:
        contexts = SqlContextStore(context_engine(settings.log_url))
    return Conversations(contexts, pseudonyms, settings.conversation_ttl_seconds)


@dataclass
class Service:
    advisor: Advisor
    store: SqlQueryLog
    writer: LogWriter
    pseudonyms: Pseudonymizer
    deliveries: Deliveries
    nudges: NudgeStore
    desk: Desk
    teacher: Teacher
    refresher: Refresher

    @classmethod
    def start(
        cls,
        settings: Settings,
        *,
        allow_generated_key: bool = False,
        migrate: bool = True,
        base: Advisor | None = None,
        learn_now: bool = False,
    ) -> Service:
        """Assemble from the settings; ``base`` lends an already built knowledge base and
        matcher (tests start many servers). What the policy owner taught is learned in the
        background, or before this returns with ``learn_now`` (the command line's questions)."""
        pseudonyms = Pseudonymizer(pseudonym_key(settings, allow_generated_key))
        knowledge = base.knowledge if base else load_knowledge(settings.knowledge_dir, settings.policy_file)
        store = SqlQueryLog(settings.log_url)
        if migrate and settings.is_sqlite:
            store.upgrade()
        writer = LogWriter(
            store,
            Spool(settings.data_dir / "spool.jsonl"),
            batch_size=settings.log_batch_size,
            flush_seconds=settings.log_flush_seconds,
            retry_seconds=settings.log_retry_seconds,
            max_spool=settings.spool_max_records,
        )
        encoder = None if base else settings_encoder(settings)
        advisor = Advisor(
            knowledge,
            matcher=base.matcher if base else settings.matcher,
            thresholds=settings.thresholds,
            recorder=Recorder(writer, pseudonyms, topics=frozenset(knowledge.topics)),
            encoder=encoder,
            conversations=conversations(settings, store, pseudonyms),
            cache=None if base else settings_cache(settings),
        )
        if base is None:
            return_freed_memory()
        deliveries = Deliveries(SqlDeliveryClaims(store.engine, store.write_lock), pseudonyms)
        nudges = SqlNudgeStore(store.engine, store.write_lock)
        desk = Desk(SqlTicketStore(store.engine, store.write_lock), pseudonyms)
        learned = SqlLearnedStore(store.engine, store.write_lock)
        teacher = Teacher(learned, knowledge)
        every = settings.learned_refresh_seconds
        refresher = Refresher(advisor, knowledge, learned, growing(advisor.matcher), every)
        if learn_now:
            refresher.try_refresh()
        refresher.start()
        return cls(advisor, store, writer, pseudonyms, deliveries, nudges, desk, teacher, refresher)

    def close(self, timeout: float = 10.0) -> None:
        self.refresher.close(min(timeout, 1.0))
        contexts = self.advisor.conversations.store if self.advisor.conversations else None
        if isinstance(contexts, WriteBehind):
            contexts.close(timeout)
        elif isinstance(contexts, SqlContextStore):
            contexts.engine.dispose()
        self.writer.close(timeout)
        self.store.engine.dispose()

    def __enter__(self) -> Service:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
