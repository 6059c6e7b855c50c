"""The link scanner on the shipped policy: what it finds, what it never confuses, its bounds."""

from __future__ import annotations

import pytest

from bot.knowledge.policy import LinkRule
from bot.nudge import MAX_CHARS, MAX_LINKS, Hit, LinkScanner
from bot.testing import shipped_advisor


@pytest.fixture(scope="module")
def scanner() -> LinkScanner:
    return LinkScanner(shipped_advisor().knowledge.policy.links)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("join us <https://www.linkedin.com/groups/12345/|our group>", [Hit("join-group", "linkedin")]),
        ("https://LinkedIn.com/groups/12345", [Hit("join-group", "linkedin")]),
        ("https://m.facebook.com/groups/acme.fans?ref=share", [Hit("join-group", "facebook")]),
        ("invite: https://chat.whatsapp.com/AbCdEf123", [Hit("join-group", "whatsapp")]),
        ("https://x.com/i/communities/1234", [Hit("join-group", "x")]),
        (
            "get https://play.google.com/store/apps/details?id=com.linkedin.android now",
            [Hit("install-app", "linkedin")],
        ),
        ("https://apps.apple.com/il/app/facebook/id284882215", [Hit("install-app", "facebook")]),
        (
            "https://chromewebstore.google.com/detail/linkedin-sales-navigator/abc",
            [Hit("install-app", "sales-navigator", app=True)],
        ),
        ("https://apps.apple.com/us/app/hootsuite/id341249709", [Hit("install-app", "hootsuite", app=True)]),
        ("https://facebook.com.:443/groups/x", [Hit("join-group", "facebook")]),
    ],
)
def test_links_the_policy_names_are_found(scanner: LinkScanner, text: str, found: list[Hit]) -> None:
    assert scanner.scan(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "https://faceb00k.com/groups/x",
        "https://facebook.com.evil.example/groups/x",
        "https://www.facebook.com.evil.example/groups/x",
        "https://facebook.com@evil.example/groups/x",
        "https://evil.example/?next=https%3A//facebook.com/groups/x",
        "https://fаcebook.com/groups/x",  # Cyrillic а
        "https://xn--fcebook-2fg.com/groups/x",
        "https://notlinkedin.com/groups/1",
        "https://linkedin.com/in/someone",
        "https://www.facebook.com/acme.page",
        "https://apps.apple.com/us/app/xbox/id736179781",
        "facebook.com/groups/x without a scheme in plain text",
        "https://[::1]/groups/x",
        "https://" + "a." * 300 + "com/groups/x",
        "https://\udcff.com/groups/x",
        "",
    ],
)
def test_look_alikes_and_other_links_are_not(scanner: LinkScanner, text: str) -> None:
    assert scanner.scan(text) == []


def test_a_look_alike_the_policy_lists_is_found() -> None:
    rules = [LinkRule(kind="join-group", network="facebook", pattern="xn--fcebook-2fg.com/groups/")]
    assert LinkScanner(rules).scan("https://fаcebook.com/groups/x") == [Hit("join-group", "facebook")]


def test_each_kind_of_link_is_reported_once_in_order(scanner: LinkScanner) -> None:
    text = " ".join(
        [
            "https://chat.whatsapp.com/A",
            "https://www.linkedin.com/groups/1",
            "https://chat.whatsapp.com/B",
            "https://apps.apple.com/us/app/tiktok/id835599320",
        ]
    )
    assert scanner.scan(text) == [
        Hit("join-group", "whatsapp"),
        Hit("join-group", "linkedin"),
        Hit("install-app", "tiktok"),
    ]


def test_the_scan_is_bounded(scanner: LinkScanner) -> None:
    many = " ".join(f"https://example.com/{i}" for i in range(MAX_LINKS)) + " https://chat.whatsapp.com/A"
    assert scanner.scan(many) == []
    assert scanner.scan("https://chat.whatsapp.com/A " + many) == [Hit("join-group", "whatsapp")]
    late = "x" * MAX_CHARS + " https://chat.whatsapp.com/A"
    assert scanner.scan(late) == []
    huge = "https://" + "a" * 1_000_000
    assert scanner.scan(huge) == []
