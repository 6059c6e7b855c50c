"""Each tab of the advisor's page is a conversation of its own (issue 20), in a real browser
(Debian's Chromium through Playwright): two tabs of one browser share the visitor's cookie but
not their follow-ups; a reload keeps the tab's conversation, "New conversation" starts another."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.adapters.web.test_web_browser import ask, browser, page  # noqa: F401, F811 - fixtures

RECRUITING = "✔ Go ahead · Recruiting through social networks"
ABOUT_WHAT = "About what?"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def opened(tab):  # type: ignore[no-untyped-def]
    tab.set_default_timeout(15_000)
    tab.goto("/")
    return tab


def conversation_of(tab) -> str:  # type: ignore[no-untyped-def]
    value: str = tab.evaluate("sessionStorage.getItem('advisor-conversation')")
    return value


def test_two_tabs_of_one_browser_keep_their_own_follow_ups(page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    tab_a = opened(page)
    tab_b = opened(page.context.new_page())
    assert tab_a.context.cookies() == tab_b.context.cookies() and tab_a.context.cookies()
    assert UUID.match(conversation_of(tab_a)) and UUID.match(conversation_of(tab_b))
    assert conversation_of(tab_a) != conversation_of(tab_b)

    first = ask(tab_a, "can we recruit on LinkedIn?")
    assert first.locator("h2").inner_text() == RECRUITING
    lone = ask(tab_b, "and on Instagram?")
    assert lone.get_attribute("data-outcome") == "clarify"
    assert lone.locator(".text").inner_text().startswith(ABOUT_WHAT)
    follow = ask(tab_a, "and on Instagram?")
    assert follow.get_attribute("data-outcome") == "answered"
    assert follow.locator("h2").inner_text() == RECRUITING


def test_a_reload_keeps_the_tabs_conversation_and_new_conversation_starts_afresh(page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    tab = opened(page)
    ask(tab, "can we recruit on LinkedIn?")
    before = conversation_of(tab)
    tab.reload()
    assert conversation_of(tab) == before
    assert ask(tab, "and on Instagram?").locator("h2").inner_text() == RECRUITING

    fresh = tab.get_by_role("button", name=re.compile("^New conversation"))
    assert "שיחה חדשה" in fresh.inner_text()
    fresh.click()
    expect(tab.locator("#conversation > *")).to_have_count(0)
    expect(tab.locator("#question")).to_be_focused()
    assert UUID.match(conversation_of(tab)) and conversation_of(tab) != before
    lone = ask(tab, "and on Instagram?")
    assert lone.get_attribute("data-outcome") == "clarify"
    assert tab.locator("article.answer").count() == 1


def test_a_topic_button_is_answered_in_its_tabs_conversation(page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    tab_a = opened(page)
    tab_b = opened(page.context.new_page())
    lone = ask(tab_a, "and on Instagram?")
    lone.locator("button.topic", has_text="Joining groups").click()
    expect(tab_a.locator("article.answer")).to_have_count(2)
    assert ask(tab_b, "and on Facebook?").get_attribute("data-outcome") == "clarify"
    follow = ask(tab_a, "and on Facebook?")
    assert follow.get_attribute("data-outcome") == "answered"
    assert "Joining groups" in follow.locator("h2").inner_text()


def test_an_answer_that_comes_back_after_new_conversation_stays_out_of_it(page) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    tab = opened(page)
    held: list = []  # type: ignore[type-arg]
    tab.route("**/api/ask", lambda route: held.append(route))
    tab.fill("#question", "can we recruit on LinkedIn?")
    tab.press("#question", "Enter")
    for _ in range(300):
        if held:
            break
        tab.wait_for_timeout(50)
    tab.get_by_role("button", name=re.compile("^New conversation")).click()
    with tab.expect_response("**/api/ask") as late:
        held[0].continue_()
    tab.unroute("**/api/ask")
    assert late.value.ok and late.value.json()["topic"] == "recruitment"
    lone = ask(tab, "and on Instagram?")
    assert lone.get_attribute("data-outcome") == "clarify"
    expect(tab.locator("article.answer")).to_have_count(1)
    assert tab.locator(".question").all_inner_texts() == ["and on Instagram?"]
