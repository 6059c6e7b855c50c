from __future__ import annotations

import io

from adapters.console import Console, to_text
from bot import Advisor, Outcome, Query


def scripted(lines: list[str]):  # type: ignore[no-untyped-def]
    feed = iter(lines)

    def read(prompt: str) -> str:
        try:
            return next(feed)
        except StopIteration:
            raise EOFError from None

    return read


def test_render_puts_the_verdict_first_and_the_source_last(advisor: Advisor) -> None:
    text = to_text(advisor.handle(Query("may I install the LinkedIn app on my work laptop?")))
    lines = text.splitlines()
    assert lines[0].startswith("✘ Don't")
    assert any(line.startswith("Source: the guidance, Rule 3") for line in lines)
    assert lines[-3].startswith("  1) ") and lines[-1].startswith("  3) Before you install")
    assert "\033[" not in text
    assert "\033[" in to_text(advisor.handle(Query("hi")), color=True)


def test_chat_answers_picks_options_and_quits(advisor: Advisor) -> None:
    out = io.StringIO()
    console = Console(
        advisor, scripted(["should I join this Facebook group?", "1", "quit", "never read"]), out
    )
    console.run()
    text = out.getvalue()
    assert text.count("⚠ Think first · Joining groups and communities") == 1
    assert "✘ Don't · Keep business and private accounts apart" in text
    assert "never read" not in text


def test_chat_ends_cleanly_on_end_of_input(advisor: Advisor) -> None:
    out = io.StringIO()
    Console(advisor, scripted(["hi"]), out).run()
    assert out.getvalue().endswith("\n")


def test_numbers_pick_did_you_mean_options(advisor: Advisor) -> None:
    console = Console(advisor, scripted([]), io.StringIO())
    first = console.ask("facebook")
    assert first.outcome is Outcome.CLARIFY
    picked = console.ask("2")
    assert picked.topic == first.options[1].id
    assert console.ask("9").outcome is Outcome.DECLINED


def test_a_chat_is_one_conversation_whose_follow_ups_keep_their_context(advisor: Advisor) -> None:
    from bot.conversation.scoring import conversing

    out = io.StringIO()
    lines = ["may I put the Instagram app on my work PC?", "and Hootsuite?", "למה?", "quit"]
    Console(conversing(advisor), scripted(lines), out).run()
    text = out.getvalue()
    assert "✘ Don't · Social-network apps" in text
    assert "✔ Go ahead · Social-network apps" in text and "Hootsuite is on Example Ltd." in text
    assert "קיימים כדי להקל על שיתוף והפצה" in text
    alone = io.StringIO()
    Console(conversing(advisor), scripted(["and Hootsuite?", "quit"]), alone).run()
    assert "About what?" in alone.getvalue()


def test_the_greetings_offer_is_picked_by_number_in_the_chats_conversation(advisor: Advisor) -> None:
    from bot.conversation.scoring import conversing

    out = io.StringIO()
    lines = ["1", "2", "and Hootsuite?", "quit"]
    Console(conversing(advisor), scripted(lines), out).run()
    text = out.getvalue()
    assert "  1) What the advisor can do" in text and "I answer questions about using social networks" in text
    assert "✘ Don't · Social-network apps" in text
    assert "✔ Go ahead · Social-network apps" in text and "Hootsuite is on Example Ltd." in text
