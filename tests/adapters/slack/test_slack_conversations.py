"""What people get in Slack: DMs, mentions in threads, slash commands, checklists, clicks,
App Home and Hebrew, through the real server and the recorded Web API."""

from __future__ import annotations

import json

from tests.slackkit import EVER, SlackRig, fixture, texts_of


def test_a_direct_message_gets_a_block_kit_answer(slack: SlackRig) -> None:
    reply = slack.post(fixture("event_dm"))
    assert reply.status == 200
    [post] = slack.api.wait_for(1, "chat.postMessage")
    assert post["channel"] == "D0001" and "thread_ts" not in post
    assert post["unfurl_links"] is False and post["unfurl_media"] is False
    assert "parse" not in post and "link_names" not in post
    blocks = post["blocks"]
    assert blocks[0]["text"]["text"].startswith(":no_entry: *Don't · Social-network apps")
    assert "Rule 3" in blocks[2]["elements"][0]["text"]
    buttons = [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]
    assert buttons[:2] == ["advisor:helpful", "advisor:not_helpful"]
    assert "advisor:checklist:install-app" in buttons and "advisor:topic:platform-limitations" in buttons
    [row] = slack.rows(1)
    assert row.channel == "slack" and row.topic == "install-apps" and row.outcome == "answered"


def test_a_mention_is_answered_in_its_thread(slack: SlackRig) -> None:
    assert slack.post(fixture("event_mention")).status == 200
    [post] = slack.api.wait_for(1, "chat.postMessage")
    assert post["channel"] == "C0001" and post["thread_ts"] == "1700000001.000200"
    assert post["blocks"][0]["text"]["text"].startswith(":warning: *Think first · Joining groups")
    assert "<@" not in json.dumps(post)
    mention_in_thread = fixture("event_mention", ts="1700000020.000900", thread_ts="1700000001.000200")
    mention_in_thread["event_id"] = "Ev0010THREAD"
    slack.post(mention_in_thread)
    assert slack.api.wait_for(2, "chat.postMessage")[1]["thread_ts"] == "1700000001.000200"


