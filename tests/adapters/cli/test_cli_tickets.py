"""``advisor tickets`` from the command line, in a fresh data directory, as an asker and an owner
would; with ``advisor log forget`` and ``purge`` reaching the tickets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.querylog.sql import SqlQueryLog
from bot.tickets.schema import tickets
from tests.adapters.cli.test_cli_log import advisor

ENV = {"ADVISOR_ENV": "development"}


def test_ask_shows_what_the_owner_sees_and_sends_only_when_confirmed(tmp_path: Path) -> None:
    refused = advisor(
        tmp_path,
        "tickets",
        "ask",
        "may I post our roadmap? mail me at alice@example.com",
        stdin="n\n",
        env=ENV,
    )
    assert refused.returncode == 1 and "Nothing was sent" in refused.stdout
    assert "Question: may I post our roadmap? mail me at [email]" in refused.stdout
    listed = advisor(tmp_path, "tickets", "list", env=ENV)
    assert listed.stdout.strip() == "No tickets."
    sent = advisor(
        tmp_path,
        "tickets",
        "ask",
        "may I post our roadmap? mail me at alice@example.com",
        "--name",
        "Alice Cohen",
        "--note",
        "before Thursday",
        "--user",
        "U0ALICE",
        stdin="y\n",
        env=ENV,
    )
    assert sent.returncode == 0, sent.stderr
    assert "From:     Alice Cohen" in sent.stdout and "Note:     before Thursday" in sent.stdout
    assert "Sent: ticket #1 (open)" in sent.stdout
    shown = json.loads(advisor(tmp_path, "tickets", "show", "1", "--json", env=ENV).stdout)
    assert shown["question"] == "may I post our roadmap? mail me at [email]"
    assert (shown["name"], shown["note"], shown["status"], shown["channel"]) == (
        "Alice Cohen",
        "before Thursday",
        "open",
        "cli",
    )
    assert "contact" not in shown  # the platform ids stay out of what is shown
    written = advisor(tmp_path, "tickets", "ask", "call me: 054-1234567", "--as-written", "-y", env=ENV)
    assert "Question: call me: 054-1234567" in written.stdout
    assert advisor(tmp_path, "tickets", "ask", " ?! ", "-y", env=ENV).returncode == 2


def test_the_owner_lists_answers_closes_and_reopens(tmp_path: Path) -> None:
    for question, extra in (("may I join this group?", []), ("my account was taken over", ["--urgent"])):
        assert advisor(tmp_path, "tickets", "ask", question, "-y", *extra, env=ENV).returncode == 0
    listed = advisor(tmp_path, "tickets", "list", env=ENV).stdout.splitlines()
    assert listed[0].startswith("!#2") and "open" in listed[0] and listed[1].startswith(" #1")
    answered = advisor(tmp_path, "tickets", "answer", "1", "לא, רק בחשבון האישי.", "--by", "Dana", env=ENV)
    assert answered.returncode == 0 and "Ticket #1: answered (done)." in answered.stdout
    again = advisor(tmp_path, "tickets", "assign", "2", "--by", "Omer", env=ENV)
    assert "Ticket #2: assigned (done)." in again.stdout
    same = advisor(tmp_path, "tickets", "assign", "2", "--by", "Omer", env=ENV)
    assert "Ticket #2: assigned (already so)." in same.stdout
    assert advisor(tmp_path, "tickets", "close", "1", "--by", "Dana", env=ENV).returncode == 0
    late = advisor(tmp_path, "tickets", "answer", "1", "More", env=ENV)
    assert late.returncode == 2 and "it is closed: reopen it first" in late.stderr
    missing = advisor(tmp_path, "tickets", "close", "99", env=ENV)
    assert missing.returncode == 2 and "there is no ticket #99" in missing.stderr
    assert advisor(tmp_path, "tickets", "answer", "2", "x", "--lang", "fr", env=ENV).returncode == 2
    assert advisor(tmp_path, "tickets", "list", "--status", "pending", env=ENV).returncode == 2
    closed = json.loads(advisor(tmp_path, "tickets", "list", "--status", "closed", "--json", env=ENV).stdout)
    [ticket] = closed["tickets"]
    assert (ticket["number"], ticket["answer"], ticket["answer_lang"]) == (1, "לא, רק בחשבון האישי.", "he")
    assert [e["action"] for e in ticket["history"]] == ["opened", "answered", "closed"]
    assert closed["figures"]["counts"]["closed"] == 1
    shown = advisor(tmp_path, "tickets", "show", "1", env=ENV).stdout
    assert "Ticket #1 · closed" in shown and "answered by Dana" in shown
    assert advisor(tmp_path, "tickets", "reopen", "1", env=ENV).stdout.startswith(
        "Ticket #1: assigned (done)"
    )  # back to Dana


def test_forget_deletes_a_persons_tickets_and_purge_their_contact_after_retention(tmp_path: Path) -> None:
    for user in ("U0ALICE", "U0BOB", "U0BOB"):
        sent = advisor(tmp_path, "tickets", "ask", "may I?", "--user", user, "--name", user, "-y", env=ENV)
        assert sent.returncode == 0
    assert advisor(tmp_path, "tickets", "close", "2", env=ENV).returncode == 0
    database = SqlQueryLog(f"sqlite:///{tmp_path / 'var' / 'advisor.db'}")
    long_ago = datetime.now(UTC) - timedelta(days=200)
    with database.engine.begin() as connection:
        connection.execute(sa.update(tickets).where(tickets.c.number == 2).values(closed_at=long_ago))
    purged = advisor(tmp_path, "log", "purge", env=ENV)
    assert purged.returncode == 0 and "contact details of 1 ticket(s)" in purged.stdout
    with database.engine.connect() as connection:
        contacts = dict(connection.execute(sa.select(tickets.c.number, tickets.c.contact)).all())
    assert contacts[2] is None and contacts[3]["user"] == "U0BOB" and contacts[1]["user"] == "U0ALICE"
    forgot = advisor(tmp_path, "log", "forget", "U0BOB", env=ENV)
    assert forgot.returncode == 0 and "2 ticket(s) of pseudonym" in forgot.stdout
    left = json.loads(advisor(tmp_path, "tickets", "list", "--json", env=ENV).stdout)["tickets"]
    assert [t["number"] for t in left] == [1]
    database.engine.dispose()


def test_kb_check_names_the_tickets_file_and_field(tmp_path: Path, kb_copy: Path) -> None:
    path = kb_copy / "tickets.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("fake-profile,", "fake-profil,"), encoding="utf-8"
    )
    result = advisor(tmp_path, "kb", "check", env=ENV | {"ADVISOR_KNOWLEDGE_DIR": str(kb_copy)})
    assert result.returncode == 2
    assert "tickets.yaml" in result.stderr and "incidents" in result.stderr and "fake-profil" in result.stderr
