"""Bilingual text, the building block of every knowledge and policy file."""

from __future__ import annotations

import string
from typing import Annotated, ClassVar, Self

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

__all__ = ["LANGS", "Localized", "LocalizedList", "NonEmpty", "Sentences", "placeholders"]

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


class Sentences(BaseModel):
    """Named sentences, each a field in English and Hebrew, that may use only the
    ``PLACEHOLDERS`` of their kind (checked at load); ``say`` fills one in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    PLACEHOLDERS: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _known_placeholders(self) -> Self:
        for name in type(self).model_fields:
            phrase = getattr(self, name)
            if not isinstance(phrase, Localized):
                continue
            for lang in LANGS:
                unknown = placeholders(phrase.get(lang)) - self.PLACEHOLDERS
                if unknown:
                    raise ValueError(f"{name}.{lang}: unknown placeholder {{{sorted(unknown)[0]}}}")
        return self

    def say(self, name: str, lang: str, **fields: object) -> str:
        """The sentence ``name`` in ``lang`` with ``fields`` filled in."""
        phrase: Localized = getattr(self, name)
        return phrase.get(lang).format_map({k: str(v) for k, v in fields.items()})
