"""The local web page, its JSON API, and the policy owner's dashboard."""

from .app import WebAdapter

__all__ = ["WebAdapter"]
