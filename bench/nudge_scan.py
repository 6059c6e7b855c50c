"""How long the nudge's link scan takes per message, on the shipped policy.

    python bench/nudge_scan.py [--messages N]

Messages hold 10 or 1,000 links in Slack's markup: most to ordinary sites, some to the hosts the
policy names (group invites, app stores) and look-alikes of them (``faceb00k.com``,
``facebook.com.evil.example``, an IDN homograph), with text between them. Prints p50 and p99 per
message, and the same for a message of plain text at Slack's 40,000-character limit.
"""

from __future__ import annotations

import argparse
import platform
import random
import time

from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.knowledge.knowledge import load_knowledge
from bot.nudge import LinkScanner

LINKS = [
    "https://example.com/docs/{n}",
    "https://www.linkedin.com/groups/{n}/",
    "https://m.facebook.com/groups/acme{n}",
    "https://chat.whatsapp.com/Inv{n}",
    "https://faceb00k.com/groups/{n}",
    "https://facebook.com.evil.example/groups/{n}",
    "https://fаcebook.com/groups/{n}",
    "https://play.google.com/store/apps/details?id=com.linkedin.android&n={n}",
    "https://apps.apple.com/us/app/tiktok/id{n}",
    "https://intranet.example.org/{n}?q=a&b=c#top",
]


def message(rng: random.Random, links: int) -> str:
    parts = []
    for n in range(links):
        url = rng.choice(LINKS).format(n=n)
        parts.append(f"see <{url}|this> and tell me what you think, ")
    return "".join(parts)


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(pct / 100 * (len(ordered) - 1))))]


def measure(scanner: LinkScanner, texts: list[str]) -> list[float]:
    took = []
    for text in texts:
        started = time.perf_counter()
        scanner.scan(text)
        took.append((time.perf_counter() - started) * 1000.0)
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    policy = load_knowledge(DEFAULT_KNOWLEDGE_DIR).policy
    scanner = LinkScanner(policy.links)
    rng = random.Random(22)
    runtime = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"{runtime}, {len(policy.links)} link patterns")
    cases = [
        ("10 links", [message(rng, 10) for _ in range(args.messages)]),
        ("1,000 links", [message(rng, 1000) for _ in range(max(1, args.messages // 10))]),
        ("40,000 chars, no link", ["a plain sentence without links. " * 1250] * max(1, args.messages // 10)),
    ]
    for name, texts in cases:
        measure(scanner, texts[:20])
        took = measure(scanner, texts)
        chars = sum(map(len, texts)) // len(texts)
        print(
            f"{name:>22}: {len(texts)} messages of ~{chars:,} chars, "
            f"p50 {percentile(took, 50):.3f} ms, p99 {percentile(took, 99):.3f} ms"
        )


if __name__ == "__main__":
    main()
