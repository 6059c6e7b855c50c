"""Authenticating Bot Framework requests for CloudAdapter.

botbuilder's own token path fetches the OpenID metadata with a blocking call and no timeout,
fails with IndexError when a key id is new (instead of refreshing the keys), and accepts
emulator tokens in production. Here, as a ``BotFrameworkAuthentication`` that CloudAdapter
calls: keys come from the metadata document asynchronously, with a timeout, cached and refreshed
when an unknown key id appears (at most once a minute); a token must be RS256 and signed by a
key whose endorsements include the activity's channel, come from the Bot Framework issuer (or,
in development only, the emulator), name this bot as audience, be within its lifetime (five
minutes of clock skew), and carry the activity's serviceUrl. Anything else is PermissionError,
which CloudAdapter answers with 401. The outbound connectors it hands CloudAdapter are made in
:mod:`adapters.teams.connector`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import jwt
from botbuilder.schema import Activity
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
)
from jwt.algorithms import RSAAlgorithm

from .connector import CardSerializer, Clients, ReusedConnectors, Sender
from .tokens import Tokens

__all__ = ["AdvisorAuthentication", "OpenIdKeys", "TokenValidator"]

log = logging.getLogger(__name__)

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
EMULATOR_ISSUERS = frozenset(
    {
        "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/",
        "https://login.microsoftonline.com/d6d49420-f39b-4df7-a1dc-d59a935871db/v2.0",
        "https://sts.windows.net/f8cdef31-a31e-4b4a-93e4-5f571e91255a/",
        "https://login.microsoftonline.com/f8cdef31-a31e-4b4a-93e4-5f571e91255a/v2.0",
    }
)
SKEW_SECONDS = 300
REFRESH_EVERY = 24 * 3600
MIN_REFRESH_GAP = 60.0


class OpenIdKeys:
    """Signing keys from an OpenID metadata document, fetched without blocking the loop."""

    def __init__(
        self, metadata_url: str, timeout: float = 5.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.metadata_url = metadata_url
        self.timeout = timeout
        self.clock = clock
        self.refreshes = 0
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = -1e18
        self._lock = asyncio.Lock()

    async def find(self, kid: str) -> dict[str, Any] | None:
        """The JWK with this key id; a stale cache or an unknown id triggers a refresh."""
        now = self.clock()
        if now - self._fetched_at > REFRESH_EVERY or (
            kid not in self._keys and now - self._fetched_at > MIN_REFRESH_GAP
        ):
            await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        async with self._lock:
            if self.clock() - self._fetched_at <= MIN_REFRESH_GAP and self._keys:
                return
            timeout = aiohttp.ClientTimeout(total=self.timeout)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.get(self.metadata_url) as response:
                    response.raise_for_status()
                    jwks_uri = (await response.json(content_type=None))["jwks_uri"]
                async with session.get(jwks_uri) as response:
                    response.raise_for_status()
                    keys = (await response.json(content_type=None))["keys"]
            self._keys = {k["kid"]: k for k in keys if isinstance(k, dict) and "kid" in k}
            self._fetched_at = self.clock()
            self.refreshes += 1


class TokenValidator:
    def __init__(
        self,
        app_id: str,
        keys: OpenIdKeys,
        emulator_keys: OpenIdKeys | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_id = app_id
        self.keys = keys
        self.emulator_keys = emulator_keys
        self.clock = clock

    async def validate(self, auth_header: str, channel_id: str, service_url: str | None) -> dict[str, Any]:
        """The token's claims, or PermissionError saying (for the log) what was wrong."""
        scheme, _, token = (auth_header or "").partition(" ")
        if scheme != "Bearer" or not token.strip():
            raise PermissionError("no bearer token")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise PermissionError("malformed token") from exc
        if header.get("alg") != "RS256":
            raise PermissionError("token algorithm not allowed")
        issuer = unverified.get("iss")
        emulator = issuer in EMULATOR_ISSUERS
        if issuer != BOT_FRAMEWORK_ISSUER and not (emulator and self.emulator_keys):
            raise PermissionError("token issuer not allowed")
        source = self.emulator_keys if emulator and self.emulator_keys else self.keys
        try:
            jwk = await source.find(str(header.get("kid", "")))
        except (TimeoutError, aiohttp.ClientError, KeyError, ValueError) as exc:
            raise PermissionError(f"signing keys unavailable ({type(exc).__name__})") from exc
        if jwk is None:
            raise PermissionError("unknown signing key")
        endorsements = jwk.get("endorsements")
        if not emulator and endorsements is not None and channel_id not in endorsements:
            raise PermissionError("signing key not endorsed for this channel")
        audience = (
            self.app_id
            if not emulator
            else [self.app_id, AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE]
        )
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                RSAAlgorithm.from_jwk(json.dumps(jwk)),  # type: ignore[arg-type]
                algorithms=["RS256"],
                audience=audience,
                issuer=issuer,
                leeway=SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError) as exc:
            raise PermissionError(f"invalid token ({type(exc).__name__})") from exc
        if isinstance(claims["aud"], list):
            # A list of audiences passed only because it names this bot: outbound clients are
            # kept by the app id the audience claim names.
            claims["aud"] = self.app_id
        if emulator:
            if claims.get("appid", claims.get("azp")) != self.app_id:
                raise PermissionError("emulator token for another app")
        elif claims.get("serviceurl") != service_url:
            raise PermissionError("serviceUrl does not match the token")
        return claims


def _app_id(identity: ClaimsIdentity) -> str | None:
    value = identity.get_claim_value(AuthenticationConstants.AUDIENCE_CLAIM) or identity.get_claim_value(
        AuthenticationConstants.APP_ID_CLAIM
    )
    return str(value) if value else None


class AdvisorAuthentication(BotFrameworkAuthentication):
    """CloudAdapter's authentication: our token checks inbound, botbuilder's connectors outbound
    (kept and reused across activities)."""

    def __init__(self, inner: BotFrameworkAuthentication, validator: TokenValidator | None) -> None:
        self.inner = inner
        self.validator = validator
        self.connectors = Clients()
        self.token_clients = Clients()
        self.sender = Sender()
        self.serializer = CardSerializer()
        self.tokens = Tokens()

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        if self.validator is None:  # development without an app id: botbuilder's anonymous path
            result = await self.inner.authenticate_request(activity, auth_header or None)
            if result.connector_factory is not None and result.claims_identity is not None:
                result.connector_factory = self.create_connector_factory(result.claims_identity)
            return result
        claims = await self.validator.validate(auth_header, activity.channel_id or "", activity.service_url)
        identity = ClaimsIdentity(claims, True)
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        result.caller_id = None
        result.connector_factory = self.create_connector_factory(identity)
        return result

    async def authenticate_streaming_request(
        self, auth_header: str, channel_id_header: str
    ) -> AuthenticateRequestResult:
        raise PermissionError("streaming is not offered")

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> Any:
        return ReusedConnectors(
            self.inner.create_connector_factory(claims_identity),
            self.connectors,
            _app_id(claims_identity),
            self.sender,
            self.serializer,
            self.tokens,
        )

    async def close(self) -> None:
        await self.sender.close()

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> Any:
        return await self.token_clients.get(
            _app_id(claims_identity), lambda: self.inner.create_user_token_client(claims_identity)
        )

    def create_bot_framework_client(self) -> Any:
        return self.inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self.inner.get_originating_audience())
