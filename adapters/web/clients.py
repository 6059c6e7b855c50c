"""Who sent a request, and over which scheme, when a reverse proxy stands in between.

``X-Forwarded-For`` and ``X-Forwarded-Proto`` are believed only from the proxies named in
``ADVISOR_TRUSTED_PROXIES``: anyone else could send them to pick another client's address (and
so its rate limit) at will.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from aiohttp import web

__all__ = ["Proxies"]

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


class Proxies:
    def __init__(self, networks: Sequence[str]) -> None:
        self.networks: list[Network] = [ipaddress.ip_network(n, strict=False) for n in networks]

    def trusted(self, text: str | None) -> bool:
        address = _address(text or "")
        return address is not None and any(address in n for n in self.networks)

    def client(self, request: web.BaseRequest) -> str:
        """The client's address: the peer's, or from a trusted proxy the last address in
        ``X-Forwarded-For`` that is not one of the trusted proxies."""
        peer = request.remote or ""
        if not self.trusted(peer):
            return peer
        hops = [h.strip() for h in ",".join(request.headers.getall("X-Forwarded-For", [])).split(",")]
        for hop in reversed([h for h in hops if h]):
            if not self.trusted(hop):
                address = _address(hop)
                return str(address) if address is not None else peer
        return peer

    def is_https(self, request: web.BaseRequest) -> bool:
        if request.secure:
            return True
        if not self.trusted(request.remote):
            return False
        forwarded = request.headers.get("X-Forwarded-Proto", "")
        return forwarded.split(",")[0].strip().lower() == "https"
