"""Bolt's parts the adapter sets up its own way: the signature check on the server's clock,
the payload repaired before listeners read it, and a logger that keeps questions out of logs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.middleware.request_verification.async_request_verification import AsyncRequestVerification
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

from ..repair import repaired
from .ingress import ClockAdapter

__all__ = ["ClockedVerification", "quiet_logger", "repair_payload"]


class ClockedVerification(AsyncRequestVerification):
    """Bolt's signature check, reading time from the server's clock."""

    def __init__(self, signing_secret: str, clock: Callable[[], float]) -> None:
        super().__init__(signing_secret, base_logger=quiet_logger())
        self._clocked = SignatureVerifier(signing_secret, clock=ClockAdapter(clock))

    @property
    def verifier(self) -> SignatureVerifier:
        return self._clocked


async def repair_payload(req: AsyncBoltRequest, next_: Callable[[], Awaitable[Any]]) -> Any:
    """After the signature check (which needs the body as sent): the payload every listener
    reads, with text UTF-8 cannot hold repaired (:mod:`adapters.repair`)."""
    req.body = repaired(req.body)
    return await next_()


def quiet_logger() -> logging.Logger:
    """Bolt logs rejected and unhandled payloads at INFO and WARNING; payloads hold questions,
    so only its errors are kept."""
    logger = logging.getLogger("advisor.slack.bolt")
    logger.setLevel(logging.ERROR)
    return logger
