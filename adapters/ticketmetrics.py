"""Tickets in ``/metrics``: cards the owners' channel has not received yet, failed tries, and
news the asker could not be sent (given back for the next sweep)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from prometheus_client.core import GaugeMetricFamily, Metric

__all__ = ["CardSource", "TicketCards"]


class CardSource(Protocol):
    card_failures: int
    cards_waiting: set[int]
    news_failures: int


class TicketCards:
    """``advisor_ticket_cards_waiting{platform}``, ``advisor_ticket_card_failures{platform}`` and
    ``advisor_ticket_news_failures{platform}``."""

    def __init__(self) -> None:
        self.sources: dict[str, CardSource] = {}

    def add(self, platform: str, source: CardSource) -> None:
        self.sources[platform] = source

    def collect(self) -> Iterator[Metric]:
        waiting = GaugeMetricFamily(
            "advisor_ticket_cards_waiting",
            "Tickets whose card the owners' channel could not be given yet (retried with backoff)",
            labels=["platform"],
        )
        failures = GaugeMetricFamily(
            "advisor_ticket_card_failures",
            "Failed tries to post or update a ticket's card in the owners' channel",
            labels=["platform"],
        )
        news = GaugeMetricFamily(
            "advisor_ticket_news_failures",
            "Failed tries to tell an asker of a change to their ticket (tried again by the next sweep)",
            labels=["platform"],
        )
        for platform, source in self.sources.items():
            waiting.add_metric([platform], len(source.cards_waiting))
            failures.add_metric([platform], source.card_failures)
            news.add_metric([platform], source.news_failures)
        yield waiting
        yield failures
        yield news
