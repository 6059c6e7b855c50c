"""The organization's own rules: who owns the policy, which networks are professional, which
apps are approved. Loaded from a YAML file that overrides the shipped defaults without code."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .localized import Localized, LocalizedList, NonEmpty

__all__ = ["App", "LinkKind", "LinkRule", "Network", "Owner", "Policy"]

NetworkKind = Literal["professional", "personal"]
LinkKind = Literal["join-group", "install-app"]

# ``[*.]host[/path]``: a host in lower case (an IDN in its ``xn--`` form), ``*.`` for the host and
# any subdomain of it; the path a prefix of the link's path and query, ``*`` one path segment.
LINK_PATTERN = re.compile(r"(\*\.)?[a-z0-9-]{1,63}(\.[a-z0-9-]{1,63}){1,8}(/[!-~]{0,200})?")


class Owner(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Localized
    contact: NonEmpty


class Network(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: NonEmpty
    name: NonEmpty
    kind: NetworkKind
    aliases: LocalizedList = LocalizedList()


class App(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: NonEmpty
    name: NonEmpty
    aliases: LocalizedList = LocalizedList()
    note: Localized


class LinkRule(BaseModel):
    """A kind of link the nudge looks for: to join a group, or to install an app, on a network
    (``network``) or of an approved app (``app``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: LinkKind
    pattern: str
    network: str | None = None
    app: str | None = None

    @field_validator("pattern")
    @classmethod
    def _pattern(cls, value: str) -> str:
        if not LINK_PATTERN.fullmatch(value):
            raise ValueError(
                'a link pattern is a lower-case host ("*." in front for its subdomains too), '
                "then an optional path such as /groups/: " + repr(value[:80])
            )
        return value

    @model_validator(mode="after")
    def _names_one(self) -> LinkRule:
        if (self.network is None) == (self.app is None):
            raise ValueError("a link rule names either a network or an app")
        return self

    @property
    def subject(self) -> str:
        """The network or app id, as counted in the report."""
        return self.network or self.app or ""


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    organization: Localized
    owner: Owner
    networks: list[Network] = Field(min_length=1)
    approved_apps: list[App] = []
    links: list[LinkRule] = []

    @model_validator(mode="after")
    def _links_name_known(self) -> Policy:
        networks = {n.id for n in self.networks}
        apps = {a.id for a in self.approved_apps}
        for i, rule in enumerate(self.links):
            if rule.network is not None and rule.network not in networks:
                raise ValueError(f"links[{i}]: network {rule.network!r} is not one of networks")
            if rule.app is not None and rule.app not in apps:
                raise ValueError(f"links[{i}]: app {rule.app!r} is not one of approved_apps")
        return self

    def network(self, network_id: str) -> Network | None:
        return next((n for n in self.networks if n.id == network_id), None)

    def app(self, app_id: str) -> App | None:
        return next((a for a in self.approved_apps if a.id == app_id), None)
