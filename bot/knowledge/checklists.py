"""Checklists: step-by-step guides as validated data, and the neutral views adapters render.

A checklist is split into sections of at most ten items, so each section fits one choice group
on every platform (Slack's checkbox element holds ten options).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator
from rapidfuzz import fuzz, process

from ..errors import KnowledgeError
from ..text import normalize
from .loading import read_model
from .localized import Localized, LocalizedList, NonEmpty
from .sources import Source

__all__ = [
    "MAX_SECTION_ITEMS",
    "Checklist",
    "ChecklistIndex",
    "ChecklistSummary",
    "ChecklistView",
    "ItemView",
    "SectionView",
    "load_checklists",
]

MAX_SECTION_ITEMS = 10
ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    text: Localized
    why: Localized
    source: Source | None = None


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: Localized | None = None
    items: list[Item] = Field(min_length=1, max_length=MAX_SECTION_ITEMS)


class Checklist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_PATTERN)
    title: Localized
    aliases: LocalizedList = LocalizedList()
    sources: list[Source] = Field(min_length=1)
    topics: list[NonEmpty] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_items(self) -> Checklist:
        seen: set[str] = set()
        for item in self.items():
            if item.id in seen:
                raise ValueError(f"item id {item.id!r} is used twice")
            seen.add(item.id)
        return self

    def items(self) -> Iterator[Item]:
        for section in self.sections:
            yield from section.items


@dataclass(frozen=True, slots=True)
class ItemView:
    id: str
    text: str
    why: str


@dataclass(frozen=True, slots=True)
class SectionView:
    title: str | None
    items: tuple[ItemView, ...]


@dataclass(frozen=True, slots=True)
class ChecklistView:
    """A checklist in one language, ready to render."""

    id: str
    title: str
    lang: str
    sources: tuple[str, ...]
    source_label: str
    sections: tuple[SectionView, ...]

    def items(self) -> list[ItemView]:
        return [item for section in self.sections for item in section.items]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "lang": self.lang,
            "sources": list(self.sources),
            "source_label": self.source_label,
            "sections": [
                {"title": s.title, "items": [{"id": i.id, "text": i.text, "why": i.why} for i in s.items]}
                for s in self.sections
            ],
        }


@dataclass(frozen=True, slots=True)
class ChecklistSummary:
    """What is left after a person ticks through a checklist, and why each item matters."""

    checklist: str
    title: str
    lang: str
    text: str
    ticked: tuple[str, ...]
    missed: tuple[ItemView, ...]
    topics: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missed


def view(checklist: Checklist, lang: str, source_label: str) -> ChecklistView:
    return ChecklistView(
        id=checklist.id,
        title=checklist.title.get(lang),
        lang=lang,
        sources=tuple(checklist.sources),
        source_label=source_label,
        sections=tuple(
            SectionView(
                title=section.title.get(lang) if section.title else None,
                items=tuple(ItemView(i.id, i.text.get(lang), i.why.get(lang)) for i in section.items),
            )
            for section in checklist.sections
        ),
    )


class ChecklistIndex:
    """Finds a checklist by id, name or alias in either language, with a typo allowance."""

    def __init__(self, checklists: Iterable[Checklist]) -> None:
        self.by_id = {c.id: c for c in checklists}
        self._names: dict[str, str] = {}
        for checklist in self.by_id.values():
            for name in [checklist.id, checklist.title.en, checklist.title.he, *checklist.aliases.all()]:
                self._names.setdefault(normalize(name).replace(" ", ""), checklist.id)

    def find(self, name: str) -> Checklist | None:
        key = normalize(name).replace(" ", "")
        if not key:
            return None
        if key in self._names:
            return self.by_id[self._names[key]]
        best = process.extractOne(key, list(self._names), scorer=fuzz.ratio, score_cutoff=85)
        return self.by_id[self._names[best[0]]] if best else None


def load_checklists(directory: Path, topics: Iterable[str]) -> dict[str, Checklist]:
    """Load ``directory/*.yaml``; every checklist must name known topics, ids must be unique."""
    known = set(topics)
    found: dict[str, Checklist] = {}
    for path in sorted(directory.glob("*.yaml")) if directory.is_dir() else []:
        checklist = read_model(path, Checklist)
        if checklist.id != path.stem:
            raise KnowledgeError(str(path), "id", f"{checklist.id!r} must match the file name")
        for i, topic in enumerate(checklist.topics):
            if topic not in known:
                raise KnowledgeError(str(path), f"topics.{i}", f"unknown topic {topic!r}")
        found[checklist.id] = checklist
    return found
