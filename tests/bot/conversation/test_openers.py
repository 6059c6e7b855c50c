"""How a message opens: the shipped opening phrases, the words skipped before them, Hebrew
prefixes on the first word, and messages that open otherwise."""

from __future__ import annotations

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.conversation.openers import Openers
from bot.knowledge.knowledge import load_knowledge
from bot.knowledge.localized import LocalizedList


@pytest.fixture(scope="module")
def openers() -> Openers:
    cues = load_knowledge(DEFAULT_KNOWLEDGE_DIR).conversation
    assert cues is not None and cues.pushback is not None
    return Openers(cues.openers, cues.pushback.all())


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Why not? it's my own page", "why"),
        ("ok so why would that matter, it was up for a minute", "why"),
        ("what's the big deal with it", "why"),
        ("ולמה זה בכלל משנה?", "why"),
        ("אז מה הבעיה, זה היה רק שעה", "why"),
        ("so what should I do next time?", "instead"),
        ("what do we do about the posts already out there", "instead"),
        ("ואיך נמנעים מזה בפעם הבאה", "instead"),
        ("אז מה עושים עם זה עכשיו?", "instead"),
        ("wait why not? we have that for everything else", "why"),
        ("any risks i should think about?", "why"),
        ("is that actually bad or am i overreacting", "why"),
        ("so where should we focus then", "instead"),
        ("ok fine so what am i supposed to do", "instead"),
        ("אז איפה כן?", "instead"),
        ("חחח סליחה, למה זה משנה", "why"),
        ("but literally everyone on my team has it", "why"),
        ("אבל זה הפרופיל שלי", "why"),
        ("even so, it's my own page", "why"),
        ("butterfly stickers on the laptop", None),
        ("isn't more reach always better though?", "why"),
        ("אוקיי, אז איך מפרידים?", "instead"),
        ("so what do we use instead", "instead"),
        ("so how are we supposed to protect business info then", "instead"),
        ("like what other stuff", "more"),
        ("why's that any different from a professional group", "why"),
        ("do i still have to report it if it's already gone?", "why"),
        ("may I join this group?", None),
        ("whatsapp groups for suppliers, ok?", None),
        ("so", None),
        ("", None),
    ],
)
def test_the_intent_a_message_opens_with(openers: Openers, text: str, intent: str | None) -> None:
    assert openers.read(text) == intent


def test_the_longest_opening_wins() -> None:
    openers = Openers({"why": LocalizedList(en=["what"]), "instead": LocalizedList(en=["what should i"])})
    assert openers.read("what should i do") == "instead"
    assert openers.read("what is it") == "why"
