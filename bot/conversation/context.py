"""A conversation's context across turns, for the advisor: recalled before a message is
answered and kept after, keyed by a pseudonym of the conversation, fresh for a time-to-live.

Only an answer about an advice topic sets the context; greetings, thanks, ask-backs, declines
and, once there is a context, checklists leave it as it was. An ask-back on a message that names
a network or an app with no topic before it ("and on TikTok?" - "about what?") keeps what it
named, under no topic: the reply that says what it was about is answered for it. Keeping or recalling it never
fails an answer: a store that cannot be reached means the message is answered on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

from ..answer import Answer, Outcome
from ..query import Query
from ..querylog.pseudonyms import Pseudonymizer
from .store import Context, ContextStore

__all__ = ["Conversations"]

log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(UTC)


class Conversations:
    def __init__(
        self,
        store: ContextStore,
        pseudonyms: Pseudonymizer,
        ttl_seconds: float = 1800.0,
        clock: Callable[[], datetime] = _now,
    ) -> None:
        self.store = store
        self.pseudonyms = pseudonyms
        self.ttl = timedelta(seconds=ttl_seconds)
        self.clock = clock

    def key(self, query: Query) -> str | None:
        """The pseudonym the conversation's context is kept under (None: no conversation)."""
        if not query.conversation_id:
            return None
        return self.pseudonyms("conversation", f"context:{query.channel}:{query.conversation_id}")

    def recall(self, query: Query) -> Context | None:
        key = self.key(query)
        if key is None:
            return None
        try:
            return self.store.recall(key, self.clock() - self.ttl)
        except Exception:  # noqa: BLE001 - context must never fail an answer
            log.warning("conversation context could not be read; answering without it", exc_info=True)
            return None

    def keep(self, query: Query, answer: Answer, previous: Context | None, advice: Collection[str]) -> None:
        """Remember what ``answer`` was about, if it was about an advice topic, or what an
        ask-back with no topic before it named."""
        key = self.key(query)
        if key is None or not (_about(answer, advice) or _pending(answer, previous, advice)):
            return
        if answer.steps is not None and previous is not None:
            return  # a checklist is a handout, not a new subject: the context stays as it was
        now = self.clock()
        context = Context(
            topic=answer.topic if answer.outcome is Outcome.ANSWERED and answer.topic else "",
            at=now,
            network=answer.entities.get("network"),
            app=answer.entities.get("app"),
            lang=answer.lang,
            user=self.pseudonyms("user", query.user_id),
        )
        if previous is not None and _same(previous, context) and now - previous.at < self.ttl / 10:
            return  # nothing new, and still fresh: spare the write
        try:
            self.store.keep(key, context)
        except Exception:  # noqa: BLE001 - context must never fail an answer
            log.warning("conversation context could not be kept", exc_info=True)


def _about(answer: Answer, advice: Collection[str]) -> bool:
    return answer.outcome is Outcome.ANSWERED and answer.topic in advice


def _pending(answer: Answer, previous: Context | None, advice: Collection[str]) -> bool:
    """An ask-back on a network or an app named with no topic to lean on."""
    named = answer.entities.get("network") or answer.entities.get("app")
    return (
        answer.outcome is Outcome.CLARIFY
        and bool(named)
        and (previous is None or previous.topic not in advice)
    )


def _same(a: Context, b: Context) -> bool:
    return (a.topic, a.network, a.app, a.lang, a.user) == (b.topic, b.network, b.app, b.lang, b.user)
