"""Finds the networks and apps a question names, using the policy's aliases.

Aliases are compared with spaces removed ("linked in" = "linkedin"), after Hebrew prefixes are
peeled ("ולפייסבוק" -> "פייסבוק"), and with a small typo allowance for longer names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from ..knowledge.policy import Policy
from ..text import hebrew_variants, is_hebrew, normalize, tokens

__all__ = ["Entities", "EntityFinder"]

# Short aliases ("fb", "ig") only match exactly: a typo allowance would match ordinary words.
MIN_FUZZY_LENGTH = 6
FUZZY_CUTOFF = 86.0
MAX_WINDOW = 3
CACHE_SIZE = 50_000


@dataclass(frozen=True, slots=True)
class Entities:
    network: str | None = None
    network_name: str | None = None
    network_kind: str | None = None
    app: str | None = None
    app_name: str | None = None
    domain: bool = False
    """A network, an app or a generic term such as "social media" was named."""
    checklist: bool = False
    """The question asks for a checklist ("checklist for joining a group")."""

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.network:
            found |= {"network": self.network, "network_kind": self.network_kind}
        if self.app:
            found |= {"app": self.app, "app_approved": True}
        return found


class EntityFinder:
    def __init__(
        self, policy: Policy, domain_terms: Iterable[str] = (), checklist_words: Iterable[str] = ()
    ) -> None:
        self._policy = policy
        self._aliases: dict[str, tuple[str, str]] = {}
        for term in domain_terms:
            self._add(term, ("domain", "social"))
        for word in checklist_words:
            self._add(word, ("checklist", "any"))
        for network in policy.networks:
            for alias in [network.name, network.id, *network.aliases.all()]:
                self._add(alias, ("network", network.id))
        # Apps win over networks when both fit: "LinkedIn Sales Navigator" is the app.
        for app in policy.approved_apps:
            for alias in [app.name, *app.aliases.all()]:
                self._add(alias, ("app", app.id))
        self._fuzzy_keys = [k for k in self._aliases if len(k) >= MIN_FUZZY_LENGTH]
        self._cache: dict[tuple[str, bool], tuple[str, str] | None] = {}

    def _add(self, alias: str, target: tuple[str, str]) -> None:
        key = normalize(alias).replace(" ", "")
        if key:
            self._aliases[key] = target

    def _lookup(self, key: str, fuzzy: bool) -> tuple[str, str] | None:
        if (key, fuzzy) in self._cache:
            return self._cache[(key, fuzzy)]
        if len(self._cache) >= CACHE_SIZE:
            self._cache.clear()
        found = self._cache[(key, fuzzy)] = self._resolve(key, fuzzy)
        return found

    def _resolve(self, key: str, fuzzy: bool) -> tuple[str, str] | None:
        if key in self._aliases:
            return self._aliases[key]
        if is_hebrew(key):
            for variant in hebrew_variants(key, min_rest=2):
                if variant in self._aliases:
                    return self._aliases[variant]
        if fuzzy and len(key) >= MIN_FUZZY_LENGTH:
            best = process.extractOne(key, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if best:
                return self._aliases[best[0]]
        return None

    def find(self, text: str) -> Entities:
        return self.spans(tokens(text))[0]

    def spans(self, words: list[str]) -> tuple[Entities, frozenset[int]]:
        """What the words name, and which of the words named it."""
        found: dict[str, str] = {}
        used: set[int] = set()
        i = 0
        while i < len(words):
            for size in range(min(MAX_WINDOW, len(words) - i), 0, -1):
                # Only single words get a typo allowance; joined windows must match exactly.
                hit = self._lookup("".join(words[i : i + size]), fuzzy=size == 1)
                if hit:
                    kind, ident = hit
                    if kind != "network" or kind not in found:
                        found[kind] = ident
                    used.update(range(i, i + size))
                    i += size
                    break
            else:
                i += 1
        return self._entities(found), frozenset(used)

    def of(self, network: str | None, app: str | None) -> Entities:
        """The entities of a network and an app known by id (ids the policy no longer has
        are left out)."""
        found = {k: v for k, v in (("network", network), ("app", app)) if v}
        return self._entities(found)

    def _entities(self, found: dict[str, str]) -> Entities:
        network = self._policy.network(found["network"]) if "network" in found else None
        app = self._policy.app(found["app"]) if "app" in found else None
        return Entities(
            network=network.id if network else None,
            network_name=network.name if network else None,
            network_kind=network.kind if network else None,
            app=app.id if app else None,
            app_name=app.name if app else None,
            domain=bool(found.keys() - {"checklist"}),
            checklist="checklist" in found,
        )
