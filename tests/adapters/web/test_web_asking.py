"""Asking the policy owner from the web page: the API over HTTP, and the page in Chromium."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.adapters.web.test_web_api import conforms
from tests.adapters.web.test_web_browser import browser, page  # noqa: F401 - fixtures
from tests.webkit import WebRig

VISITOR = [("Content-Type", "application/json"), ("Cookie", "advisor_visitor=v0visitor1")]


def test_preview_send_once_and_list_mine(web: WebRig) -> None:
    body = {
        "question": "may I post this? call 054-1234567",
        "name": "Alice",
        "note": "soon",
        "key": "abcdef123456",
    }
    preview = web.post("/api/tickets/preview", body, VISITOR)
    assert preview.status == 200
    conforms(preview.json(), "TicketPreview")
    assert (preview.json()["question"], preview.json()["name"]) == ("may I post this? call [phone]", "Alice")
    assert web.service.desk.get(1) is None  # a preview sends nothing
    sent = web.post("/api/tickets", body, VISITOR)
    assert sent.status == 201 and sent.json()["number"] == 1
    conforms(sent.json(), "TicketSent")
    again = web.post("/api/tickets", body, VISITOR)
    assert again.status == 200 and again.json()["number"] == 1  # a retry: the same ticket
    stored = web.service.desk.get(1)
    assert (
        stored is not None and stored.question == "may I post this? call [phone]" and stored.channel == "web"
    )
    web.service.desk.act(1, "answer", "Dana", "No, keep it internal.", "en")
    mine = web.get("/api/tickets", VISITOR).json()["tickets"]
    assert [(t["number"], t["status"], t["answer"]) for t in mine] == [
        (1, "answered", "No, keep it internal.")
    ]
    assert web.get("/api/tickets", [("Cookie", "advisor_visitor=someone-else")]).json()["tickets"] == []
    assert web.get("/api/tickets").json()["tickets"] == []


def test_bad_requests_get_a_clear_400(web: WebRig) -> None:
    good = {"question": "may I?", "key": "abcdef123456"}
    assert web.post("/api/tickets", good).status == 400  # no visitor cookie: open the page first
    for bad in ({**good, "key": "short"}, {**good, "question": 5}, {"key": "abcdef123456"}, {**good, "x": 1}):
        assert web.post("/api/tickets", bad, VISITOR).status == 400
    empty = web.post("/api/tickets", {**good, "question": " ?! ", "lang": "he"}, VISITOR)
    assert (
        empty.status == 400 and empty.json()["field"] == "question" and "ask-owner" in empty.json()["error"]
    )
    assert web.post("/api/tickets", b"{oops", VISITOR).status == 400
    assert web.service.desk.get(1) is None


def test_a_declined_question_goes_to_the_owner_from_the_page(page, web: WebRig) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    page.goto("/")
    page.fill("#question", "what is the weather tomorrow? mail me at alex@example.com")
    page.press("#question", "Enter")
    declined = page.locator("article.answer[data-outcome=declined]")
    expect(declined).to_have_count(1)
    declined.locator("button.ask-owner").click()
    preview = declined.locator(".ask-owner .preview")
    expect(preview).to_contain_text("The policy owner will see this")
    expect(preview).to_contain_text("mail me at [email]")
    declined.locator("input[name=name]").fill("Alex")
    declined.locator("input[name=note]").fill("no rush")
    declined.locator("input[name=note]").press("Tab")
    expect(preview).to_contain_text("From: Alex")
    declined.locator("button.send").click()
    expect(declined.locator(".ask-owner .thanks")).to_contain_text("ticket #1")
    ticket = web.service.desk.get(1)
    assert (
        ticket is not None and ticket.note == "no rush" and ticket.contact and ticket.contact.name == "Alex"
    )
    assert ticket.question == "what is the weather tomorrow? mail me at [email]"
