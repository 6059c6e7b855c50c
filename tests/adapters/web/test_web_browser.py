"""The advisor page and the dashboard in a real browser: Playwright driving Debian's Chromium
(no browser download). Screenshots of both pages are written to test-artifacts/."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.paths import ROOT
from tests.webkit import ADMIN_TOKEN, WebRig

ARTIFACTS = Path(os.environ.get("ADVISOR_ARTIFACTS", ROOT / "test-artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("ADVISOR_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium is required (ADVISOR_REQUIRE_BROWSER=1) but was not found")
        pytest.skip("Chromium is not installed here; CI installs Debian's chromium and runs these tests")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, web: WebRig) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        base_url=web.base, accept_downloads=True, viewport={"width": 1100, "height": 900}
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def ask(page, question: str):  # type: ignore[no-untyped-def]
    count = page.locator("article.answer").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    expect(page.locator("article.answer")).to_have_count(count + 1)
    return page.locator("article.answer").last


def test_ask_in_english_and_hebrew_and_follow_up(page, web: WebRig) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    english = ask(page, "may I install the LinkedIn app on my work laptop?")
    assert english.locator("h2").inner_text().startswith("✘ Don't · Social-network apps")
    assert english.evaluate("node => getComputedStyle(node).direction") == "ltr"
    hebrew = ask(page, "ולהצטרף לקבוצה בLinkedIn?")
    assert hebrew.get_attribute("lang") == "he"
    assert hebrew.evaluate("node => getComputedStyle(node).direction") == "rtl"
    assert "אפשר" in hebrew.locator("h2").inner_text()
    question_bubble = page.locator(".question").last
    assert question_bubble.evaluate("node => getComputedStyle(node).direction") == "rtl"
    hebrew.locator("button.topic").first.click()
    expect(page.locator("article.answer")).to_have_count(3)
    follow = page.locator("article.answer").last
    assert follow.get_attribute("lang") == "he"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "advisor-page.png"), full_page=True)


def test_user_text_is_never_markup(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    ask(page, "<img src=x onerror=\"document.title='pwned'\"> should I join a group?")
    assert page.title() == "Advisor"
    assert page.locator(".question img").count() == 0
    assert "<img" in page.locator(".question").last.inner_text()


def test_tick_a_checklist_to_the_end(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    answer = ask(page, "checklist for joining a group")
    boxes = answer.locator("input[type=checkbox]")
    assert boxes.count() == 5
    for index in (0, 2, 3):
        boxes.nth(index).check()
    answer.locator("button.done").click()
    expect(page.locator("article.answer")).to_have_count(2)
    summary = page.locator("article.answer").last
    assert "You left 2 of 5 unticked" in summary.inner_text()
    assert summary.locator(".missed li").count() == 2


def test_feedback_counts_on_the_dashboard_with_login_filter_and_csv(page, web: WebRig) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    answer = ask(page, "should I join this Facebook group?")
    answer.locator("button.helpful").click()
    answer.locator(".thanks").wait_for()
    ask(page, "what is the weather tomorrow")
    web.service.writer.flush(5)

    page.goto("/admin")
    page.fill("#token", "wrong-token")
    with page.expect_response(lambda r: r.url.endswith("/admin/login")) as wrong:
        page.click("button[type=submit]")
    assert wrong.value.status == 401
    page.fill("#token", ADMIN_TOKEN)
    page.click("button[type=submit]")
    page.locator("#topics td").first.wait_for()
    assert page.locator("#total").inner_text() == "2"
    topics = page.locator("#topics").inner_text()
    assert "join-groups" in topics and "100%" in topics
    assert "what is the weather tomorrow" in page.locator("#unanswered").inner_text()
    assert page.locator("#chart").evaluate("img => img.naturalWidth") > 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    page.fill("#since", "2020-01-01")
    page.fill("#until", "2020-01-31")
    with page.expect_response(lambda r: "/api/admin/report?" in r.url):
        page.click("#period button[type=submit]")
    expect(page.locator("#total")).to_have_text("0")
    page.fill("#until", "2100-01-01")
    page.click("#period button[type=submit]")
    expect(page.locator("#status")).to_contain_text("at most a year apart")
    today = date.today()
    page.fill("#since", (today - timedelta(days=30)).isoformat())
    page.fill("#until", (today + timedelta(days=1)).isoformat())
    page.click("#period button[type=submit]")
    expect(page.locator("#total")).to_have_text("2")
    expect(page.locator("#status")).to_have_text("")
    with page.expect_download() as download:
        page.click("#csv")
    path = download.value.path()
    text = Path(path).read_text(encoding="utf-8")
    assert text.startswith("section,key,count,extra") and "per_channel,web,2," in text
