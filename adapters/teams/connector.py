"""The outbound Bot Connector transport: the clients that send replies to Teams.

Connectors are still botbuilder's, but reused: CloudAdapter asks for a new connector client and
user token client on every activity, and each new one builds its own HTTP session and retry
tables (30 ms of CPU or so, on the event loop). Their requests go out with aiohttp on the event
loop over one kept session (:class:`Sender`), with the app's token fetched off the loop
(:mod:`adapters.teams.tokens`).
"""

from __future__ import annotations

import asyncio
import copy
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import aiohttp
from botframework.connector import models
from botframework.connector.auth import (
    ConnectorFactory,
)
from msrest import Serializer
from msrest.exceptions import ClientRequestError
from msrest.pipeline import Request, Response
from msrest.pipeline.async_abc import AsyncHTTPPolicy, AsyncHTTPSender, AsyncPipeline
from msrest.pipeline.universal import RawDeserializer
from msrest.universal_http.aiohttp import AioHttpClientResponse

from .tokens import OutboundToken, Tokens

__all__ = ["CardSerializer", "Clients", "ReusedConnectors", "Sender"]

# The longest a request to the Bot Connector may take (Teams waits about 15 s for the answer).
SEND_TIMEOUT_SECONDS = 12.0
# Pauses before trying again to connect to the Bot Connector (seconds).
CONNECT_RETRY_PAUSES = (0.5, 1.0)

# Outbound clients kept at once (one per service URL and audience in practice; Teams uses a few).
MAX_CLIENTS = 32


class Clients:
    """The last ``MAX_CLIENTS`` clients made, by key; older ones are dropped (never closed: a
    turn may still hold one)."""

    def __init__(self, limit: int = MAX_CLIENTS) -> None:
        self.limit = limit
        self._made: OrderedDict[Hashable, Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self._made)

    async def get(self, key: Hashable, make: Callable[[], Awaitable[Any]]) -> Any:
        client = self._made.get(key)
        if client is None:
            client = await make()
            self._made[key] = client
            while len(self._made) > self.limit:
                self._made.popitem(last=False)
        self._made.move_to_end(key)
        return client


class Sender(AsyncHTTPSender):  # type: ignore[type-arg]
    """The connector clients' HTTP: aiohttp on the event loop, over one session kept for all of
    them. msrest's default sends each request with requests' blocking client on a thread of the
    default pool, which costs a thread hand-off and more CPU per reply, and holds the
    interpreter lock against the event loop while it parses the response."""

    def __init__(self, timeout: float = SEND_TIMEOUT_SECONDS) -> None:
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Sender:
        return self

    async def __aexit__(self, *exc_details: object) -> None:
        return None

    def build_context(self) -> None:
        return None

    async def send(self, request: Request[Any], **config: Any) -> Response[Any, Any]:
        """Send, trying again (after 0.5 s, then 1 s) only when no connection could be made: the
        request was not sent, so it cannot go twice (msrest's ``requests`` path does the same)."""
        pauses = list(CONNECT_RETRY_PAUSES)
        while True:
            try:
                return await self._send_once(request)
            except aiohttp.ClientConnectorError as exc:
                if not pauses:
                    raise ClientRequestError(f"cannot reach the Bot Connector ({exc})") from exc
                await asyncio.sleep(pauses.pop(0))
            except (aiohttp.ClientError, TimeoutError) as exc:
                raise ClientRequestError(f"{type(exc).__name__} sending to the Bot Connector") from exc

    async def _send_once(self, request: Request[Any]) -> Response[Any, Any]:
        http = request.http_request
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        raw = await self._session.request(http.method, http.url, headers=dict(http.headers), data=http.data)
        response = AioHttpClientResponse(http, raw)
        try:
            await response.load_body()
        finally:
            raw.release()
        return Response(request, response)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


class _Bearer(AsyncHTTPPolicy):  # type: ignore[type-arg]
    """The app's token on each request's own headers (msrest's policy for requests puts it on
    the shared session's, and fetches it with a blocking call on the event loop)."""

    def __init__(self, token: OutboundToken | None) -> None:
        super().__init__()
        self.token = token

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        header = await self.token.authorization() if self.token is not None else None
        if header:
            request.http_request.headers["Authorization"] = header
        return await self.next.send(request, **kwargs)  # type: ignore[union-attr]


class CardSerializer(Serializer):
    """msrest's serializer for the connector's requests, except that an outgoing activity's
    attachments whose content is a plain dict (the Adaptive Cards this adapter renders: JSON
    already) are put into the body as they are. msrest walks every string of a card through its
    type checks, about 2 ms of the event loop's time per card; the body is the same."""

    def __init__(self) -> None:
        super().__init__({k: v for k, v in models.__dict__.items() if isinstance(v, type)})  # type: ignore[no-untyped-call]

    def body(self, data: Any, data_type: str, **kwargs: Any) -> Any:
        attachments = getattr(data, "attachments", None) if data_type == "Activity" else None
        if not attachments or not all(isinstance(a.content, dict) for a in attachments):
            return super().body(data, data_type, **kwargs)  # type: ignore[no-untyped-call]
        bare = copy.copy(data)
        bare.attachments = [copy.copy(a) for a in attachments]
        for attachment in bare.attachments:
            attachment.content = None
        body = super().body(bare, data_type, **kwargs)  # type: ignore[no-untyped-call]
        for serialized, attachment in zip(body["attachments"], attachments, strict=True):
            serialized["content"] = attachment.content
        return body


class ReusedConnectors(ConnectorFactory):
    """botbuilder's connector factory for one identity, with its clients kept in ``clients``,
    sending through ``sender`` with the app's token from ``tokens``, and serializing
    activities with ``serializer``."""

    def __init__(
        self,
        inner: ConnectorFactory,
        clients: Clients,
        app_id: str | None,
        sender: Sender,
        serializer: CardSerializer,
        tokens: Tokens,
    ) -> None:
        self.inner, self.clients, self.app_id = inner, clients, app_id
        self.sender, self.serializer, self.tokens = sender, serializer, tokens

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        async def make() -> Any:
            client = await self.inner.create(service_url, audience)
            client.conversations._serialize = self.serializer
            config = client.config
            config.pipeline = AsyncPipeline(
                [
                    config.user_agent_policy,
                    _Bearer(self.tokens(config.credentials) if config.credentials else None),
                    RawDeserializer(),
                    config.http_logger_policy,
                ],
                self.sender,
            )
            return client

        return await self.clients.get((self.app_id, service_url, audience), make)
