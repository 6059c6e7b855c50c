"""Bilingual text, the building block of every knowledge and policy file."""

from __future__ import annotations

import string
from collections.abc import Collection
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

__all__ = ["LANGS", "Localized", "LocalizedList", "NonEmpty", "check_placeholders", "placeholders"]

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


def check_placeholders(phrases: BaseModel, allowed: Collection[str]) -> None:
    """Raise ``ValueError`` naming the first of ``phrases``' texts (``field.lang``) that uses a
    placeholder not ``allowed``."""
    for name in type(phrases).model_fields:
        phrase = getattr(phrases, name)
        if not isinstance(phrase, Localized):
            continue
        for lang in LANGS:
            unknown = placeholders(phrase.get(lang)) - set(allowed)
            if unknown:
                raise ValueError(f"{name}.{lang}: unknown placeholder {{{sorted(unknown)[0]}}}")
