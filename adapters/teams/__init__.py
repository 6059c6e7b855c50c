"""Microsoft Teams through botbuilder's CloudAdapter on the advisor's aiohttp server. Kept thin:
botbuilder is archived and this adapter may move to the Microsoft 365 Agents SDK."""

from .adapter import TeamsAdapter

__all__ = ["TeamsAdapter"]
