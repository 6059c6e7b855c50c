"""The advisor server with the web page on, for API and browser tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters.server import build_app, server_options
from bot import load_settings
from bot.service import Service
from bot.testing import shipped_advisor

from .live import Loop, Reply, send

ADMIN_TOKEN = "test-admin-token-123"


def open_tickets_page(page: Any) -> None:
    """Sign in to the dashboard in a Playwright ``page`` and open its tickets page."""
    page.goto("/admin/tickets")
    page.fill("#token", ADMIN_TOKEN)
    page.click("button[type=submit]")
    page.locator("#topics").wait_for()
    page.goto("/admin/tickets")


class WebRig:
    def __init__(self, tmp_path: Path, **settings: Any) -> None:
        values: dict[str, Any] = {
            "env": "development",
            "data_dir": tmp_path,
            "log_flush_seconds": 0.02,
            "database_url": f"sqlite:///{tmp_path / 'log.db'}",
            "admin_token": ADMIN_TOKEN,
            # Tests send bursts from one address; the limits' own tests set them low.
            "api_burst": 10_000,
        }
        self.settings = load_settings(**(values | settings))
        self.service = Service.start(self.settings, base=shipped_advisor())
        self.loop = Loop()
        self.app = build_app(self.service, self.settings)
        self.port = self.loop.serve(self.app, **server_options(self.settings))
        self.base = f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.loop.close()
        self.service.close()

    def post(self, path: str, body: Any, headers: list[tuple[str, str]] | None = None) -> Reply:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        return send(
            self.port, path, raw, headers if headers is not None else [("Content-Type", "application/json")]
        )

    def get(self, path: str, headers: list[tuple[str, str]] | None = None) -> Reply:
        return send(self.port, path, method="GET", headers=headers or [])
