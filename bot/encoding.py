"""Text every store can hold: the one repair applied where text enters the core.

A lone surrogate (``\\ud800``; also what Python makes of bytes that are not UTF-8 in a command
line argument, ``\\udcff``) cannot be encoded as UTF-8, so a database, the spool file or a JSON
payload refuses the whole record that holds it; PostgreSQL refuses NUL in text. A lone
surrogate becomes U+FFFD, the replacement character, and NUL is dropped, once, at the
boundary, so nothing downstream meets either.
"""

from __future__ import annotations

import re

__all__ = ["REPLACEMENT", "repair"]

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def repair(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD and NUL dropped; otherwise unchanged."""
    return _SURROGATE.sub(REPLACEMENT, text.replace("\x00", ""))
