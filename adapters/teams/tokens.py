"""Tokens for outbound Bot Connector calls, fetched without blocking the event loop.

botbuilder's credentials get their Azure AD token from msal, which calls ``requests``; msrest's
policy asks for it on every request, so on the event loop a slow token endpoint stalled every
other request (``/healthz`` too) for as long as Azure AD took. Here a token is fetched on a
worker thread, with a timeout, one fetch at a time per app and scope (callers that come
meanwhile wait for the same one), and kept until shortly before it expires.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import jwt
from botframework.connector.auth import AuthenticationConstants
from msrest.exceptions import ClientRequestError

__all__ = ["OutboundToken", "Tokens"]

log = logging.getLogger(__name__)

# The longest a caller waits for a token (Teams waits about 15 s for the whole turn).
TOKEN_TIMEOUT_SECONDS = 10.0
# A kept token is fetched again this long before it expires.
REFRESH_MARGIN_SECONDS = 300.0
# How long a token whose expiry cannot be read is kept (Azure AD's live an hour or more).
UNKNOWN_LIFETIME_SECONDS = 600.0

# Fetches wait on the network; a pool of their own keeps them off the default executor.
FETCHING = ThreadPoolExecutor(max_workers=2, thread_name_prefix="teams-token")


def _lifetime(token: str, wall: Callable[[], float]) -> float:
    """Seconds the token stays valid, from its ``exp`` claim when it is a JWT."""
    try:
        expires = jwt.decode(token, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        return UNKNOWN_LIFETIME_SECONDS
    return float(expires) - wall() if isinstance(expires, int | float) else UNKNOWN_LIFETIME_SECONDS


class OutboundToken:
    """``await token.authorization()``: the ``Authorization`` header for one app and scope, or
    None when the credentials are anonymous (development without an app id)."""

    def __init__(
        self,
        credentials: Any,
        timeout: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.credentials = credentials
        self.timeout = timeout if timeout is not None else TOKEN_TIMEOUT_SECONDS
        self.clock, self.wall = clock, wall
        self.fetches = 0
        self._token: str | None = None
        self._fresh_until = -1e18
        self._fetch: asyncio.Future[str] | None = None

    @property
    def anonymous(self) -> bool:
        app_id = getattr(self.credentials, "microsoft_app_id", None)
        return not app_id or app_id == AuthenticationConstants.ANONYMOUS_SKILL_APP_ID

    async def authorization(self) -> str | None:
        if self.anonymous:
            return None
        if self._token is not None and self.clock() < self._fresh_until:
            return f"Bearer {self._token}"
        if self._fetch is None:
            self.fetches += 1
            self._fetch = asyncio.get_running_loop().run_in_executor(
                FETCHING, self.credentials.get_access_token
            )
            self._fetch.add_done_callback(self._fetched)
        try:
            # shield: a caller that gives up leaves the fetch to the others (and to the cache).
            token = await asyncio.wait_for(asyncio.shield(self._fetch), self.timeout)
        except TimeoutError as exc:
            raise ClientRequestError(f"no Bot Connector token within {self.timeout:g} s") from exc
        except (OSError, ValueError) as exc:  # requests' errors, msal's PermissionError
            raise ClientRequestError(f"cannot get a Bot Connector token ({type(exc).__name__})") from exc
        return f"Bearer {token}"

    def _fetched(self, fetch: asyncio.Future[str]) -> None:
        self._fetch = None
        if fetch.cancelled() or fetch.exception() is not None:
            log.warning("Bot Connector token fetch failed (%s)", type(fetch.exception()).__name__)
            return
        token = fetch.result()
        lifetime = _lifetime(token, self.wall)
        keep = lifetime - REFRESH_MARGIN_SECONDS if lifetime > 2 * REFRESH_MARGIN_SECONDS else lifetime / 2
        self._token, self._fresh_until = token, self.clock() + keep


class Tokens:
    """One :class:`OutboundToken` per app id and OAuth scope: the connector clients made for
    each service URL share it, so concurrent first activities cause one fetch."""

    def __init__(self) -> None:
        self._made: dict[tuple[Any, Any], OutboundToken] = {}

    def __call__(self, credentials: Any) -> OutboundToken:
        key = (getattr(credentials, "microsoft_app_id", None), getattr(credentials, "oauth_scope", None))
        token = self._made.get(key)
        if token is None:
            token = self._made[key] = OutboundToken(credentials)
        return token
