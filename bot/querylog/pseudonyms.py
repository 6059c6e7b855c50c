"""Keyed pseudonyms for platform ids: the log stores HMAC-SHA256(key, kind:id), never the id."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from ..errors import ConfigError

__all__ = ["Pseudonymizer", "load_or_create_key"]

MIN_KEY_BYTES = 16


class Pseudonymizer:
    """Turns a raw id into a stable pseudonym; the same id and key always give the same one."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_BYTES:
            raise ConfigError(f"the pseudonym key must be at least {MIN_KEY_BYTES} bytes long")
        self._key = key

    def __call__(self, kind: str, raw: str | None) -> str | None:
        """``kind`` separates id spaces ("user", "workspace", "conversation")."""
        if raw is None or raw == "":
            return None
        # "surrogatepass": an id holding a lone surrogate still gets its own, stable pseudonym.
        digest = hmac.new(
            self._key, f"{kind}:{raw}".encode("utf-8", "surrogatepass"), hashlib.sha256
        ).hexdigest()
        return digest[:32]


def load_or_create_key(path: Path) -> bytes:
    """The development key kept beside the SQLite file: created once, readable by its owner only."""
    if path.exists():
        key = path.read_text(encoding="ascii").strip().encode()
        if len(key) >= MIN_KEY_BYTES:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32).encode()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.decode())
    return key
