"""Teaching the advisor from the command line: ``advisor tickets answer --add-example`` and
``--publish``, ``advisor kb learned``, and ``advisor kb export-learned`` round-tripped through
``advisor kb check`` and served from the exported files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from bot.config.settings import DEFAULT_KNOWLEDGE_DIR
from tests.adapters.cli.test_cli_log import advisor

ENV = {"ADVISOR_ENV": "development", "ADVISOR_MATCHER": "lexical"}
LAUNCH = "may I livestream our product launch on TikTok?"


def ask(tmp_path: Path, question: str) -> None:
    assert advisor(tmp_path, "tickets", "ask", question, "-y", env=ENV).returncode == 0


def learned(tmp_path: Path, env: dict[str, str] = ENV) -> list[dict[str, object]]:
    listed = advisor(tmp_path, "kb", "learned", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    found: list[dict[str, object]] = json.loads(listed.stdout)["learned"]
    return found


def teach_both(tmp_path: Path) -> None:
    ask(tmp_path, "is the alumni whatsapp group ok to join?")
    ask(tmp_path, LAUNCH)
    example = advisor(
        tmp_path,
        "tickets",
        "answer",
        "1",
        "With care.",
        "--add-example",
        "join-groups",
        "--by",
        "Dana",
        env=ENV,
    )
    assert example.returncode == 0, example.stderr
    assert "Ticket #1: added as an example of join-groups." in example.stdout
    published = advisor(
        tmp_path,
        "tickets",
        "answer",
        "2",
        "No: product launches stream only on the company's own channels.",
        "--publish",
        "--variant",
        "can we stream the launch on tiktok",
        "--variant",
        "מותר לשדר את ההשקה בטיקטוק?",
        "--verdict",
        "no",
        "--translation",
        "לא: השקות משודרות רק בערוצים של החברה.",
        "--by",
        "Dana",
        env=ENV,
    )
    assert published.returncode == 0, published.stderr
    assert "Ticket #2: published as owner-2." in published.stdout


def test_answering_teaches_and_the_audit_says_who_when_and_what(tmp_path: Path) -> None:
    teach_both(tmp_path)
    example, entry = learned(tmp_path)
    assert (example["kind"], example["topic"], example["text"], example["lang"]) == (
        "example",
        "join-groups",
        "is the alumni whatsapp group ok to join?",
        "en",
    )
    assert (example["by"], example["ticket"], entry["by"], entry["ticket"]) == ("Dana", 1, "Dana", 2)
    assert example["at"] and entry["at"]
    assert entry["variants"] == {
        "en": [LAUNCH, "can we stream the launch on tiktok"],
        "he": ["מותר לשדר את ההשקה בטיקטוק?"],
    }
    assert entry["answer"] == {
        "en": "No: product launches stream only on the company's own channels.",
        "he": "לא: השקות משודרות רק בערוצים של החברה.",
    }
    assert (entry["topic"], entry["verdict"]) == ("owner-2", "no")
    asked = advisor(tmp_path, "ask", "--json", "can we livestream the product launch on TikTok?", env=ENV)
    answer = json.loads(asked.stdout)
    assert (answer["topic"], answer["source"], answer["verdict"]) == ("owner-2", "Policy owner", "no")
    hebrew = json.loads(
        advisor(tmp_path, "ask", "--json", "מותר לשדר את ההשקה שלנו בטיקטוק?", env=ENV).stdout
    )
    assert (hebrew["topic"], hebrew["answer"]) == ("owner-2", "לא: השקות משודרות רק בערוצים של החברה.")
    shown = advisor(tmp_path, "kb", "learned", env=ENV).stdout
    assert "Dana #1 example of join-groups: is the alumni whatsapp group ok to join?" in shown
    assert "Dana #2 published owner-2 (no): " + LAUNCH in shown
    again = advisor(tmp_path, "tickets", "answer", "1", "With care.", "--add-example", "join-groups", env=ENV)
    assert again.returncode == 0 and "(already so)" in again.stdout
    assert len(learned(tmp_path)) == 2


def test_what_cannot_be_learned_is_refused_in_the_answers_language_and_the_answer_kept(
    tmp_path: Path,
) -> None:
    ask(tmp_path, "is the alumni whatsapp group ok to join?")
    unknown = advisor(
        tmp_path, "tickets", "answer", "1", "With care.", "--add-example", "no-such-topic", env=ENV
    )
    assert unknown.returncode == 2
    assert "Ticket #1 is answered, but not learned: there is no topic no-such-topic" in unknown.stderr
    shown = json.loads(advisor(tmp_path, "tickets", "show", "1", "--json", env=ENV).stdout)
    assert (shown["status"], shown["answer"]) == ("answered", "With care.")
    no_verdict = advisor(tmp_path, "tickets", "answer", "1", "Better answer.", "--publish", env=ENV)
    assert no_verdict.returncode == 2 and "--verdict" in no_verdict.stderr
    shown = json.loads(advisor(tmp_path, "tickets", "show", "1", "--json", env=ENV).stdout)
    assert shown["answer"] == "With care."
    stray = advisor(tmp_path, "tickets", "answer", "1", "x", "--verdict", "no", env=ENV)
    assert stray.returncode == 2 and "go with --publish" in stray.stderr
    bad_id = advisor(
        tmp_path,
        "tickets",
        "answer",
        "1",
        "Yes.",
        "--publish",
        "--verdict",
        "yes",
        "--topic-id",
        "Join Groups",
        env=ENV,
    )
    assert bad_id.returncode == 2 and "lower-case words joined by hyphens" in bad_id.stderr
    taken = advisor(
        tmp_path,
        "tickets",
        "answer",
        "1",
        "Yes.",
        "--publish",
        "--verdict",
        "yes",
        "--topic-id",
        "join-groups",
        env=ENV,
    )
    assert taken.returncode == 2 and "the topic id join-groups is taken" in taken.stderr
    huge = advisor(
        tmp_path,
        "tickets",
        "answer",
        "1",
        "Yes.",
        "--publish",
        "--verdict",
        "yes",
        "--variant",
        "a " * 400,
        env=ENV,
    )
    assert huge.returncode == 2 and "a question is too long" in huge.stderr
    hebrew = advisor(
        tmp_path, "tickets", "answer", "1", "בזהירות.", "--add-example", "no-such-topic", env=ENV
    )
    assert hebrew.returncode == 2
    assert "פנייה מס' 1 נענתה, אבל לא נלמדה: אין נושא no-such-topic" in hebrew.stderr
    chosen = advisor(
        tmp_path, "tickets", "answer", "1", "With care.", "--lang", "he", "--add-example", "greeting", env=ENV
    )
    assert chosen.returncode == 2 and "greeting אינו נושא של עצה" in chosen.stderr
    assert learned(tmp_path) == []


def test_unlearn_withdraws_what_was_published_and_the_audit_keeps_it(tmp_path: Path) -> None:
    teach_both(tmp_path)
    example, entry = learned(tmp_path)
    withdrawn = advisor(tmp_path, "kb", "unlearn", str(entry["id"]), "--by", "Eli", env=ENV)
    assert withdrawn.returncode == 0, withdrawn.stderr
    assert withdrawn.stdout.startswith(f"Withdrawn: [{entry['id']}] ")
    assert "published owner-2 (no)" in withdrawn.stdout and "by Eli)" in withdrawn.stdout
    asked = advisor(tmp_path, "ask", "--json", "can we livestream the product launch on TikTok?", env=ENV)
    assert json.loads(asked.stdout)["topic"] != "owner-2"
    audit = learned(tmp_path)
    assert [(i["id"], i["withdrawn"]) for i in audit][0] == (example["id"], None)
    gone = audit[1]["withdrawn"]
    assert isinstance(gone, dict) and gone["by"] == "Eli" and gone["at"]
    shown = advisor(tmp_path, "kb", "learned", env=ENV).stdout.splitlines()
    assert shown[0].startswith(f"[{example['id']}] ") and "withdrawn" not in shown[0]
    assert shown[1].startswith(f"[{entry['id']}] ") and shown[1].endswith(" by Eli)")
    assert " (withdrawn " in shown[1]
    exported = advisor(tmp_path, "kb", "export-learned", str(tmp_path / "kb"), env=ENV)
    assert "1 file(s) written" in exported.stdout
    assert not (tmp_path / "kb" / "topics" / "owner-2.yaml").exists()

    again = advisor(tmp_path, "kb", "unlearn", str(entry["id"]), "--by", "Dana", env=ENV)
    assert again.returncode == 2
    assert f"#{entry['id']}: it was withdrawn already (Eli, " in again.stderr
    unknown = advisor(tmp_path, "kb", "unlearn", "99", "--by", "Eli", env=ENV)
    assert unknown.returncode == 2 and "#99: nothing learned has the id 99" in unknown.stderr
    hebrew = advisor(tmp_path, "kb", "unlearn", "99", "--lang", "he", env=ENV)
    assert hebrew.returncode == 2 and "אין דבר נלמד עם המזהה 99" in hebrew.stderr
    assert learned(tmp_path) == audit


def test_exported_files_pass_kb_check_and_are_served_from_the_knowledge_base(tmp_path: Path) -> None:
    teach_both(tmp_path)
    kb = tmp_path / "kb"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, kb)
    exported = advisor(tmp_path, "kb", "export-learned", str(kb), env=ENV)
    assert exported.returncode == 0, exported.stderr
    assert "2 file(s) written" in exported.stdout
    topic = yaml.safe_load((kb / "topics" / "owner-2.yaml").read_text(encoding="utf-8"))
    assert (topic["id"], topic["source"], topic["verdict"]) == ("owner-2", "Policy owner", "no")
    added = yaml.safe_load((kb / "examples" / "join-groups.yaml").read_text(encoding="utf-8"))
    assert added == {
        "topic": "join-groups",
        "examples": {"en": ["is the alumni whatsapp group ok to join?"], "he": []},
    }
    on_kb = ENV | {"ADVISOR_KNOWLEDGE_DIR": str(kb)}
    checked = advisor(tmp_path, "kb", "check", env=on_kb)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    shipped = advisor(tmp_path, "kb", "check", env=ENV)
    count = int(shipped.stdout.strip().splitlines()[-1].split()[0])
    assert checked.stdout.strip().splitlines()[-1].startswith(f"{count + 1} topics")
    answer = json.loads(
        advisor(tmp_path, "ask", "--json", "can we stream the product launch on tiktok?", env=on_kb).stdout
    )
    assert (answer["topic"], answer["source"]) == ("owner-2", "Policy owner")
    again = advisor(tmp_path, "kb", "export-learned", str(kb), env=on_kb)
    assert again.returncode == 0 and "0 file(s) written" in again.stdout
    assert yaml.safe_load((kb / "examples" / "join-groups.yaml").read_text(encoding="utf-8")) == added


def test_kb_check_names_an_examples_file_about_an_unknown_topic(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, kb)
    (kb / "examples").mkdir(exist_ok=True)
    (kb / "examples" / "no-such-topic.yaml").write_text(
        "topic: no-such-topic\nexamples:\n  en: [is this a question]\n", encoding="utf-8"
    )
    checked = advisor(tmp_path, "kb", "check", env=ENV | {"ADVISOR_KNOWLEDGE_DIR": str(kb)})
    assert checked.returncode != 0
    assert "no-such-topic.yaml" in checked.stderr and "unknown topic" in checked.stderr
