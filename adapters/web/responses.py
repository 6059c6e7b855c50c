"""What every web route answers with: its security headers, JSON errors, the static files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web

__all__ = ["HERE", "SECURITY_HEADERS", "STATIC", "Refused", "error"]

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def error(status: int, message: str, **extra: Any) -> web.Response:
    """A JSON error a client can show: ``{"error": message, ...extra}``."""
    return web.json_response({"error": message, **extra}, status=status, headers=SECURITY_HEADERS)


class Refused(Exception):
    """Raised deep in a handler with the response to answer with."""

    def __init__(self, response: web.Response) -> None:
        self.response = response
