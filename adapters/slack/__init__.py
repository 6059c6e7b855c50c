"""Slack: a Bolt app on the advisor's aiohttp server, translating events to queries and
answers to Block Kit."""

from .app import SlackAdapter

__all__ = ["SlackAdapter"]
