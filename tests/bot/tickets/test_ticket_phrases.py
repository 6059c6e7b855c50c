"""The sentences about tickets: both languages, known placeholders, problems named by file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.errors import KnowledgeError
from bot.tickets.phrases import TicketPhrases, load_ticket_phrases


def test_the_shipped_sentences_load_and_fill_in() -> None:
    phrases = load_ticket_phrases(DEFAULT_KNOWLEDGE_DIR)
    assert phrases.say("sent", "en", number=7).startswith("Sent to the policy owner as ticket #7")
    assert "7" in phrases.say("sent", "he", number=7) and "פנייה" in phrases.say("sent", "he", number=7)
    for name in TicketPhrases.model_fields.keys() - {"incidents"}:
        for lang in ("en", "he"):
            assert phrases.say(name, lang, number=1, by="Dana", question="q").strip()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda text: text.replace("  he: לא נשלח דבר.\n", ""), "cancelled.he"),
        (lambda text: text.replace("ticket #{number}. I will", "ticket #{numbr}. I will"), "numbr"),
        (lambda text: text + "surprise:\n  en: x\n  he: y\n", "surprise"),
        (
            lambda text: text.replace("incidents: [account-taken-over,", "incidents: [account-taken,"),
            "incidents",
        ),
    ],
)
def test_a_broken_file_names_the_field(kb_copy: Path, change, field: str) -> None:  # type: ignore[no-untyped-def]
    path = kb_copy / "tickets.yaml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(KnowledgeError) as raised:
        load_ticket_phrases(kb_copy, {"account-taken-over", "business-info-posted", "fake-profile"})
    assert "tickets.yaml" in str(raised.value) and field in str(raised.value)
