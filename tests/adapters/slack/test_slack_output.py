"""Catalogue E (40-43): nothing a person types can become a mention, a link or markup."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.blocks import checklist_blocks, escape, to_blocks
from adapters.slack.events import to_query_text
from bot import Query
from bot.testing import shipped_advisor
from tests.slackkit import SlackRig, texts_of

SPECIAL = re.compile(r"<!(channel|here|everyone|subteam)")
SEEDS = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S1|x>",
    "<@U123>",
    "<#C1>",
    "<http://x|y>",
    "<!date^1^{date}|x>",
    "&lt;!channel&gt;",
    "<\u200b!channel>",
    "＜!channel＞",
    "@channel",
    "@here",
    "<mailto:a@b.c|mail>",
    "*bold*",
    "`code`",
    "AT&T <b> 5 > 3",
]
hostile = st.lists(st.one_of(st.sampled_from(SEEDS), st.text(max_size=30)), min_size=1, max_size=6).map(
    "".join
)
LABELS = {"helpful": "Helpful", "not_helpful": "Not helpful", "none_of_these": "None of these"}


def assert_safe(texts: list[str]) -> None:
    for text in texts:
        assert not SPECIAL.search(text), text
        assert "<@" not in text and "<#" not in text and "<http" not in text and "<mailto" not in text, text
        assert "<" not in text and ">" not in text, text
        assert not re.search(r"&(?!amp;|lt;|gt;)", text), text


def payload_texts(blocks: list[dict[str, Any]], fallback: str = "") -> list[str]:
    return texts_of({"text": fallback, "blocks": blocks})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile)
def test_e40_no_reply_to_any_text_carries_a_special_mention(text: str) -> None:
    advisor = shipped_advisor()
    for query in (Query(text), Query("", checklist=text), Query("checklist " + text)):
        answer = advisor.handle(query)
        blocks = to_blocks(answer, LABELS, quote=text)
        if answer.steps:
            blocks += checklist_blocks(answer, answer.steps, "Done")
        assert_safe(payload_texts(blocks))
        for block in blocks:
            for element in block.get("elements", []):
                if element.get("type") == "button":
                    assert len(element["text"]["text"]) <= 75
                    json.loads(element["value"])


def test_e40_e41_through_the_server(slack: SlackRig) -> None:
    for n, seed in enumerate(SEEDS):
        slack.command(f"should I join {seed} group?", response_url=slack.hook_base + f"s{n}")
        slack.command(f"checklist {seed}", response_url=slack.hook_base + f"c{n}")
    slack.api.wait_for(2 * len(SEEDS), timeout=20)
    slack.settle()
    sent = slack.api.messages()
    assert len(sent) == 2 * len(SEEDS)
    for payload in sent:
        assert_safe(texts_of(payload))
        assert payload.get("unfurl_links") is False and payload.get("unfurl_media") is False
        assert payload.get("parse") in (None, "none") and not payload.get("link_names")


def test_e42_answers_carry_no_links(slack: SlackRig) -> None:
    slack.command("may I install the LinkedIn app? see <https://evil.example/x|here>")
    [sent] = slack.api.wait_for(1, "respond:cmd")
    assert "http" not in json.dumps(sent).replace(slack.hook_base, "")


def test_e43_round_trip_fidelity(slack: SlackRig) -> None:
    typed = "AT&T <b> 5 > 3"
    as_slack_sends_it = "AT&amp;T &lt;b&gt; 5 &gt; 3"
    assert to_query_text(as_slack_sends_it) == typed
    slack.command(as_slack_sends_it)
    [sent] = slack.api.wait_for(1, "respond:cmd")
    quoted = sent["blocks"][0]["elements"][0]["text"]
    assert quoted == "“AT&amp;T &lt;b&gt; 5 &gt; 3”"
    assert "&amp;amp;" not in json.dumps(sent)
    assert escape(typed) == as_slack_sends_it
