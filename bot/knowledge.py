"""The knowledge base as validated data: topics, fixed phrases and the organization's policy.

Every file is checked by pydantic at load; the first problem stops loading with a
:class:`~bot.errors.KnowledgeError` that names the file, the field and what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .answer import Verdict
from .errors import KnowledgeError
from .localized import Localized, LocalizedList, NonEmpty, placeholders
from .policy import Policy

__all__ = [
    "REQUIRED_TOPICS",
    "SOURCES",
    "Condition",
    "Knowledge",
    "Phrases",
    "Topic",
    "VerdictRule",
    "load_knowledge",
    "read_model",
]

Source = Literal[
    "Rule 1", "Rule 2", "Rule 3", "Rule 4", "Benefits", "Platform limits", "Strategy", "Overview"
]
SOURCES: tuple[str, ...] = Source.__args__  # type: ignore[attr-defined]

REQUIRED_TOPICS = (
    "separate-accounts",
    "restrict-visibility",
    "install-apps",
    "join-groups",
    "friend-of-a-friend",
    "platform-limitations",
    "business-benefits",
    "recruitment",
    "product-marketing",
    "viral-promo",
    "market-research",
    "networking-exposure",
    "target-audience",
    "cost-benefit",
    "integrated-marketing",
    "greeting",
    "help",
    "thanks",
)

# Fields an answer template may use; the advisor fills them from the policy and the question.
TEMPLATE_FIELDS = frozenset({"org", "owner", "contact", "network", "app", "app_note"})


class Condition(BaseModel):
    """When a verdict rule applies: what kind of network, or which app, the question named."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    network_kind: Literal["professional", "personal", "none"] | None = None
    app: Literal["approved", "none"] | None = None


class VerdictRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    when: Condition
    verdict: Verdict
    answer: Localized


class Topic(BaseModel):
    """One thing the advisor knows, with the questions that lead to it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    kind: Literal["advice", "smalltalk", "decline"] = "advice"
    title: Localized
    source: Source
    verdict: Verdict
    answer: Localized
    examples: LocalizedList
    keywords: LocalizedList = LocalizedList()
    related: list[NonEmpty] = []
    checklist: NonEmpty | None = None
    verdicts: list[VerdictRule] = []

    @model_validator(mode="after")
    def _check(self) -> Topic:
        if len(self.examples.en) < 3 or len(self.examples.he) < 3:
            raise ValueError("examples: at least 3 English and 3 Hebrew questions are needed")
        texts = [self.answer, *(rule.answer for rule in self.verdicts)]
        for text in texts:
            for lang in ("en", "he"):
                unknown = placeholders(text.get(lang)) - TEMPLATE_FIELDS
                if unknown:
                    raise ValueError(
                        f"answer uses unknown placeholder(s) {sorted(unknown)}; "
                        f"allowed: {sorted(TEMPLATE_FIELDS)}"
                    )
        return self


class Phrases(BaseModel):
    """Every fixed sentence the advisor says, in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    decline: Localized
    clarify: Localized
    apology: Localized
    empty: Localized
    no_words: Localized
    too_long: Localized
    source_cite: Localized
    related: Localized
    checklist: Localized
    none_of_these: Localized
    helpful: Localized
    not_helpful: Localized
    verdicts: dict[Verdict, Localized]
    sources: dict[Source, Localized]

    @model_validator(mode="after")
    def _complete(self) -> Phrases:
        missing = [v.value for v in Verdict if v not in self.verdicts]
        missing += [s for s in SOURCES if s not in self.sources]
        if missing:
            raise ValueError(f"labels missing for {missing}")
        return self


class DomainTerms(BaseModel):
    """Generic words ("social media", "רשתות חברתיות") that mark a question as in the domain."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: LocalizedList


@dataclass(frozen=True)
class Knowledge:
    """Everything the advisor says, loaded once and shared read-only."""

    topics: dict[str, Topic]
    phrases: Phrases
    policy: Policy
    synonyms: dict[str, list[str]]
    domain_terms: LocalizedList


M = TypeVar("M", bound=BaseModel)


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(file)"


def read_model(path: Path, model: type[M]) -> M:
    """Parse one YAML file into ``model``, turning any problem into a KnowledgeError."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(str(path), "", f"cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(str(path), "", f"is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeError(str(path), "", "must hold a mapping of fields")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise KnowledgeError(str(path), _field_name(first["loc"]), first["msg"]) from exc


def _check_references(topics: dict[str, Topic], topics_dir: Path) -> None:
    missing = [tid for tid in REQUIRED_TOPICS if tid not in topics]
    if missing:
        raise KnowledgeError(str(topics_dir), "id", f"required topics missing: {missing}")
    for topic in topics.values():
        for i, ref in enumerate(topic.related):
            if ref not in topics:
                raise KnowledgeError(
                    str(topics_dir / f"{topic.id}.yaml"), f"related.{i}", f"unknown topic {ref!r}"
                )


def load_topics(topics_dir: Path) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    files = sorted(topics_dir.glob("*.yaml"))
    if not files:
        raise KnowledgeError(str(topics_dir), "", "holds no topic files (*.yaml)")
    for path in files:
        topic = read_model(path, Topic)
        if topic.id != path.stem:
            raise KnowledgeError(str(path), "id", f"{topic.id!r} must match the file name")
        topics[topic.id] = topic
    _check_references(topics, topics_dir)
    return topics


def load_synonyms(path: Path) -> dict[str, list[str]]:
    """Synonym groups: one word per entry, each word in one group only."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise KnowledgeError(str(path), "", f"cannot be read as YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise KnowledgeError(str(path), "", "must map group names to lists of words")
    owner: dict[str, str] = {}
    for name, words in data.items():
        if not isinstance(words, list) or not words:
            raise KnowledgeError(str(path), str(name), "must be a non-empty list of words")
        for word in words:
            if not isinstance(word, str | int) or len(str(word).split()) != 1:
                raise KnowledgeError(str(path), str(name), f"{word!r} is not a single word")
            seen = owner.setdefault(str(word), str(name))
            if seen != name:
                raise KnowledgeError(str(path), str(name), f"{word!r} is already in group {seen!r}")
    return {str(name): [str(w) for w in words] for name, words in data.items()}


def load_knowledge(directory: Path, policy_path: Path | None = None) -> Knowledge:
    """Load and validate ``directory`` (topics/, phrases.yaml) and the policy file."""
    directory = Path(directory)
    return Knowledge(
        topics=load_topics(directory / "topics"),
        phrases=read_model(directory / "phrases.yaml", Phrases),
        policy=read_model(Path(policy_path or directory / "policy.yaml"), Policy),
        synonyms=load_synonyms(directory / "synonyms.yaml"),
        domain_terms=read_model(directory / "domain.yaml", DomainTerms).terms,
    )
