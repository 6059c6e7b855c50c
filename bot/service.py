"""The running advisor: knowledge, matcher, query log store, background writer and recorder,
assembled from the settings and closed together."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any

from .advisor import Advisor
from .config import Settings
from .encoding import repair
from .errors import ConfigError
from .knowledge.knowledge import load_knowledge
from .matching.build import settings_encoder
from .querylog.pseudonyms import Pseudonymizer, load_or_create_key
from .querylog.recording import Recorder
from .querylog.records import Pending
from .querylog.spool import Spool
from .querylog.sql import SqlQueryLog
from .querylog.writer import LogWriter

__all__ = ["Service", "pseudonym_key"]

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


@dataclass
class Service:
    advisor: Advisor
    store: SqlQueryLog
    writer: LogWriter
    pseudonyms: Pseudonymizer

    @classmethod
    def start(
        cls,
        settings: Settings,
        *,
        allow_generated_key: bool = False,
        migrate: bool = True,
        base: Advisor | None = None,
    ) -> Service:
        """Assemble from the settings; ``base`` lends an already built knowledge base and
        matcher (tests start many servers)."""
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
        advisor = Advisor(
            knowledge,
            matcher=base.matcher if base else None,
            thresholds=settings.thresholds,
            recorder=Recorder(writer, pseudonyms, topics=frozenset(knowledge.topics)),
            matcher_kind=settings.matcher,
            encoder=None if base else settings_encoder(settings),
        )
        return cls(advisor, store, writer, pseudonyms)

    def claim(self, delivery: str, keep: dict[str, Any] | None = None, lease_seconds: float = 60.0) -> bool:
        """True when this process should answer ``delivery``: the database decides between
        replicas. With ``keep`` (what is needed to answer it), the delivery stays in the
        database until :meth:`release`; if this process dies first, another replica takes it
        over after ``lease_seconds`` (:meth:`overdue`). If the database cannot be reached the
        answer goes out anyway (each replica still drops its own duplicates), since an
        unanswered person is worse than a rare double reply during an outage."""
        return self.claim_many([(delivery, keep)], lease_seconds)[0]

    def claim_many(
        self, deliveries: Sequence[tuple[str, dict[str, Any] | None]], lease_seconds: float = 60.0
    ) -> list[bool]:
        """:meth:`claim` for a burst of deliveries, in one database call."""
        now = datetime.now(UTC)
        items = []
        for delivery, keep in deliveries:
            key = self.pseudonyms("delivery", delivery) or ""
            pending = None
            if keep is not None:
                payload = repair(json.dumps({"delivery": delivery, **keep}, ensure_ascii=False))
                lease = now + timedelta(seconds=lease_seconds)
                pending = Pending(key, str(keep.get("channel", "")), payload, lease)
            items.append((key, pending))
        try:
            return self.store.claim_many(items, now)
        except Exception as exc:  # noqa: BLE001 - any database failure: answer anyway
            log.warning("delivery claim unavailable (%s); answering without it", type(exc).__name__)
            return [True] * len(items)

    def release(self, deliveries: list[str]) -> bool:
        """These deliveries were answered: forget what was kept to answer them. False when the
        database could not be reached (the caller tries again, or the leases lapse and the
        deliveries are answered twice)."""
        if not deliveries:
            return True
        try:
            self.store.release([self.pseudonyms("delivery", d) or "" for d in deliveries])
            return True
        except Exception as exc:  # noqa: BLE001 - the database is away: try again later
            log.warning("could not release %d answered deliveries (%s)", len(deliveries), type(exc).__name__)
            return False

    def renew(self, deliveries: list[str], lease_seconds: float = 60.0) -> None:
        """This process is alive and still answering these: extend their leases."""
        keys = [self.pseudonyms("delivery", d) or "" for d in deliveries]
        try:
            self.store.renew(keys, datetime.now(UTC) + timedelta(seconds=lease_seconds))
        except Exception as exc:  # noqa: BLE001 - the database is away: the leases may lapse
            log.warning("could not renew answer leases (%s)", type(exc).__name__)

    def overdue(self, lease_seconds: float = 60.0, limit: int = 50) -> list[dict[str, Any]]:
        """Deliveries whose claimant did not answer within its lease, now this process's."""
        now = datetime.now(UTC)
        try:
            taken = self.store.overdue(now, now + timedelta(seconds=lease_seconds), limit)
        except Exception as exc:  # noqa: BLE001 - the database is away: try again later
            log.warning("could not look for overdue deliveries (%s)", type(exc).__name__)
            return []
        found = []
        for pending in taken:
            try:
                found.append(json.loads(pending.payload))
            except ValueError:
                self.store.release([pending.key])
        if found:
            log.info("taking over %d deliveries another process acknowledged and did not answer", len(found))
        return found

    def close(self, timeout: float = 10.0) -> None:
        self.writer.close(timeout)
        self.store.engine.dispose()

    def __enter__(self) -> Service:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
