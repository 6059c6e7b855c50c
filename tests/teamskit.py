"""A Teams test rig: a fake Bot Connector (recording replies) that also serves OpenID metadata
and signing keys minted here, and the real advisor server with CloudAdapter at /api/messages."""

from __future__ import annotations

import asyncio
import copy
import json
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from aiohttp import web
from botframework.connector.auth import MicrosoftAppCredentials, ServiceClientCredentialsFactory
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from adapters.server import HTTP_LIMITS, TEAMS, build_app
from bot import load_settings
from bot.service import Service
from bot.testing import shipped_advisor

from .live import Loop, Reply, send

APP_ID = "00000000-aaaa-bbbb-cccc-000000000001"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
FIXTURES = Path(__file__).parent / "fixtures" / "teams"


class Key:
    def __init__(self, kid: str, endorsements: list[str] | None = None) -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.endorsements = endorsements if endorsements is not None else ["msteams", "webchat"]

    def jwk(self) -> dict[str, Any]:
        data = json.loads(RSAAlgorithm.to_jwk(self.private.public_key()))
        return data | {"kid": self.kid, "use": "sig", "endorsements": self.endorsements}

    def mint(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        return jwt.encode(
            claims, self.private, algorithm="RS256", headers={"kid": self.kid} | (headers or {})
        )


@dataclass
class Connector:
    """Stands in for the Bot Connector service and the Bot Framework's OpenID endpoints."""

    keys: list[Key] = field(default_factory=list)
    replies: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    down: set[str] = field(default_factory=set)
    """Conversations the stand-in answers with 503, as an unreachable channel."""
    refused: int = 0
    metadata_requests: int = 0
    stall: float = 0.0
    port: int = 0
    other_hosts_contacted: int = 0

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v3/conversations/{conversation}/activities/{activity}", self._reply)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._reply)
        app.router.add_put("/v3/conversations/{conversation}/activities/{activity}", self._update)
        app.router.add_get("/openid", self._metadata)
        app.router.add_get("/keys", self._keys)
        return app

    async def _reply(self, request: web.Request) -> web.Response:
        if request.match_info["conversation"] in self.down:
            self.refused += 1
            return web.json_response({"error": {"code": "ServiceUnavailable"}}, status=503)
        body = await request.json()
        body["_path"] = request.path
        body["_conversation"] = request.match_info["conversation"]
        body["_auth"] = request.headers.get("Authorization")
        peer = request.transport.get_extra_info("peername") if request.transport else None
        body["_peer"] = tuple(peer) if peer else None
        body["_id"] = uuid.uuid4().hex
        self.replies.append(body)
        return web.json_response({"id": body["_id"]})

    async def _update(self, request: web.Request) -> web.Response:
        if request.match_info["conversation"] in self.down:
            self.refused += 1
            return web.json_response({"error": {"code": "ServiceUnavailable"}}, status=503)
        body = await request.json()
        body["_conversation"] = request.match_info["conversation"]
        body["_activity"] = request.match_info["activity"]
        self.updates.append(body)
        return web.json_response({"id": body["_activity"]})

    async def _metadata(self, request: web.Request) -> web.Response:
        self.metadata_requests += 1
        if self.stall:
            await asyncio.sleep(self.stall)
        return web.json_response(
            {"issuer": "https://api.botframework.com", "jwks_uri": f"http://127.0.0.1:{self.port}/keys"}
        )

    async def _keys(self, request: web.Request) -> web.Response:
        return web.json_response({"keys": [k.jwk() for k in self.keys]})

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.replies) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.replies

    def to(self, conversation: str) -> list[dict[str, Any]]:
        """What was posted in one conversation, in order."""
        return [r for r in self.replies if r["_conversation"] == conversation]

    def until(self, condition: Any, timeout: float = 20.0) -> Any:
        """Wait for ``condition()`` to be true (returning it), failing at a generous deadline."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = condition()
            if found:
                return found
            time.sleep(0.02)
        raise AssertionError("the connector never saw what the test waited for")


class StaticToken(ServiceClientCredentialsFactory):
    """Outbound calls need an Azure AD token; Azure AD lies outside this machine."""

    async def is_valid_app_id(self, app_id: str) -> bool:
        return app_id == APP_ID

    async def is_authentication_disabled(self) -> bool:
        return False

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        return _Credentials(app_id)


class _Credentials(MicrosoftAppCredentials):
    def __init__(self, app_id: str) -> None:
        super().__init__(app_id, "unused")

    def get_access_token(self, force_refresh: bool = False) -> str:
        return "outbound-test-token"


class TokenEndpoint:
    """Stands in for Azure AD's token endpoint, on a loop of its own: each request waits until
    ``release`` is set, as a slow endpoint would; ``requested`` is set on the first."""

    def __init__(self) -> None:
        self.loop = Loop()
        self.requests = 0
        self.requested = threading.Event()
        self.release = threading.Event()
        self.port = self.loop.serve(self._app())

    def _app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/token", self._token)
        return app

    async def _token(self, request: web.Request) -> web.Response:
        self.requests += 1
        self.requested.set()
        while not self.release.is_set():
            await asyncio.sleep(0.01)
        token = jwt.encode({"exp": int(time.time()) + 3600, "n": self.requests}, "k" * 32, algorithm="HS256")
        return web.json_response({"access_token": token, "expires_in": 3600})

    def credentials(self) -> ServiceClientCredentialsFactory:
        return _Fetching(f"http://127.0.0.1:{self.port}/token")

    def close(self) -> None:
        self.release.set()
        self.loop.close()


class _Fetching(StaticToken):
    def __init__(self, url: str) -> None:
        self.url = url

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> Any:
        return _BlockingCredentials(app_id, self.url)


class _BlockingCredentials(MicrosoftAppCredentials):
    """Gets its token with a blocking HTTP call, as msal does."""

    def __init__(self, app_id: str, url: str) -> None:
        super().__init__(app_id, "unused")
        self.url = url

    def get_access_token(self, force_refresh: bool = False) -> str:
        with urllib.request.urlopen(self.url, data=b"grant_type=client_credentials", timeout=20) as answer:
            return str(json.loads(answer.read())["access_token"])


def activity(name: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8")))
    for key, value in changes.items():
        data[key] = value
    return data


class TeamsRig:
    def __init__(
        self,
        tmp_path: Path,
        app_id: str = APP_ID,
        env: str = "development",
        credentials: ServiceClientCredentialsFactory | None = None,
        peer: TeamsRig | None = None,
        **settings: Any,
    ) -> None:
        """``peer``: another replica, whose Bot Connector stand-in this one shares."""
        self.loop = Loop()
        if peer is not None:
            self.connector, self.key = peer.connector, peer.key
        else:
            self.connector = Connector()
            self.key = Key("key-a")
            self.connector.keys.append(self.key)
            self.connector.port = self.loop.serve(self.connector.app())
        self.service_url = f"http://127.0.0.1:{self.connector.port}/"
        values: dict[str, Any] = {
            "env": env,
            "data_dir": tmp_path,
            "database_url": f"sqlite:///{tmp_path / 'log.db'}",
            "microsoft_app_id": app_id,
            "teams_enabled": True,
            "log_flush_seconds": 0.02,
            "teams_openid_url": f"http://127.0.0.1:{self.connector.port}/openid",
            "teams_service_url": self.service_url,
            "teams_emulator_openid_url": f"http://127.0.0.1:{self.connector.port}/openid",
            "pseudonym_key": "teams-test-key-" * 3,
        }
        self.settings = load_settings(**(values | settings))
        self.service = Service.start(self.settings, base=shipped_advisor())
        if (self.settings.database_url or "").startswith("postgresql"):
            self.service.store.upgrade()
        outbound = (credentials or StaticToken()) if app_id else None
        self.app = build_app(self.service, self.settings, teams_credentials=outbound)
        self.port = self.loop.serve(self.app, **HTTP_LIMITS)

    @property
    def adapter(self) -> Any:
        return self.app[TEAMS]

    def close(self) -> None:
        self.loop.close()
        self.service.close()

    def claims(self, **changes: Any) -> dict[str, Any]:
        now = int(time.time())
        return {
            "iss": "https://api.botframework.com",
            "aud": APP_ID,
            "serviceurl": self.service_url,
            "nbf": now - 60,
            "exp": now + 3600,
        } | changes

    def token(self, key: Key | None = None, **changes: Any) -> str:
        return (key or self.key).mint(self.claims(**changes))

    def post(
        self,
        body: dict[str, Any] | bytes,
        token: str | None = "default",
        headers: list[tuple[str, str]] | None = None,
    ) -> Reply:
        if isinstance(body, dict):
            body = {"serviceUrl": self.service_url} | body if "serviceUrl" not in body else body
            raw = json.dumps(body).encode()
        else:
            raw = body
        sent = headers if headers is not None else [("Content-Type", "application/json")]
        if token == "default":
            token = self.token()
        if token is not None:
            sent = [*sent, ("Authorization", f"Bearer {token}")]
        return send(self.port, "/api/messages", raw, sent)

    def rows(self) -> list[Any]:
        from .slackkit import EVER

        self.service.writer.flush(5)
        return self.service.store.questions(*EVER)
