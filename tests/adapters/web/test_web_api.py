"""The web page's JSON API and the dashboard API, validated against adapters/web/openapi.yaml."""

from __future__ import annotations

import csv
import io
import logging
import re
import time
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from openapi_spec_validator import validate

from tests.paths import ROOT
from tests.webkit import ADMIN_TOKEN, WebRig

SPEC = yaml.safe_load((ROOT / "adapters" / "web" / "openapi.yaml").read_text())
BEARER = [("Authorization", f"Bearer {ADMIN_TOKEN}")]


def conforms(data: Any, schema: str) -> None:
    resolver_schema = {"$ref": f"#/components/schemas/{schema}", "components": SPEC["components"]}
    jsonschema.validate(data, resolver_schema)


def test_the_openapi_file_is_valid_and_covers_every_api_route(web: WebRig) -> None:
    validate(SPEC)
    served = {
        r.resource.canonical for r in web.app.router.routes() if r.resource.canonical.startswith("/api/")
    }
    documented = set(SPEC["paths"]) | {"/api/openapi.yaml"}
    assert served == documented
    assert web.get("/api/openapi.yaml").status == 200


def test_ask_in_english_and_hebrew(web: WebRig) -> None:
    english = web.post("/api/ask", {"question": "may I install the LinkedIn app on my work laptop?"})
    assert english.status == 200
    view = english.json()
    conforms(view, "Answer")
    assert (view["topic"], view["verdict"], view["lang"]) == ("install-apps", "no", "en")
    assert view["checklist"] == {
        "id": "install-app",
        "title": "Before you install or connect a social-network app",
        "kind": "checklist",
    }
    assert english.headers["Content-Security-Policy"].startswith("default-src 'self'")
    hebrew = web.post("/api/ask", {"question": "ולהצטרף לקבוצה בלינקדאין?"}).json()
    conforms(hebrew, "Answer")
    assert hebrew["lang"] == "he" and hebrew["verdict"] == "yes" and hebrew["labels"]["helpful"] == "עזר לי"
    web.service.writer.flush(5)
    from tests.slackkit import EVER

    assert [q.channel for q in web.service.store.questions(*EVER)] == ["web", "web"]


def test_topic_pick_feedback_and_checklists(web: WebRig) -> None:
    asked = web.post("/api/ask", {"question": "facebook"}).json()
    assert asked["outcome"] == "clarify"
    picked = web.post("/api/topic", {"topic": asked["options"][0]["id"], "reply_to": asked["id"]}).json()
    conforms(picked, "Answer")
    result = web.post(
        "/api/feedback", {"question_id": picked["id"], "helpful": True, "comment": "call 054-1234567"}
    )
    assert result.status == 200
    conforms(result.json(), "FeedbackResult")
    listed = web.get("/api/checklists?lang=he").json()
    conforms(listed, "Answer")
    assert len(listed["options"]) == 6 and listed["lang"] == "he"
    steps = web.get("/api/checklists/join-group").json()
    conforms(steps, "Answer")
    done = web.post("/api/checklists/join-group/done", {"ticked": ["network-kind", "who-sees"]}).json()
    conforms(done, "Answer")
    assert [m["id"] for m in done["missed"]] == ["business-profile", "members-learn", "leave-if-mixed"]
    web.service.writer.flush(5)
    from tests.slackkit import EVER

    feedback = web.service.store.feedback(*EVER)
    assert {f.picked for f in feedback} == {asked["options"][0]["id"], None}
    assert any(f.comment == "call [phone]" for f in feedback)


@pytest.mark.parametrize(
    ("path", "body", "headers", "status"),
    [
        ("/api/ask", b"not json", None, 400),
        ("/api/ask", b"[1, 2]", None, 400),
        ("/api/ask", b'"text"', None, 400),
        ("/api/ask", {"question": 5}, None, 400),
        ("/api/ask", {"question": "hi", "extra": 1}, None, 400),
        ("/api/ask", {"question": "hi", "lang": "fr"}, None, 400),
        ("/api/ask", {}, None, 400),
        ("/api/ask", {"question": "x" * 5001}, None, 400),
        ("/api/ask", {"question": "hi"}, [("Content-Type", "text/plain")], 415),
        ("/api/ask", b'{"question": "' + b"x" * (1024 * 1024) + b'"}', None, 413),
        ("/api/topic", {"topic": "no-such-topic"}, None, 404),
        ("/api/topic", {"topic": ""}, None, 400),
        ("/api/feedback", {"question_id": "abc"}, None, 400),
        ("/api/feedback", {"question_id": "abc", "helpful": "yes"}, None, 400),
        ("/api/feedback", {"question_id": "mail me a.b@example.com 054-1234567", "helpful": True}, None, 400),
        (
            "/api/feedback",
            {"question_id": "0" * 32, "picked": "mail me a.b@example.com 054-1234567"},
            None,
            400,
        ),
        ("/api/feedback", {"question_id": "0" * 32, "picked": "0541234567"}, None, 400),
        ("/api/checklists/nope/done", {"ticked": []}, None, 404),
        ("/api/checklists/join-group/done", {"ticked": "all"}, None, 400),
        ("/api/ask", b"[" * 100_000, None, 400),
        ("/api/ask", b"\xff\xfe", None, 400),
    ],
)
def test_bad_requests_get_a_clear_4xx(web: WebRig, path: str, body: Any, headers: Any, status: int) -> None:
    reply = web.post(path, body, headers)
    assert reply.status == status, reply.body[:200]
    conforms(reply.json(), "Error")
    assert reply.json()["error"]


