"""Per-client limits on the web API and the dashboard login, kept in memory.

Each process counts on its own: behind a load balancer with N replicas a client gets up to N
times the rate, and a locked-out client may try again on another replica (which locks it out
in turn). That bounds a guessing attack well enough for a token of 16 characters or more.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["LoginGuard", "RateLimit"]

# Clients remembered at most; past it the idle ones are forgotten.
MAX_CLIENTS = 10_000
LONGEST_LOCKOUT_SECONDS = 24 * 3600.0


class RateLimit:
    """A token bucket per client: ``burst`` requests at once, then ``rate`` per second."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, client: str) -> float:
        """0 when the request may go ahead; else the seconds until it may."""
        now = self.clock()
        if len(self._buckets) > MAX_CLIENTS:
            full = self.burst / self.rate
            self._buckets = {k: v for k, v in self._buckets.items() if now - v[1] < full}
        tokens, then = self._buckets.get(client, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - then) * self.rate)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens - 1.0, now)
        return 0.0


@dataclass
class _Record:
    failures: int = 0
    lockouts: int = 0
    locked_until: float = 0.0
    last: float = 0.0


class LoginGuard:
    """Wrong logins per client: after ``failures`` of them the client is locked out for
    ``lockout`` seconds, twice as long after each further round (at most a day). A right login
    clears the count; a lockout ends by itself."""

    def __init__(self, failures: int, lockout: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.failures, self.lockout, self.clock = failures, lockout, clock
        self._records: dict[str, _Record] = {}

    def wait(self, client: str) -> float:
        """Seconds the client is still locked out for (0: it may try)."""
        record = self._records.get(client)
        return max(0.0, record.locked_until - self.clock()) if record else 0.0

    def failed(self, client: str) -> None:
        now = self.clock()
        if len(self._records) > MAX_CLIENTS:
            self._records = {k: r for k, r in self._records.items() if now - r.last < LONGEST_LOCKOUT_SECONDS}
        record = self._records.setdefault(client, _Record())
        record.failures += 1
        record.last = now
        if record.failures >= self.failures:
            record.locked_until = now + min(self.lockout * 2**record.lockouts, LONGEST_LOCKOUT_SECONDS)
            record.lockouts += 1
            record.failures = 0

    def succeeded(self, client: str) -> None:
        self._records.pop(client, None)
