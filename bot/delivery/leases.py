"""What a replica does with delivery claims: keys pseudonymized, what is kept as JSON, and a
database that cannot be reached never stops an answer."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from ..encoding import repair
from ..querylog.pseudonyms import Pseudonymizer
from .claims import DeliveryClaims, Pending

__all__ = ["Deliveries"]

log = logging.getLogger(__name__)


class Deliveries:
    """Claims, releases, renews and takes over deliveries for one process, by platform
    delivery id (``claims`` stores them under keyed pseudonyms)."""

    def __init__(self, claims: DeliveryClaims, pseudonyms: Pseudonymizer) -> None:
        self.claims = claims
        self.pseudonyms = pseudonyms

    def claim(self, delivery: str, keep: dict[str, Any] | None = None, lease_seconds: float = 60.0) -> bool:
        """True when this process should answer ``delivery``: the database decides between
        replicas. With ``keep`` (what is needed to answer it), the delivery stays in the
        database until :meth:`release`; if this process dies first, another replica takes it
        over after ``lease_seconds`` (:meth:`take_over_lapsed`). If the database cannot be
        reached the answer goes out anyway (each replica still drops its own duplicates), since
        an unanswered person is worse than a rare double reply during an outage."""
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
            return self.claims.claim_many(items, now)
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
            self.claims.release([self.pseudonyms("delivery", d) or "" for d in deliveries])
            return True
        except Exception as exc:  # noqa: BLE001 - the database is away: try again later
            log.warning("could not release %d answered deliveries (%s)", len(deliveries), type(exc).__name__)
            return False

    def renew(self, deliveries: list[str], lease_seconds: float = 60.0) -> None:
        """This process is alive and still answering these: extend their leases."""
        keys = [self.pseudonyms("delivery", d) or "" for d in deliveries]
        try:
            self.claims.renew(keys, datetime.now(UTC) + timedelta(seconds=lease_seconds))
        except Exception as exc:  # noqa: BLE001 - the database is away: the leases may lapse
            log.warning("could not renew answer leases (%s)", type(exc).__name__)

    def take_over_lapsed(self, lease_seconds: float = 60.0, limit: int = 50) -> list[dict[str, Any]]:
        """Deliveries whose claimant did not answer within its lease, now this process's."""
        now = datetime.now(UTC)
        try:
            taken = self.claims.take_over_lapsed(now, now + timedelta(seconds=lease_seconds), limit)
        except Exception as exc:  # noqa: BLE001 - the database is away: try again later
            log.warning("could not look for overdue deliveries (%s)", type(exc).__name__)
            return []
        found = []
        for pending in taken:
            try:
                found.append(json.loads(pending.payload))
            except ValueError:
                self.claims.release([pending.key])
        if found:
            log.info("taking over %d deliveries another process acknowledged and did not answer", len(found))
        return found
