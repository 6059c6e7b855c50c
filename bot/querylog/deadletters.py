"""Log records the store refused one by one while it was reachable: kept, not retried.

A record can be refused for what it holds (text a database cannot take, a value over a column's
limit), not because the database is away; retrying it would stop every record behind it. It is
appended to a JSON lines file beside the spool, with the reason, for a person to look at; the
writer counts it and goes on. The file is ASCII (``\\u`` escapes), so any text fits in it.
Erasure and retention reach it like the spool (:meth:`~bot.querylog.spool.Spool.discard`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from .records import LogRecord
from .spool import Spool, to_json

__all__ = ["DeadLetters", "dead_letters_beside"]


def dead_letters_beside(spool: Path) -> Path:
    return spool.with_name("dead-letters.jsonl")


class DeadLetters(Spool):
    def add(self, records: Sequence[LogRecord], reason: str) -> None:
        lines = [
            json.dumps({**json.loads(to_json(r, ascii_only=True)), "reason": reason}, ensure_ascii=True)
            for r in records
        ]
        with self._locked() as handle:
            handle.write("".join(line + "\n" for line in lines))
            handle.flush()
            os.fsync(handle.fileno())
