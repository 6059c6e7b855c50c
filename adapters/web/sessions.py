"""Dashboard sessions: random ids kept on the server, so that signing out ends one.

The cookie holds only the id. Sessions live in this process's memory: a restart signs everyone
out, and with several replicas a browser must come back to the one that signed it in (session
affinity at the load balancer; the bearer token works on any replica).
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable

__all__ = ["SESSION_SECONDS", "Sessions"]

SESSION_SECONDS = 8 * 3600
# Sessions kept at most; the oldest is dropped (signed out) past it.
MAX_SESSIONS = 1000


class Sessions:
    def __init__(self, seconds: float = SESSION_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds, self.clock = seconds, clock
        self._expires: OrderedDict[str, float] = OrderedDict()

    def open(self) -> str:
        session = secrets.token_urlsafe(32)
        self._expires[session] = self.clock() + self.seconds
        while len(self._expires) > MAX_SESSIONS:
            self._expires.popitem(last=False)
        return session

    def is_open(self, session: str) -> bool:
        expires = self._expires.get(session)
        if expires is None:
            return False
        if self.clock() >= expires:
            del self._expires[session]
            return False
        return True

    def close(self, session: str) -> None:
        self._expires.pop(session, None)