def test_unknown_checklist_lists_the_others(web: WebRig) -> None:
    reply = web.get("/api/checklists/no-such-list")
    assert reply.status == 404
    conforms(reply.json(), "Error")
    assert len(reply.json()["checklists"]) == 6


def test_the_page_never_inserts_text_as_html() -> None:
    static = ROOT / "adapters" / "web" / "static"
    for script in static.glob("*.js"):
        code = script.read_text(encoding="utf-8")
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", code), (
            script.name
        )
    for page in static.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "<script>" not in html and "onclick" not in html.lower(), page.name


def test_the_dashboard_is_off_without_a_token(tmp_path: Path) -> None:
    rig = WebRig(tmp_path, admin_token=None)
    try:
        assert rig.get("/admin").status == 404
        assert rig.get("/api/admin/report", BEARER).status == 404
        assert rig.get("/").status == 200
    finally:
        rig.close()


def test_the_dashboard_answers_nothing_without_credentials(web: WebRig) -> None:
    for path in ("/api/admin/report", "/api/admin/report.csv", "/api/admin/chart.svg"):
        assert web.get(path).status == 401
        assert web.get(path, [("Authorization", "Bearer wrong")]).status == 401
        assert web.get(path, [("Cookie", "advisor_admin=forged")]).status == 401
    login_page = web.get("/admin")
    assert login_page.status == 200 and b'name="token"' in login_page.body
    wrong = web.post("/admin/login", b"token=wrong", [("Content-Type", "application/x-www-form-urlencoded")])
    assert wrong.status == 401
    right = web.post(
        "/admin/login",
        f"token={ADMIN_TOKEN}".encode(),
        [("Content-Type", "application/x-www-form-urlencoded")],
    )
    assert right.status == 303
    cookie = right.headers["Set-Cookie"]
    assert (
        "HttpOnly" in cookie
        and "Secure" in cookie
        and "SameSite=Strict" in cookie
        and ADMIN_TOKEN not in cookie
    )
    session = cookie.split(";")[0]
    assert web.get("/api/admin/report", [("Cookie", session)]).status == 200
    assert b"Advisor dashboard" in web.get("/admin", [("Cookie", session)]).body


def test_the_report_api_matches_the_report(web: WebRig) -> None:
    for question in (
        "should I join this facebook group?",
        "what is the weather",
        "whats the weather tomorrow",
    ):
        web.post("/api/ask", {"question": question})
    web.service.writer.flush(5)
    report = web.get("/api/admin/report", BEARER)
    assert report.status == 200
    data = report.json()
    conforms(data, "Report")
    assert data["questions"] == 3 and data["per_channel"] == {"web": 3}
    assert data["unanswered"][0]["count"] == 2 and "examples:" in data["unanswered"][0]["snippet"]
    rows = list(csv.reader(io.StringIO(web.get("/api/admin/report.csv", BEARER).body.decode())))
    assert rows[0] == ["section", "key", "count", "extra"] and ["per_channel", "web", "3", ""] in rows
    svg = web.get("/api/admin/chart.svg", BEARER)
    assert svg.status == 200 and svg.body.startswith(b"<svg") and b"<rect" in svg.body
    assert web.get("/api/admin/report?since=2026-13-01", BEARER).status == 400
    assert web.get("/api/admin/report?since=2026-11-20&until=2026-11-01", BEARER).status == 400
    old = web.get("/api/admin/report?since=2020-01-01&until=2020-01-07", BEARER).json()
    assert old["questions"] == 0 and len(old["per_day"]) == 7


def test_metrics(web: WebRig) -> None:
    web.post("/api/ask", {"question": "should I join this facebook group?"})
    web.post("/api/ask", {"question": "what is the weather"})
    web.post("/api/ask", b"broken")
    text = web.get("/metrics").body.decode()
    assert 'advisor_questions_total{channel="web",outcome="answered"} 1.0' in text
    assert 'advisor_questions_total{channel="web",outcome="declined"} 1.0' in text
    assert "advisor_answer_latency_seconds_bucket" in text and "advisor_log_backlog" in text
    assert re.search(r'advisor_http_requests_total\{route="/api/ask",status="400"\} 1\.0', text)
    assert re.search(r'advisor_http_requests_total\{route="/api/ask",status="200"\} 2\.0', text)
    assert "advisor_log_failures" in text


