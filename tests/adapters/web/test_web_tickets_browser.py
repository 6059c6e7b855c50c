"""The dashboard's tickets page in a real browser (Debian's Chromium through Playwright)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.adapters.web.test_web_browser import ARTIFACTS, browser, page  # noqa: F401, F811 - fixtures
from tests.adapters.web.test_web_tickets import backdate, opened
from tests.webkit import WebRig, open_tickets_page


def test_the_owner_filters_assigns_and_answers_urgent_first(page, web: WebRig) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk = web.service.desk
    old = opened(desk, "a", "may I post our roadmap on LinkedIn?", topic="confidential-info")
    urgent = opened(desk, "b", "החשבון שלי נפרץ", urgent=True, topic="account-taken-over")
    opened(desk, "c", "<img src=x onerror=\"document.title='pwned'\"> may I join?", topic="join-groups")
    backdate(web, old, 3)

    open_tickets_page(page)
    rows = page.locator("tr.ticket")
    expect(rows).to_have_count(3)
    assert rows.first.get_attribute("data-number") == str(urgent)
    assert "urgent" in (rows.first.get_attribute("class") or "")
    assert page.locator("#urgent").inner_text() == "1" and page.locator("#open").inner_text() == "3"
    assert page.title() == "Advisor tickets" and page.locator("tr.ticket img").count() == 0
    desk.set_card(urgent, "slack", {"channel": "C0OWNERS", "ts": "1.2"})
    page.click("#filter button[type=submit]")
    expect(rows.first.locator("td").last).to_have_text("slack")
    assert rows.nth(1).locator("td").last.inner_text() == "–"  # not in the owners' channel yet

    page.fill("#topic-filter", "confidential-info")
    page.click("#filter button[type=submit]")
    expect(rows).to_have_count(1)
    rows.first.click()
    expect(page.locator("#detail-title")).to_contain_text(f"Ticket #{old} · open")
    page.click("#assign")
    expect(page.locator("#status")).to_have_text("Say who you are first.")
    page.fill("#by", "Dana")
    page.click("#assign")
    expect(page.locator("#detail-title")).to_contain_text("assigned")
    page.fill("#answer-text", "לא: מפת הדרכים פנימית.")
    page.select_option("#answer-lang", "he")
    page.click("#answer-form button[type=submit]")
    expect(page.locator("#detail-title")).to_contain_text("answered")
    expect(rows).to_have_count(0)  # the filter shows unfinished tickets only
    assert "assigned by Dana" in page.locator("#detail-history").inner_text()
    page.select_option("#status-filter", "")
    page.fill("#topic-filter", "")
    page.fill("#age-filter", "2d")
    page.click("#filter button[type=submit]")
    expect(rows).to_have_count(1)
    assert "Dana" in rows.first.inner_text() and "3 d" in rows.first.inner_text()
    assert page.locator("#to-answer").inner_text() == "3 d"
    stored = desk.get(old)
    assert stored is not None and stored.answer == "לא: מפת הדרכים פנימית." and stored.answer_lang == "he"
    page.fill("#age-filter", "soon")
    page.click("#filter button[type=submit]")
    expect(page.locator("#status")).to_contain_text("older_than")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tickets.png"), full_page=True)
