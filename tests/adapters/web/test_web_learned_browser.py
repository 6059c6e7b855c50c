"""Teaching the advisor from the dashboard's tickets page in a real browser (Debian's Chromium
through Playwright): an example, a refusal, and an owner's entry the page's advisor then serves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.adapters.web.test_web_browser import browser, page  # noqa: F401, F811 - fixtures
from tests.adapters.web.test_web_learned import eventually
from tests.adapters.web.test_web_tickets import opened
from tests.webkit import WebRig, open_tickets_page

LAUNCH = "may I livestream our product launch on TikTok?"


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebRig]:
    rig = WebRig(tmp_path, matcher="lexical", learned_refresh_seconds=0.2)
    yield rig
    rig.close()


def test_the_owner_adds_an_example_and_publishes_an_answer(page, web: WebRig) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    desk = web.service.desk
    alumni = opened(
        desk, "a", "is the alumni whatsapp group of my university ok to be in", topic="join-groups"
    )
    launch = opened(desk, "b", LAUNCH)
    desk.act(launch, "answer", "Dana", "No: launches stream only on our own channels.", "en")

    open_tickets_page(page)
    page.select_option("#status-filter", "")
    page.click("#filter button[type=submit]")
    rows = page.locator("tr.ticket")
    expect(rows).to_have_count(2)
    page.locator(f"tr.ticket[data-number='{alumni}']").click()
    expect(page.locator("#learn-topic")).to_have_value("join-groups")
    page.fill("#by", "Dana")
    page.fill("#learn-topic", "no-such-topic")
    page.click("#learn-example")
    expect(page.locator("#learn-status")).to_have_text("there is no topic no-such-topic")
    page.fill("#learn-topic", "join-groups")
    page.click("#learn-example")
    expect(page.locator("#learn-status")).to_have_text("Added to join-groups.")

    page.locator(f"tr.ticket[data-number='{launch}']").click()
    expect(page.locator("#learn-status")).to_have_text("")
    page.fill("#learn-variants", "can we stream the launch on tiktok\nמותר לשדר את ההשקה בטיקטוק?")
    page.select_option("#learn-verdict", "no")
    page.click("#learn-publish")
    expect(page.locator("#learn-status")).to_have_text(f"Published as owner-{launch}.")

    [example] = web.service.teacher.learned().examples
    [entry] = web.service.teacher.learned().entries
    assert (example.topic, example.by, example.ticket) == ("join-groups", "Dana", alumni)
    assert entry.variants == {
        "en": (LAUNCH, "can we stream the launch on tiktok"),
        "he": ("מותר לשדר את ההשקה בטיקטוק?",),
    }
    assert (entry.verdict, entry.answer) == ("no", {"en": "No: launches stream only on our own channels."})
    answer = eventually("can we livestream the product launch on TikTok?", f"owner-{launch}", web)
    assert (answer["topic"], answer["source"]) == (f"owner-{launch}", "Policy owner")


def test_the_owner_withdraws_what_was_learned_from_the_page(page, web: WebRig) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    teacher = web.service.teacher
    variants = {"en": [LAUNCH, "can we stream the launch on tiktok"]}
    published = teacher.publish("owner-launch", variants, {"en": "No."}, "no", "Dana")
    added = teacher.add_example("join-groups", "is the alumni whatsapp group ok to be in", "Dana")
    assert published.item is not None and added.item is not None
    eventually("can we livestream the product launch on TikTok?", "owner-launch", web)

    open_tickets_page(page)
    rows = page.locator("tr.learned-item")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("alumni whatsapp group")  # the newest first
    entry = page.locator(f"tr.learned-item[data-id='{published.item.id}']")
    expect(entry).to_contain_text(LAUNCH)
    page.fill("#by", "")
    entry.locator("button.withdraw").click()
    expect(page.locator("#learned-status")).to_have_text("Say who you are first.")
    page.fill("#by", "Eli")
    entry.locator("button.withdraw").click()
    expect(page.locator("#learned-status")).to_have_text(
        f"Withdrawn: entry {published.item.id} of owner-launch."
    )
    expect(entry).to_contain_text("withdrawn by Eli")
    expect(entry.locator("button.withdraw")).to_have_count(0)
    example = page.locator(f"tr.learned-item[data-id='{added.item.id}'] button.withdraw")
    expect(example).to_have_count(1)

    [gone] = [e for e in teacher.learned(with_withdrawn=True).entries if e.topic == "owner-launch"]
    assert gone.withdrawn is not None and gone.withdrawn.by == "Eli"
    answer = eventually("can we livestream the product launch on TikTok?", "owner-launch", web, served=False)
    assert answer["topic"] != "owner-launch"
