"""Messages acknowledged and not yet safely handed on, in files on local disk.

Slack gets its acknowledgement before the database has heard of a message: the claim that keeps
it for another replica to take over lands milliseconds later (seconds, when the database is
slow). A process killed in that gap would leave a message that nobody answers, and Slack does
not send an acknowledged message again. So a question is appended to a journal file before it
is acknowledged and forgotten once it has been answered and let go of. A process that starts
takes over the files of processes that died (each live process holds a lock on its own files)
and answers what they hold; the delivery claim in the database keeps a message that was answered
elsewhere from being answered twice.

Appends are not synced to the disk: they survive the process being killed, not the machine
losing power. A process writes to one file at a time, starts a new one every ``rotate_seconds``,
marks forgotten messages in the file that holds them, and deletes a file as soon as every message
in it has been forgotten: no question stays on disk once it is answered. Entries older than
``max_age_seconds`` are not answered at a takeover (a reply hours later would only confuse).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SLACK_JOURNAL", "Journal"]

# Where, under the data directory, the Slack adapter journals its messages.
SLACK_JOURNAL = Path("journal") / "slack"

log = logging.getLogger(__name__)


@dataclass(eq=False)
class _File:
    path: Path
    fd: int
    opened: float
    pending: int = 0


def _line(data: dict[str, Any]) -> bytes:
    """One JSON line in UTF-8; text UTF-8 cannot hold (a lone surrogate, which JSON from Slack
    may carry as an escape) is kept escaped, as it came."""
    line = json.dumps(data, ensure_ascii=False) + "\n"
    try:
        return line.encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(data) + "\n").encode("ascii")


class Journal:
    """``add(key, entry)`` before acknowledging, ``done(keys)`` once let go of; ``open()`` at
    start takes over dead processes' files and returns their entries (already journaled again
    here), ``close()`` at a clean stop."""

    def __init__(
        self,
        directory: Path,
        rotate_seconds: float = 10.0,
        max_age_seconds: float = 3600.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.directory = directory
        self.rotate_seconds = rotate_seconds
        self.max_age_seconds = max_age_seconds
        self.clock = clock
        self.enabled = False
        self.failures = 0
        self._current: _File | None = None
        self._files: list[_File] = []
        self._where: dict[str, _File] = {}

    def __len__(self) -> int:
        """Messages journaled and not yet done."""
        return len(self._where)

    def open(self) -> list[dict[str, Any]]:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            taken = self._take_over()
        except OSError as exc:
            log.warning(
                "message journal unavailable in %s (%s): a replica killed before its claims land "
                "loses the messages it had acknowledged",
                self.directory,
                exc,
            )
            return []
        self.enabled = True
        entries: list[dict[str, Any]] = []
        seen: set[str] = set()
        stale = 0
        # Oldest first, each message once (a takeover cut short can leave it in two files).
        for entry in sorted((e for _, lines in taken for e in lines), key=lambda e: float(e["at"])):
            key = entry["key"]
            if key in seen:
                continue
            seen.add(key)
            if self.clock() - float(entry["at"]) > self.max_age_seconds:
                stale += 1
                continue
            self._keep(entry)
            entries.append(entry)
        _let_go(taken)
        if taken:
            log.warning(
                "took over %d journal file(s) of stopped processes: %d message(s) to answer, "
                "%d too old to answer",
                len(taken),
                len(entries),
                stale,
            )
        return entries

    def discard(self, drop: Callable[[dict[str, Any]], bool]) -> int:
        """Remove the entries ``drop`` picks from the files of stopped processes (for the policy
        owner's erasure commands: a question left there would be answered and logged again at
        the next start); the others stay for that start to answer. A live process's files are
        left alone: it is answering them. How many entries went."""
        if not self.directory.is_dir():
            return 0
        taken = self._take_over()
        self.enabled = True
        removed = 0
        for _, entries in taken:
            for entry in entries:
                if drop(entry):
                    removed += 1
                else:
                    self._keep(entry)
        _let_go(taken)
        self.close()
        return removed

    def _keep(self, entry: dict[str, Any]) -> None:
        """Journal an entry read from another file again, here, with its original time."""
        self.add(entry["key"], {k: v for k, v in entry.items() if k not in ("key", "at")}, at=entry["at"])

    def add(self, key: str, entry: dict[str, Any], at: float | None = None) -> None:
        if not self.enabled or key in self._where:
            return
        line = _line({"key": key, "at": self.clock() if at is None else at, **entry})
        try:
            handle = self._writable()
            os.write(handle.fd, line)
        except OSError as exc:
            self.failures += 1
            if self.failures % 1000 == 1:
                log.warning("could not journal a message (%s; %d so far)", exc, self.failures)
            return
        handle.pending += 1
        self._where[key] = handle

    def done(self, keys: Iterable[str]) -> None:
        """Forget these messages; a file still holding others records them as done (one line
        per file), so a takeover answers exactly what was pending."""
        finished: dict[_File, list[str]] = {}
        for key in keys:
            handle = self._where.pop(key, None)
            if handle is not None:
                handle.pending -= 1
                finished.setdefault(handle, []).append(key)
        for handle, done in finished.items():
            if handle.pending == 0:  # no file outlives its messages (a new one comes with the next)
                self._drop(handle)
                continue
            try:
                os.write(handle.fd, _line({"done": done}))
            except OSError:
                self.failures += 1  # answered once more after a crash, at worst (the claim stops it)

    def close(self) -> None:
        """A clean stop: files with nothing pending go; the others stay for the next start."""
        for handle in list(self._files):
            if handle.pending == 0:
                self._drop(handle)
            else:
                os.close(handle.fd)
        self._files.clear()
        self._where.clear()
        self._current = None
        self.enabled = False

    # -- files ------------------------------------------------------------------------------

    def _old(self, handle: _File) -> bool:
        return time.monotonic() - handle.opened >= self.rotate_seconds

    def _writable(self) -> _File:
        current = self._current
        if current is not None and not self._old(current):
            return current
        fresh = self._new_file()
        self._current = fresh
        if current is not None and current.pending == 0:
            self._drop(current)
        return fresh

    def _new_file(self) -> _File:
        """Created under a name no one takes over, locked, then renamed: a starting process never
        sees a file whose owner does not hold its lock yet."""
        name = f"{os.getpid()}-{uuid.uuid4().hex}"  # unique: in a container every process is pid 1
        draft = self.directory / f"{name}.new"
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            path = self.directory / f"{name}.jsonl"
            os.rename(draft, path)
        except OSError:
            os.close(fd)
            _unlink(draft)
            raise
        handle = _File(path, fd, time.monotonic())
        self._files.append(handle)
        return handle

    def _drop(self, handle: _File) -> None:
        # Deleted while still locked, so no starting process takes over a file being dropped.
        _unlink(handle.path)
        os.close(handle.fd)
        if handle in self._files:
            self._files.remove(handle)
        if handle is self._current:
            self._current = None

    def _take_over(self) -> list[tuple[_File, list[dict[str, Any]]]]:
        """The files whose owners are gone (their lock is free), with their entries; locked now."""
        mine = {handle.path for handle in self._files}
        taken = []
        for path in sorted(self.directory.iterdir()):
            if path in mine or path.suffix not in (".jsonl", ".new"):
                continue
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue  # its process is alive
            if os.fstat(fd).st_nlink == 0:  # dropped by its owner while this looked at it
                os.close(fd)
                continue
            taken.append((_File(path, fd, time.monotonic()), _entries(fd)))
        return taken


def _let_go(taken: list[tuple[_File, list[dict[str, Any]]]]) -> None:
    """Remove the files taken over (their entries are journaled again elsewhere) and unlock them."""
    for handle, _ in taken:
        _unlink(handle.path)
        os.close(handle.fd)


def _entries(fd: int) -> list[dict[str, Any]]:
    """A file's entries not marked done; a line cut short by the kill (or otherwise unreadable)
    is skipped."""
    with os.fdopen(os.dup(fd), "rb") as reader:
        data = reader.read()
    entries: dict[str, dict[str, Any]] = {}
    for raw in data.splitlines():
        try:
            entry = json.loads(raw)
        except (ValueError, UnicodeDecodeError, RecursionError):
            continue
        if not isinstance(entry, dict):
            continue
        if isinstance(entry.get("done"), list):
            for key in entry["done"]:
                if isinstance(key, str):
                    entries.pop(key, None)
        elif isinstance(entry.get("key"), str) and isinstance(entry.get("at"), int | float):
            entries.setdefault(entry["key"], entry)
    return list(entries.values())


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
