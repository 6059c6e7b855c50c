"""Checks every request to ``/slack/events`` before Bolt sees it.

Bolt verifies signatures too, but answers some malformed requests with 500, logs rejected
bodies, and (in older releases) let ``ssl_check=1`` skip verification. Here: a body over the
limit gets 413 before it is read; Slack's unsigned SSL check gets an empty 200; anything else
needs exactly one well-formed timestamp within five minutes and a valid v0 signature
(compared in constant time by slack-sdk's verifier), else 401; a signed body that is not a
Slack payload, or a form labelled JSON, gets 400. Nothing here logs a body.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_sdk.signature import Clock, SignatureVerifier

__all__ = ["ClockAdapter", "Ingress", "Verdict", "parse_payload"]

MAX_TIMESTAMP_DIGITS = 12
SSL_CHECK_KEYS = frozenset({"ssl_check", "token"})


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


@dataclass(frozen=True)
class Verdict:
    """Either a verified body with its parsed payload, or the response that refuses it."""

    body: bytes = b""
    payload: dict[str, Any] | None = None
    refusal: web.Response | None = None


def _is_ssl_check(body: bytes) -> bool:
    try:
        form = parse_qs(body.decode("ascii"), strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return False
    return set(form) <= SSL_CHECK_KEYS and form.get("ssl_check") == ["1"]


def parse_payload(body: bytes) -> dict[str, Any] | None:
    """The request as Slack sends it: a JSON event, a slash command form, or an interaction
    form with a JSON ``payload``. None for anything else."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        if text.lstrip().startswith("{"):
            data = json.loads(text)
            return data if isinstance(data, dict) else None
        form = {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}
    except (ValueError, RecursionError):
        return None
    if "payload" in form:
        try:
            inner = json.loads(form["payload"])
        except (ValueError, RecursionError):
            return None
        return {"payload": inner} if isinstance(inner, dict) else None
    return form if "command" in form else None


class Ingress:
    def __init__(self, signing_secret: str, max_body: int, clock: Callable[[], float] = time.time) -> None:
        if not signing_secret.strip():
            raise ValueError("a signing secret is required")
        self._verifier = SignatureVerifier(signing_secret, clock=ClockAdapter(clock))
        self.max_body = max_body
        self.clock = clock

    async def check(self, request: web.Request) -> Verdict:
        if request.content_length is not None and request.content_length > self.max_body:
            return Verdict(refusal=_error(413, "request body too large"))
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return Verdict(refusal=_error(413, "request body too large"))
        if len(body) > self.max_body:
            return Verdict(refusal=_error(413, "request body too large"))
        if _is_ssl_check(body):
            return Verdict(refusal=web.Response(status=200, text=""))
        stamps = request.headers.getall("X-Slack-Request-Timestamp", [])
        signatures = request.headers.getall("X-Slack-Signature", [])
        if not self.signed(stamps, signatures, body):
            return Verdict(refusal=_error(401, "invalid request"))
        payload = parse_payload(body)
        if payload is None:
            return Verdict(refusal=_error(400, "not a Slack request"))
        if request.content_type == "application/json" and not body.lstrip().startswith(b"{"):
            # Bolt reads the body by its Content-Type, and fails on a form labelled JSON.
            return Verdict(refusal=_error(400, "a form body sent as application/json"))
        return Verdict(body=body, payload=payload)

    def signed(self, stamps: list[str], signatures: list[str], body: bytes) -> bool:
        """Exactly one time stamp (digits, within five minutes of now) and one signature, which
        must be ``v0=`` HMAC-SHA256 of ``v0:timestamp:body`` under the signing secret."""
        if len(stamps) != 1 or len(signatures) != 1:
            return False
        stamp, signature = stamps[0], signatures[0]
        if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= MAX_TIMESTAMP_DIGITS):
            return False
        if abs(self.clock() - int(stamp)) > 300:
            return False
        try:
            return self._verifier.is_valid(body=body, timestamp=stamp, signature=signature)
        except (UnicodeDecodeError, TypeError, ValueError):
            return False  # a body that is not UTF-8, or a signature with non-ASCII characters


class ClockAdapter(Clock):
    """slack-sdk's verifier asks a clock object for ``now()``."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock

    def now(self) -> float:
        return self._clock()
