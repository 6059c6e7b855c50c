"""The organization's own rules: who owns the policy, which networks are professional, which
apps are approved. Loaded from a YAML file that overrides the shipped defaults without code."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .localized import Localized, LocalizedList, NonEmpty

__all__ = ["App", "Network", "Owner", "Policy"]

NetworkKind = Literal["professional", "personal"]


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


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    organization: Localized
    owner: Owner
    networks: list[Network] = Field(min_length=1)
    approved_apps: list[App] = []

    def network(self, network_id: str) -> Network | None:
        return next((n for n in self.networks if n.id == network_id), None)

    def app(self, app_id: str) -> App | None:
        return next((a for a in self.approved_apps if a.id == app_id), None)