def test_hebrew_questions_get_hebrew_answers_and_buttons(slack: SlackRig) -> None:
    slack.post(fixture("event_dm", text="ולהצטרף לקבוצה בלינקדאין?"))
    [post] = slack.api.wait_for(1, "chat.postMessage")
    assert post["blocks"][0]["text"]["text"].startswith(":white_check_mark: *אפשר · הצטרפות לקבוצות")
    labels = [e["text"]["text"] for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert labels[:2] == ["עזר לי", "לא עזר"] and "לפני שמצטרפים לקבוצה או לקהילה" in labels


def test_slash_command_answers_the_asker_only(slack: SlackRig) -> None:
    assert slack.command("who should see my business details?").status == 200
    [sent] = slack.api.wait_for(1, "respond:cmd")
    assert sent["response_type"] == "ephemeral"
    assert sent["blocks"][0]["elements"][0]["text"] == "“who should see my business details?”"
    assert sent["blocks"][1]["text"]["text"].startswith(":warning: *Think first · Who should see")
    assert slack.api.of("chat.postMessage") == []


def test_slash_help_and_checklist_list(slack: SlackRig) -> None:
    slack.command("help")
    slack.command("checklist", response_url=slack.hook_base + "list")
    helped = slack.api.wait_for(1, "respond:cmd")[0]
    assert "What the advisor can do" in json.dumps(helped, ensure_ascii=False)
    listed = slack.api.wait_for(1, "respond:list")[0]
    buttons = [e["action_id"] for b in listed["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert len(buttons) == 6 and all(b.startswith("advisor:checklist:") for b in buttons)


def test_a_long_checklist_is_split_into_groups_of_ten(slack: SlackRig) -> None:
    slack.command("checklist campaign")
    [sent] = slack.api.wait_for(1, "respond:cmd")
    groups = [
        e
        for b in sent["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
        if e["type"] == "checkboxes"
    ]
    assert [len(g["options"]) for g in groups] == [6, 5]
    assert all(len(o["text"]["text"]) <= 75 for g in groups for o in g["options"])
    assert sent["blocks"][-1]["elements"][0]["action_id"] == "advisor:done"


def test_done_reports_what_was_left_unticked(slack: SlackRig) -> None:
    state = {
        "tick:0": {
            "advisor:tick:0": {
                "type": "checkboxes",
                "selected_options": [
                    {"value": "target-defined"},
                    {"value": "segments"},
                    {"value": "networks-chosen"},
                ],
            }
        },
        "tick:1": {"advisor:tick:1": {"type": "checkboxes", "selected_options": [{"value": "coherent"}]}},
    }
    assert slack.click("advisor:done", {"c": "campaign", "l": "en"}, state=state).status == 200
    [sent] = slack.api.wait_for(1, "respond:click")
    assert sent["replace_original"] is True
    text = json.dumps(sent)
    assert "You left 7 of 11 unticked" in text and "part of the wider marketing plan" in text
    # The reply goes out before the run is logged: wait for the log writer.
    slack.service.writer.flush(5)
    [run] = slack.service.store.checklists(*EVER)
    assert run.checklist == "campaign" and len(run.missed) == 7


def test_helpful_buttons_record_feedback(slack: SlackRig) -> None:
    slack.post(fixture("event_dm"))
    [post] = slack.api.wait_for(1, "chat.postMessage")
    question_id = json.loads(post["blocks"][3]["elements"][0]["value"])["q"]
    slack.click("advisor:not_helpful", {"q": question_id})
    thanks = slack.api.wait_for(2, "chat.postMessage")[1]
    assert "Thanks for the feedback" in thanks["text"] and thanks["thread_ts"] == "1800000000.000001"
    slack.service.writer.flush(5)
    [feedback] = slack.service.store.feedback(*EVER)
    assert feedback.question_id == question_id and feedback.helpful is False


def test_did_you_mean_pick_answers_and_is_logged(slack: SlackRig) -> None:
    slack.post(fixture("event_dm", text="facebook"))
    [post] = slack.api.wait_for(1, "chat.postMessage")
    options = [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert options[-1]["action_id"] == "advisor:none" and len(options) >= 3
    picked = json.loads(options[1]["value"])
    slack.click(options[1]["action_id"], picked)
    answer = slack.api.wait_for(2, "chat.postMessage")[1]
    assert answer["blocks"][0]["text"]["text"].count("·") == 1
    slack.service.writer.flush(5)
    [pick] = slack.service.store.feedback(*EVER)
    assert pick.picked == picked["t"] and pick.question_id == picked["r"]
    assert len(slack.rows()) == 1


def test_follow_up_and_checklist_buttons(slack: SlackRig) -> None:
    slack.click("advisor:topic:viral-promo", {"t": "viral-promo", "l": "he"})
    slack.click("advisor:checklist:join-group", {"c": "join-group", "l": "en"}, ephemeral=True)
    posted = slack.api.wait_for(1, "chat.postMessage")[0]
    assert "פרומו ויראלי" in json.dumps(posted, ensure_ascii=False)
    [shown] = slack.api.wait_for(1, "respond:click")
    assert shown["blocks"][0]["text"]["text"] == "Before you join a group or community"


def test_app_home_shows_the_checklists(slack: SlackRig) -> None:
    slack.post(fixture("app_home_opened"))
    [published] = slack.api.wait_for(1, "views.publish")
    assert published["user_id"] == "U0001" and published["view"]["type"] == "home"
    view = json.dumps(published["view"])
    assert view.count("advisor:checklist:") == 6 and "What the advisor can do" in view


def test_escaped_and_linked_text_is_understood(slack: SlackRig) -> None:
    slack.post(
        fixture("event_dm", text="can I join a group on <https://linkedin.com|LinkedIn> &amp; share there?")
    )
    [post] = slack.api.wait_for(1, "chat.postMessage")
    assert post["blocks"][0]["text"]["text"].startswith(":white_check_mark:")


def test_every_text_is_plain_and_safe(slack: SlackRig) -> None:
    slack.post(fixture("event_dm"))
    [post] = slack.api.wait_for(1, "chat.postMessage")
    for text in texts_of(post):
        assert "<!" not in text and "<@" not in text and "<http" not in text
