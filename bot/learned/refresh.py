"""Every replica serves what was learned within seconds, without a restart: a background
thread asks the store's version stamp every few seconds and, when it moved, merges the
knowledge base anew, builds its matcher (in the service: the shipped matcher extended, see
:func:`bot.matching.build.extend_matcher`) and hands both to the advisor whole. Answering never
waits for a build, and a build that fails leaves the advisor serving what it served."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from ..advisor import Advisor
from ..knowledge.knowledge import Knowledge
from ..matching.build import return_freed_memory
from ..matching.lexical import Matcher
from .merge import with_learned
from .records import LearnedStore

__all__ = ["Refresher"]

log = logging.getLogger(__name__)


class Refresher:
    """Keeps ``advisor`` on ``base`` plus what ``store`` holds; ``build`` makes a matcher for a
    knowledge base; ``every`` is how many seconds apart the stamp is asked."""

    def __init__(
        self,
        advisor: Advisor,
        base: Knowledge,
        store: LearnedStore,
        build: Callable[[Knowledge], Matcher],
        every: float,
    ) -> None:
        self.advisor = advisor
        self.base = base
        self.store = store
        self.build = build
        self.every = every
        self.stamp = 0
        self.last_seconds: float | None = None
        """How long the last build took."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> bool:
        """Learn what was added since the last look; True when the advisor was given more."""
        stamp = self.store.stamp()
        if stamp == self.stamp:
            return False
        started = time.perf_counter()
        knowledge = with_learned(self.base, self.store.learned())
        matcher = self.build(knowledge)
        self.advisor.adopt(knowledge, matcher)
        if self.advisor.recorder is not None:
            self.advisor.recorder.topics = frozenset(knowledge.topics)
        self.stamp = stamp
        return_freed_memory()
        self.last_seconds = time.perf_counter() - started
        log.info("learned entries served (stamp %s, built in %.2fs)", stamp, self.last_seconds)
        return True

    def start(self) -> Refresher:
        self._thread = threading.Thread(target=self._run, name="learned-refresh", daemon=True)
        self._thread.start()
        return self

    def try_refresh(self) -> bool:
        """``refresh``, a failure logged (the advisor goes on serving what it served)."""
        try:
            return self.refresh()
        except Exception:
            log.exception("learned entries not refreshed; trying again in %.0fs", self.every)
            return False

    def _run(self) -> None:
        while True:
            self.try_refresh()
            if self._stop.wait(self.every):
                return

    def close(self, timeout: float = 1.0) -> None:
        """Stop looking; a build under way is waited for at most ``timeout`` seconds (the thread
        is a daemon and ends with the process)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
