"""How a message opens: "why not, it's my own account", "so what should I do next time?",
"אז איך נמנעים מזה?" ask why, or what to do instead, about what was just said, whatever words
follow. A message read so leans on the context only when the matcher is not sure it is a
question about another topic (:mod:`bot.conversation.followups`); "why can't I install apps at
work?" after a question about groups is matched as the question it is.

The opening phrases are data (``openers`` in ``knowledge/conversation.yaml``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from ..knowledge.localized import LocalizedList
from ..text import hebrew_variants, is_hebrew, tokens
from .cues import EDGE_WORDS, EDGE_WORDS_HE, Intent, Reading

__all__ = ["Opening", "Openers"]

CLAUSES = re.compile(r"[,;:.!?\n]+|\s[-–—]\s")
# Words a message may start with before its opening ("ok so why...", "אז למה...").
LEADING = (
    EDGE_WORDS
    | EDGE_WORDS_HE
    | {"yeah", "yes", "no", "hm", "wait", "fine", "hey", "um", "uh", "ah", "lol", "haha", "sorry", "alright"}
    | {"right", "כן", "לא", "רגע", "חחח", "סליחה", "וואלה"}
)


@dataclass(frozen=True, slots=True)
class Opening:
    """The intent a message opens with, the clause that opens with it, and whether that
    clause is the message's first."""

    intent: Intent
    clause: str
    first: bool

    def leans(self, reading: Reading, read: Callable[[str], Reading]) -> bool:
        """Whether the opening leans on the previous topic whatever the matcher finds: its
        clause points back ("how come it spread so fast?"), or it opens the message and the
        message (``reading``) points back ("why not everywhere, it's free") or the clause is a
        whole follow-up, the words after it arguing with the answer ("why not tho, more
        followers = more sales"). An opening in a later clause leans only by its own clause
        ("we want this announcement to go viral, what should we do?" asks about viral
        promotion)."""
        said = read(self.clause)
        return said.deixis or (self.first and (reading.deixis or said.intent == self.intent))


class Openers:
    def __init__(self, phrases: Mapping[Intent, LocalizedList], pushback: Iterable[str] = ()) -> None:
        """``pushback``: words a message pushing back on the answer opens with ("but ...");
        such a message asks why, whatever follows."""
        found = {
            (kind, tuple(tokens(p)))
            for kind, localized in phrases.items()
            for p in localized.all()
            if tokens(p)
        }
        # The longest opening first: "what should i do" (instead) before "what" anything.
        self._phrases = sorted(found, key=lambda kp: -len(kp[1]))
        self._pushback = {tuple(tokens(p)) for p in pushback if tokens(p)}

    def read(self, text: str) -> Intent | None:
        """The intent the message, or a clause of it, opens with ("it was up for ten minutes,
        why is that a big deal?"), if any."""
        found = self.find(text)
        return found.intent if found else None

    def find(self, text: str) -> Opening | None:
        """The intent a clause opens with: an opening phrase first, else words of pushback
        ("ugh, can't I just be careful?")."""
        clauses = CLAUSES.split(text)
        for i, clause in enumerate(clauses):
            found = self._opening(clause)
            if found is not None:
                return Opening(found, clause, first=i == 0)
        for i, clause in enumerate(clauses):
            words = tokens(clause)
            if any(tuple(words[: len(p)]) == p for p in self._pushback):
                return Opening("why", clause, first=i == 0)
        return None

    def _opening(self, text: str) -> Intent | None:
        """The opening phrase at the start, or after words such as "ok", "so" (which an
        opening phrase may hold too: "so how do we")."""
        words = tokens(text)
        start = 0
        while start < len(words) - 1 and words[start] in LEADING:
            start += 1
        for at in range(start + 1):
            found = self._phrase_at(words[at:])
            if found is not None:
                return found
        return None

    def _phrase_at(self, words: list[str]) -> Intent | None:
        if not words:
            return None
        firsts = {words[0], *(hebrew_variants(words[0], min_rest=2) if is_hebrew(words[0]) else ())}
        for kind, phrase in self._phrases:
            if phrase[0] in firsts and tuple(words[1 : len(phrase)]) == phrase[1:]:
                return kind
        return None
