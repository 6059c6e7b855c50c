"""Finding the links the policy names in a message, in one linear pass.

The scan is bounded: only the first :data:`MAX_CHARS` characters are read and at most
:data:`MAX_LINKS` links looked at. A link's host is compared whole (or, for a ``*.`` pattern,
label by label from the right) with the hosts the policy lists, so a look-alike
(``faceb00k.com``, ``facebook.com.evil.example``, ``facebook.com@evil.example``, an IDN
homograph, whose ``xn--`` form differs) matches only if the policy lists it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..knowledge.policy import LinkRule

__all__ = ["MAX_CHARS", "MAX_LINKS", "Hit", "LinkScanner", "host_of"]

MAX_CHARS = 100_000
MAX_LINKS = 1_000
MAX_HOST = 253
# A link starts at http:// or https:// and runs to white space or a character no URL holds
# here (Slack wraps links in <...|label>, HTML in quotes). No nested repetition: linear time.
URL = re.compile(r"https?://([^\s<>|\"'`\\]{1,4096})", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Hit:
    """A kind of link found, and whose: a network id, or an approved app id (``app``)."""

    kind: str
    subject: str
    app: bool = False


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: LinkRule
    path: re.Pattern[str]
    weight: int


def host_of(authority: str) -> str | None:
    """The host of ``user@host:port``, lower case, an IDN in its ``xn--`` form; None when it is
    not a host name."""
    host = authority.rpartition("@")[2]
    if host.startswith("["):
        return None
    host = host.partition(":")[0].rstrip(".").lower()
    if not host or len(host) > MAX_HOST:
        return None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host


def _path_pattern(path: str) -> re.Pattern[str]:
    pieces = [re.escape(piece) for piece in path.lower().split("*")]
    return re.compile("[^/?#]{1,200}".join(pieces))


class LinkScanner:
    def __init__(self, rules: Iterable[LinkRule]) -> None:
        self._exact: dict[str, list[_Compiled]] = {}
        self._below: dict[str, list[_Compiled]] = {}
        for rule in rules:
            host, slash, path = rule.pattern.partition("/")
            compiled = _Compiled(rule, _path_pattern(slash + path), len(rule.pattern))
            if host.startswith("*."):
                host = host[2:]
                self._below.setdefault(host, []).append(compiled)
            self._exact.setdefault(host, []).append(compiled)

    def _candidates(self, host: str) -> list[_Compiled]:
        found = list(self._exact.get(host, ()))
        if self._below:
            dot = host.find(".")
            while dot != -1:
                found.extend(self._below.get(host[dot + 1 :], ()))
                dot = host.find(".", dot + 1)
        return found

    def match(self, link: str) -> LinkRule | None:
        """The rule a link (without its scheme) falls under: the longest pattern that fits."""
        end = len(link)
        for stop in "/?#":
            at = link.find(stop)
            if at != -1:
                end = min(end, at)
        host = host_of(link[:end])
        if host is None:
            return None
        rest = link[end:].lower() or "/"
        best: _Compiled | None = None
        for compiled in self._candidates(host):
            if compiled.path.match(rest) and (best is None or compiled.weight > best.weight):
                best = compiled
        return best.rule if best else None

    def scan(self, text: str) -> list[Hit]:
        """The kinds of link in ``text``, each once, in the order first seen."""
        hits: dict[tuple[str, str], Hit] = {}
        for count, found in enumerate(URL.finditer(text, 0, min(len(text), MAX_CHARS))):
            if count >= MAX_LINKS:
                break
            rule = self.match(found.group(1))
            if rule is not None:
                hits.setdefault((rule.kind, rule.subject), Hit(rule.kind, rule.subject, rule.app is not None))
        return list(hits.values())
