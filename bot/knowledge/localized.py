"""Bilingual text, the building block of every knowledge and policy file."""

from __future__ import annotations

import string
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

__all__ = ["LANGS", "Localized", "LocalizedList", "NonEmpty", "placeholders"]

LANGS = ("en", "he")

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Localized(BaseModel):
    """A text in English and Hebrew; both are required."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: NonEmpty
    he: NonEmpty

    def get(self, lang: str) -> str:
        return self.he if lang == "he" else self.en


class LocalizedList(BaseModel):
    """A list of texts per language (example questions, keywords, aliases)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    en: list[NonEmpty] = []
    he: list[NonEmpty] = []

    def get(self, lang: str) -> list[str]:
        return self.he if lang == "he" else self.en

    def all(self) -> list[str]:
        return [*self.en, *self.he]


def placeholders(template: str) -> set[str]:
    """The ``{name}`` fields a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
