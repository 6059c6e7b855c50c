"""Text that UTF-8 cannot hold, repaired where a chat payload enters the process.

JSON may carry a lone surrogate as an escape (``"\\ud800"``), and Slack and Teams pass on what
people's clients send. Such a string cannot be written to the database, the spool or the
journal, so each adapter repairs its payload once, on arrival: every lone surrogate becomes
U+FFFD, the replacement character; everything else is left as it is.
"""

from __future__ import annotations

from typing import Any

__all__ = ["repaired"]


def _text(text: str) -> str:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Through UTF-16: a high and low surrogate next to each other become the character they
        # stand for, a lone one the replacement character.
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def repaired(value: Any) -> Any:
    """``value`` (a parsed JSON payload) with every string, keys included, repaired."""
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        return {repaired(k): repaired(v) for k, v in value.items()}
    if isinstance(value, list):
        return [repaired(v) for v in value]
    return value
