"""Network and app names as people type them in a short turn: "isnta", "tiktk", "ובאינסטגם",
"ווטס", "sales navigatr", "sales nav", "navigator".

The entity finder knows the policy's names and aliases with a small typo allowance for long
ones; a short turn that names nothing it knows may still name one loosely. Here a word (or two
joined) is a name when it is one edit from an alias of five letters or more (two for long ones)
and starts with the same letter, or is the start (five letters or more) or the end (six or
more) of a longer alias, after Hebrew prefixes are peeled. It must point at one name only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rapidfuzz.distance import DamerauLevenshtein

from ..knowledge.policy import Policy
from ..text import hebrew_variants, is_hebrew, normalize

__all__ = ["LooseNames"]

MIN_ALIAS = 5
LONG_ALIAS = 8
MIN_START = 5
MIN_END = 6
MAX_WINDOW = 2


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
        forms = [word, *hebrew_variants(word, min_rest=3)] if is_hebrew(word) else [word]
        hits = {target for form in forms for key, target in self._names.items() if _close(form, key)}
        return hits.pop() if len(hits) == 1 else None


def _close(word: str, name: str) -> bool:
    if len(word) < MIN_ALIAS - 1 or word[0] != name[0] and not name.endswith(word):
        return False
    allowed = 2 if len(name) >= LONG_ALIAS else 1
    if DamerauLevenshtein.distance(word, name, score_cutoff=allowed) <= allowed:
        return True
    return (len(word) >= MIN_START and name.startswith(word)) or (
        len(word) >= MIN_END and name.endswith(word)
    )
