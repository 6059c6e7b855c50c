"""Network and app names as people type them in a short turn: "isnta", "tiktk", "ובאינסטגם",
"ווטס", "sales navigatr", "sales nav", "navigator".

The entity finder knows the policy's names and aliases with a small typo allowance for long
ones; a short turn that names nothing it knows may still name one loosely. Here a word (or two
joined) is a name when it is one edit from an alias of five letters or more (two when both are
long) and starts with the same letter, or is the start (seven letters or more) or the end (six
or more) of a longer alias, after Hebrew prefixes are peeled; the nearest name, if no other is
as near.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz.distance import DamerauLevenshtein

from ..knowledge.policy import Policy
from ..text import hebrew_variants, is_hebrew, normalize

__all__ = ["LooseNames"]

MIN_ALIAS = 5
LONG_ALIAS = 8
MIN_START = 7
MIN_END = 6
MAX_WINDOW = 2
# A word that is only the start or the end of a name is farther from it than any typo.
PARTIAL = 3


def _key(alias: str) -> str:
    return normalize(alias).replace(" ", "")


class LooseNames:
    def __init__(self, policy: Policy) -> None:
        names: dict[str, tuple[str, str]] = {}
        for network in policy.networks:
            for alias in [network.name, network.id, *network.aliases.all()]:
                names[_key(alias)] = ("network", network.id)
        for app in policy.approved_apps:
            for alias in [app.name, *app.aliases.all()]:
                names[_key(alias)] = ("app", app.id)
        self._names = {k: v for k, v in names.items() if len(k) >= MIN_ALIAS}

    def find(self, words: Sequence[str], candidates: Iterable[int]) -> tuple[dict[str, str], set[int]]:
        """The names (kind -> id) the words at ``candidates`` name loosely, and which words."""
        open_ = set(candidates)
        found: dict[str, str] = {}
        used: set[int] = set()
        for i in sorted(open_):
            if i in used:
                continue
            for size in range(MAX_WINDOW, 0, -1):
                span = range(i, i + size)
                if not all(j in open_ and j not in used for j in span):
                    continue
                hit = self._near("".join(words[j] for j in span))
                if hit is not None and hit[0] not in found:
                    found[hit[0]] = hit[1]
                    used.update(span)
                    break
        return found, used

    def _near(self, word: str) -> tuple[str, str] | None:
        """The name nearest the word (or the word without Hebrew prefixes), if only one is."""
        forms = [word, *hebrew_variants(word, min_rest=3)] if is_hebrew(word) else [word]
        nearest: dict[tuple[str, str], int] = {}
        for form in forms:
            for key, target in self._names.items():
                distance = _distance(form, key)
                if distance is not None and distance < nearest.get(target, PARTIAL + 1):
                    nearest[target] = distance
        if not nearest:
            return None
        best = min(nearest.values())
        found = [target for target, distance in nearest.items() if distance == best]
        return found[0] if len(found) == 1 else None


def _distance(word: str, name: str) -> int | None:
    """Edits from the word to the name, PARTIAL when the word is only its start or end, None
    when it is neither close nor part of it."""
    if len(word) < MIN_ALIAS - 1 or word[0] != name[0] and not name.endswith(word):
        return None
    allowed = 2 if min(len(word), len(name)) >= LONG_ALIAS else 1
    distance = DamerauLevenshtein.distance(word, name, score_cutoff=allowed)
    if distance <= allowed:
        return distance
    if (len(word) >= MIN_START and name.startswith(word)) or (len(word) >= MIN_END and name.endswith(word)):
        return PARTIAL
    return None