def test_a_stalled_event_loop_shows_in_the_metrics_and_the_log(
    web: WebRig, caplog: pytest.LogCaptureFixture
) -> None:
    def stalls_over(text: str, seconds: str) -> float:
        total = re.search(r"^advisor_event_loop_lag_seconds_count (\S+)", text, re.MULTILINE)
        within = re.search(
            rf'^advisor_event_loop_lag_seconds_bucket\{{le="{seconds}"\}} (\S+)', text, re.MULTILINE
        )
        assert total and within
        return float(total.group(1)) - float(within.group(1))

    time.sleep(0.3)
    before = web.get("/metrics").body.decode()

    def block_the_loop() -> None:
        time.sleep(0.4)

    with caplog.at_level(logging.WARNING, logger="adapters.metrics"):
        web.loop.loop.call_soon_threadsafe(block_the_loop)
        time.sleep(0.8)
    after = web.get("/metrics").body.decode()
    assert stalls_over(after, "0.25") >= stalls_over(before, "0.25") + 1
    [report] = [r.getMessage() for r in caplog.records if "event loop stalled" in r.getMessage()]
    assert "in block_the_loop" in report and "time.sleep(0.4)" in report
    assert float(re.findall(r"^advisor_event_loop_lag_seconds_count (\S+)", after, re.MULTILINE)[0]) >= 5


def test_feedback_stores_no_personal_data_and_one_row_per_answer_and_person(web: WebRig) -> None:
    asked = web.post("/api/ask", {"question": "should I join this facebook group?"}).json()
    visitor = [("Content-Type", "application/json"), ("Cookie", "advisor_visitor=v1")]
    for _ in range(50):
        assert (
            web.post("/api/feedback", {"question_id": asked["id"], "helpful": False}, visitor).status == 200
        )
    other = [("Content-Type", "application/json"), ("Cookie", "advisor_visitor=v2")]
    web.post("/api/feedback", {"question_id": asked["id"], "helpful": True}, other)
    for bad in (
        {"question_id": "mail me a.b@example.com 054-1234567", "helpful": True},
        {"question_id": asked["id"], "picked": "mail me a.b@example.com 054-1234567"},
    ):
        assert web.post("/api/feedback", bad, visitor).status == 400
    web.service.writer.flush(5)
    from tests.slackkit import EVER

    rows = web.service.store.feedback(*EVER)
    assert len(rows) == 2 and all(r.question_id == asked["id"] and r.picked is None for r in rows)
    [topic] = web.get("/api/admin/report", BEARER).json()["topics"]
    assert (topic["rated"], topic["helpful"]) == (2, 1)


@pytest.mark.parametrize(
    "query",
    [
        "since=9999-12-30&until=9999-12-31",
        "since=9999-12-31",
        "since=0001-01-01&until=0001-01-02",
        "until=0001-01-01",
    ],
)
def test_report_dates_at_the_ends_of_the_calendar_are_a_clear_400(web: WebRig, query: str) -> None:
    for path in ("/api/admin/report", "/api/admin/report.csv", "/api/admin/chart.svg"):
        reply = web.get(f"{path}?{query}", BEARER)
        assert reply.status == 400 and "between" in reply.json()["error"], (path, reply.body[:200])


def test_a_writer_thread_that_stops_makes_the_server_not_ready_until_it_is_back(
    web: WebRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer, store = web.service.writer, web.service.store
    writer.restart_seconds = 3600.0  # the test restarts it itself, below
    real_write = store.write
    killing = [True]

    def write(records: Any) -> None:
        if killing and killing.pop():
            raise SystemExit("stands for anything that ends the thread")
        real_write(records)

    monkeypatch.setattr(store, "write", write)
    assert web.get("/readyz").status == 200
    for n in range(5):
        web.post("/api/ask", {"question": f"should I join facebook group {n}?"})
    deadline = time.monotonic() + 10
    while writer.running and time.monotonic() < deadline:
        time.sleep(0.01)
    ready = web.get("/readyz")
    assert ready.status == 503 and ready.json()["log_writer"] is False
    assert "advisor_log_writer_up 0.0" in web.get("/metrics").body.decode()
    web.post("/api/ask", {"question": "asked while the writer is down"})
    assert writer.supervise()
    assert web.get("/readyz").status == 200 and writer.flush(5)
    metrics = web.get("/metrics").body.decode()
    assert "advisor_log_writer_up 1.0" in metrics and "advisor_log_writer_restarts_total 1.0" in metrics
    from tests.slackkit import EVER

    assert len(store.questions(*EVER)) == 6


def test_lone_surrogates_get_a_clear_400_and_the_log_keeps_writing(web: WebRig) -> None:
    for raw in (b'{"question": "join a facebook group \\udc00?"}', b'{"question_id": "\\ud800"}'):
        path = "/api/ask" if b'question"' in raw else "/api/feedback"
        reply = web.post(path, raw)
        assert reply.status == 400 and reply.json()["field"] in ("question", "question_id")
    assert web.post("/api/ask", {"question": "should I join a facebook group?"}).status == 200
    assert web.service.writer.flush(5) and web.service.writer.running
    from tests.slackkit import EVER

    assert len(web.service.store.questions(*EVER)) == 1
