"""Delivery claims in the query log's database (SQLite or PostgreSQL), in tables of their own
(``delivery_claims``, ``pending_answers``; created by the log's migrations). Writes share the
log store's lock on SQLite, which has one writer at a time.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ..querylog.schema import delivery_claims, pending_answers
from .claims import Pending

__all__ = ["SqlDeliveryClaims"]

CLAIM = sa.text(
    "INSERT INTO delivery_claims (key, claimed_at) VALUES (:key, :at) "
    "ON CONFLICT (key) DO NOTHING RETURNING key"
).bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True)))

# PostgreSQL claims and keeps a burst of deliveries in one statement (one round trip); SQLite,
# whose CTEs cannot insert, runs CLAIM and then the insert for each, in one transaction. A key
# claimed twice in one burst is won once (the input has one row per key: callers pass distinct
# keys, and DISTINCT ON keeps that true).
CLAIM_AND_KEEP_MANY = sa.text(
    "WITH input AS (SELECT DISTINCT ON (key) key, channel, payload, lease_until FROM unnest("
    "CAST(:keys AS varchar[]), CAST(:channels AS varchar[]), CAST(:payloads AS text[]), "
    "CAST(:leases AS timestamptz[])) AS i(key, channel, payload, lease_until)), "
    "won AS (INSERT INTO delivery_claims (key, claimed_at) SELECT key, :at FROM input "
    "ON CONFLICT (key) DO NOTHING RETURNING key) "
    "INSERT INTO pending_answers (key, channel, payload, lease_until) "
    "SELECT input.key, input.channel, input.payload, input.lease_until FROM input "
    "JOIN won ON won.key = input.key RETURNING key"
).bindparams(sa.bindparam("at", type_=sa.DateTime(timezone=True)))


class SqlDeliveryClaims:
    def __init__(self, engine: Engine, write_lock: AbstractContextManager[Any] | None = None) -> None:
        """``write_lock``: the log store's, when both write to one SQLite file."""
        self.engine = engine
        if write_lock is None:
            write_lock = threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        self.write_lock = write_lock

    def claim(self, key: str, at: datetime, pending: Pending | None = None) -> bool:
        """Claim a delivery; True for the first claimant only, on any replica. With
        ``pending``, the claimant also keeps the delivery, in the same transaction."""
        return self.claim_many([(key, pending)], at)[0]

    def claim_many(self, items: Sequence[tuple[str, Pending | None]], at: datetime) -> list[bool]:
        """:meth:`claim` for a burst, in one transaction: whether each was won. On PostgreSQL a
        burst whose deliveries are all kept is claimed and kept in one statement."""
        if not items:
            return []
        with self.write_lock, self.engine.begin() as connection:
            kept = [pending for _, pending in items if pending is not None]
            if len(kept) == len(items) and self.engine.dialect.name == "postgresql":
                won = set(
                    connection.execute(
                        CLAIM_AND_KEEP_MANY,
                        {
                            "at": at,
                            "keys": [key for key, _ in items],
                            "channels": [p.channel for p in kept],
                            "payloads": [p.payload for p in kept],
                            "leases": [p.lease_until for p in kept],
                        },
                    ).scalars()
                )
                results = []
                for key, _ in items:
                    results.append(key in won)
                    won.discard(key)  # the same key twice in one burst: the first wins
                return results
            results = []
            for key, pending in items:
                first = connection.execute(CLAIM, {"key": key, "at": at}).first() is not None
                if first and pending is not None:
                    connection.execute(
                        sa.insert(pending_answers).values(
                            key=key,
                            channel=pending.channel,
                            payload=pending.payload,
                            lease_until=pending.lease_until,
                        )
                    )
                results.append(first)
            return results

    def release(self, keys: Sequence[str]) -> None:
        table = pending_answers
        with self.write_lock, self.engine.begin() as connection:
            for start in range(0, len(keys), 500):
                connection.execute(sa.delete(table).where(table.c.key.in_(list(keys[start : start + 500]))))

    def renew(self, keys: Sequence[str], lease_until: datetime) -> None:
        """The claimant is alive and still working on these: extend their lease."""
        if not keys:
            return
        table = pending_answers
        with self.write_lock, self.engine.begin() as connection:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                connection.execute(
                    sa.update(table).where(table.c.key.in_(chunk)).values(lease_until=lease_until)
                )

    def take_over_lapsed(self, now: datetime, lease_until: datetime, limit: int = 50) -> list[Pending]:
        """Take over deliveries whose claimant's lease ended: each goes to one caller only (the
        update re-checks the lease, so two replicas sweeping at once split them)."""
        table = pending_answers
        taken = []
        with self.write_lock, self.engine.begin() as connection:
            rows = connection.execute(
                sa.select(table).where(table.c.lease_until < now).order_by(table.c.lease_until).limit(limit)
            ).mappings()
            for row in list(rows):
                moved = connection.execute(
                    sa.update(table)
                    .where(table.c.key == row["key"], table.c.lease_until < now)
                    .values(lease_until=lease_until)
                ).rowcount
                if moved == 1:
                    taken.append(Pending(row["key"], row["channel"], row["payload"], lease_until))
        return taken

    def purge(self, before: datetime) -> None:
        with self.write_lock, self.engine.begin() as connection:
            connection.execute(sa.delete(delivery_claims).where(delivery_claims.c.claimed_at < before))
            connection.execute(sa.delete(pending_answers).where(pending_answers.c.lease_until < before))
