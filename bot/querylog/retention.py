"""Retention and erasure across everything that holds questions: the database (log rows,
delivery claims, the nudges sent, conversation contexts and tickets: their askers' contact
details after retention, all of a person's on erasure), the records waiting beside it (the spool
and the dead letters) and a journal of questions not yet claimed (the Slack adapter's, which the
caller hands over)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from ..config import Settings
from ..conversation.sql import SqlContextStore
from ..delivery.sql import SqlDeliveryClaims
from ..errors import AdvisorError
from ..nudge.sql import SqlNudgeStore
from ..service import open_store, pseudonym_key
from ..tickets.sql import SqlTicketStore
from .deadletters import DeadLetters, dead_letters_beside
from .pseudonyms import Pseudonymizer
from .records import LogRecord, QuestionRecord
from .spool import Spool

__all__ = ["Removed", "RetentionError", "forget", "purge"]


class RetentionError(AdvisorError):
    """A store that holds questions could not be changed (named, in one line)."""


class Journal(Protocol):
    """Questions taken and not yet claimed, kept on disk by a process that may have died."""

    directory: Path

    def discard(self, drop: Callable[[dict[str, Any]], bool]) -> int: ...


@dataclass(frozen=True)
class Removed:
    rows: int
    waiting: int
    journaled: int
    contexts: int = 0
    """Conversation contexts (what a follow-up would lean on)."""
    tickets: int = 0
    """Tickets whose asker's contact details went (purge) or that went entirely (forget)."""


def purge(settings: Settings, cutoff: datetime, journal: Journal) -> Removed:
    """Delete everything older than ``cutoff``, every conversation context past its
    time-to-live, and how to reach the askers of tickets closed before ``cutoff``."""
    expired = datetime.now(UTC) - timedelta(seconds=settings.conversation_ttl_seconds)
    try:
        store = open_store(settings)
        rows = store.purge(cutoff)
        SqlDeliveryClaims(store.engine, store.write_lock).purge(cutoff)
        rows += SqlNudgeStore(store.engine, store.write_lock).purge(cutoff)
        contexts = SqlContextStore(store.engine, store.write_lock).purge(max(cutoff, expired))
        tickets = SqlTicketStore(store.engine, store.write_lock).erase_contacts(cutoff)
    except Exception as exc:  # noqa: BLE001 - report a database problem in one line
        raise RetentionError(f"the query log could not be purged: {type(exc).__name__}") from exc
    waiting = _discard_waiting(
        settings, lambda r: (r.asked_at if isinstance(r, QuestionRecord) else r.at) < cutoff
    )
    journaled = _discard_journaled(journal, lambda e: float(e["at"]) < cutoff.timestamp())
    return Removed(rows, waiting, journaled, contexts, tickets)


def forget(settings: Settings, user: str, journal: Journal) -> tuple[str | None, Removed]:
    """Delete everything of one person, by raw platform id; the pseudonym it is stored under
    (the only thing an audit line may name) and what was removed."""
    try:
        pseudonym = Pseudonymizer(pseudonym_key(settings, allow_generated=True))("user", user)
        store = open_store(settings)
        rows = store.forget(pseudonym or "")
        rows += SqlNudgeStore(store.engine, store.write_lock).forget(pseudonym or "")
        contexts = SqlContextStore(store.engine, store.write_lock).forget(pseudonym or "")
        tickets = SqlTicketStore(store.engine, store.write_lock).forget(pseudonym or "")
    except AdvisorError:
        raise
    except Exception as exc:  # noqa: BLE001 - report a database problem in one line
        raise RetentionError(f"the query log could not be changed: {type(exc).__name__}") from exc
    waiting = _discard_waiting(settings, lambda r: r.user == pseudonym)
    journaled = _discard_journaled(journal, lambda e: (e.get("event") or {}).get("user") == user)
    return pseudonym, Removed(rows, waiting, journaled, contexts, tickets)


def _discard_waiting(settings: Settings, drop: Callable[[LogRecord], bool]) -> int:
    """Remove what ``drop`` picks from the records waiting beside the database: the spool and
    the dead letters (records the database refused)."""
    spool = settings.data_dir / "spool.jsonl"
    return Spool(spool).discard(drop) + DeadLetters(dead_letters_beside(spool)).discard(drop)


def _discard_journaled(journal: Journal, drop: Callable[[dict[str, Any]], bool]) -> int:
    """Remove what ``drop`` picks from the journal files of stopped processes on this data
    directory (questions taken but not yet claimed when their process died, which its next
    start would answer and log)."""
    try:
        return journal.discard(drop)
    except OSError as exc:
        message = f"the message journal in {journal.directory} could not be cleaned: {exc}"
        raise RetentionError(message) from exc
