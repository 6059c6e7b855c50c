"""A file of log records waiting for the database: appended durably, replayed in order.

Several processes may share a data directory (a server and an ``advisor ask``), so every
operation holds an exclusive lock on the file.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, fields
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from .records import ChecklistRecord, FeedbackRecord, LogRecord, QuestionRecord

__all__ = ["Spool", "from_json", "is_writable", "to_json"]

KINDS: dict[str, type[Any]] = {
    "question": QuestionRecord,
    "feedback": FeedbackRecord,
    "checklist": ChecklistRecord,
}
TIME_FIELDS = {"asked_at", "at"}


def to_json(record: LogRecord, ascii_only: bool = False) -> str:
    kind = next(k for k, cls in KINDS.items() if isinstance(record, cls))
    data = asdict(record)
    for name in TIME_FIELDS & data.keys():
        data[name] = data[name].isoformat()
    return json.dumps({"kind": kind, **data}, ensure_ascii=ascii_only)


def is_writable(record: LogRecord) -> bool:
    """Whether the record can be written as UTF-8 (a lone surrogate cannot)."""
    try:
        to_json(record).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def from_json(line: str) -> LogRecord:
    data = json.loads(line)
    cls = KINDS[data.pop("kind")]
    for name in TIME_FIELDS & data.keys():
        data[name] = datetime.fromisoformat(data[name])
    names = {f.name for f in fields(cls)}
    for name in ("runners_up", "missed"):
        if name in data:
            data[name] = tuple(tuple(v) if isinstance(v, list) else v for v in data[name])
    return cls(**{k: v for k, v in data.items() if k in names})  # type: ignore[no-any-return]


class Spool:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def _locked(self) -> Iterator[IO[str]]:
        with open(self.path, "a+", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield handle
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def append(self, records: Sequence[LogRecord]) -> None:
        with self._locked() as handle:
            handle.write("".join(to_json(r) + "\n" for r in records))
            handle.flush()
            os.fsync(handle.fileno())

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with self._locked() as handle:
            handle.seek(0)
            return sum(1 for line in handle if line.strip())

    def discard(self, doomed: Callable[[LogRecord], bool]) -> int:
        """Remove waiting records that must not be written (erasure, retention); returns how many."""
        if not self.path.exists():
            return 0
        with self._locked() as handle:
            handle.seek(0)
            lines = [line for line in handle if line.strip()]
            keep = []
            for line in lines:
                try:
                    if doomed(from_json(line)):
                        continue
                except (ValueError, KeyError, TypeError):
                    pass
                keep.append(line)
            handle.seek(0)
            handle.truncate(0)
            handle.write("".join(keep))
            handle.flush()
            os.fsync(handle.fileno())
            return len(lines) - len(keep)

    @contextmanager
    def draining(self) -> Iterator[list[LogRecord]]:
        """The spooled records, removed only if the ``with`` block completes.

        A line that cannot be parsed (a torn write at a crash) is skipped, not fatal.
        """
        with self._locked() as handle:
            handle.seek(0)
            records = []
            for line in handle:
                if line.strip():
                    try:
                        records.append(from_json(line))
                    except (ValueError, KeyError, TypeError):
                        continue
            yield records
            handle.truncate(0)
            handle.flush()
            os.fsync(handle.fileno())
