"""The knowledge base as validated data: topics, fixed phrases and the organization's policy.

Every file is checked by pydantic at load; the first problem stops loading with a
:class:`~bot.errors.KnowledgeError` that names the file, the field and what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..answer import Verdict
from ..conversation.cues import ConversationCues
from ..errors import KnowledgeError
from .checklists import Checklist, load_checklists
from .loading import read_model, read_yaml
from .localized import Localized, LocalizedList, NonEmpty, Sentences, placeholders
from .policy import Policy
from .sources import OWNER, SOURCES, Source

__all__ = [
    "REQUIRED_TOPICS",
    "SOURCES",
    "Condition",
    "Knowledge",
    "Phrases",
    "Reason",
    "TeachPhrases",
    "Topic",
    "VerdictRule",
    "load_knowledge",
]

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


class Reason(BaseModel):
    """A follow-up's text in both languages ("why?", "what instead?") and the part of the
    guidance it rests on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Source
    en: NonEmpty
    he: NonEmpty

    def get(self, lang: str) -> str:
        return self.he if lang == "he" else self.en


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
    why: Reason | None = None
    """What "why?" after this topic's answer is told: its reasoning."""
    instead: Reason | None = None
    """What "what should I do instead?" is told: the safe alternative."""
    slots: list[Literal["network", "app"]] = []
    """What a follow-up may change and get this topic answered again for ("and on Instagram?")."""

    @model_validator(mode="after")
    def _check(self) -> Topic:
        if self.source == OWNER:
            if not self.examples.all():
                raise ValueError("examples: the policy owner's entry needs at least one question")
        elif len(self.examples.en) < 3 or len(self.examples.he) < 3:
            raise ValueError("examples: at least 3 English and 3 Hebrew questions are needed")
        texts: list[Localized | Reason] = [self.answer, *(rule.answer for rule in self.verdicts)]
        texts += [r for r in (self.why, self.instead) if r is not None]
        for text in texts:
            for lang in ("en", "he"):
                unknown = placeholders(text.get(lang)) - TEMPLATE_FIELDS
                if unknown:
                    raise ValueError(
                        f"answer uses unknown placeholder(s) {sorted(unknown)}; "
                        f"allowed: {sorted(TEMPLATE_FIELDS)}"
                    )
        return self


class AgentPhrases(BaseModel):
    """Slack's agent view: the suggested prompts' heading and the topics offered until the log
    shows what people ask, and the status shown while an answer is on its way."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prompts_title: Localized
    prompt_topics: list[NonEmpty] = Field(min_length=1, max_length=4)
    status: Localized


class NudgePhrases(BaseModel):
    """The private nudge about a shared link, and ``/advisor nudge on|off``. ``join_group`` and
    ``install_app`` take ``{name}``, the network or app."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    join_group: Localized
    install_app: Localized
    turned_on: Localized
    turned_off: Localized
    not_allowed: Localized
    not_here: Localized
    disabled: Localized
    usage: Localized


class TeachPhrases(Sentences):
    """What the policy owner is told when teaching the advisor or withdrawing what it learned
    is refused, one sentence a reason (``bot.learned.teach``); ``not_learned`` leads a refusal
    that came after the ticket was answered."""

    PLACEHOLDERS = frozenset({"detail", "number", "reason"})

    not_learned: Localized
    unknown_topic: Localized
    not_advice: Localized
    empty: Localized
    question_too_long: Localized
    variant_too_long: Localized
    answer_too_long: Localized
    no_variants: Localized
    too_many: Localized
    no_answer: Localized
    verdict: Localized
    bad_id: Localized
    no_id: Localized
    taken: Localized
    other_topic: Localized
    no_by: Localized
    unknown_item: Localized
    withdrawn: Localized


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
    checklist_intro: Localized
    checklist_list: Localized
    checklist_unknown: Localized
    checklist_done: Localized
    checklist_missed: Localized
    checklist_prompt: Localized
    done: Localized
    thanks_feedback: Localized
    verdicts: dict[Verdict, Localized]
    sources: dict[Source, Localized]
    agent: AgentPhrases
    nudge: NudgePhrases
    teach: TeachPhrases

    @model_validator(mode="after")
    def _complete(self) -> Phrases:
        missing = [v.value for v in Verdict if v not in self.verdicts]
        missing += [s for s in SOURCES if s not in self.sources]
        if missing:
            raise ValueError(f"labels missing for {missing}")
        return self


class DomainTerms(BaseModel):
    """Generic words ("social media", "רשתות חברתיות") that mark a question as in the domain,
    and the words that ask for a checklist."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    terms: LocalizedList
    checklist_words: LocalizedList = LocalizedList()


@dataclass(frozen=True)
class Knowledge:
    """Everything the advisor says, loaded once and shared read-only."""

    topics: dict[str, Topic]
    phrases: Phrases
    policy: Policy
    synonyms: dict[str, list[str]]
    domain: DomainTerms
    checklists: dict[str, Checklist]
    conversation: ConversationCues | None = None
    """How follow-ups are read (``conversation.yaml``); None: every message stands alone."""


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
    data = read_yaml(path) if path.exists() else {}
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
    """Load and validate ``directory`` (topics/, examples added to them in examples/,
    phrases.yaml) and the policy file."""
    directory = Path(directory)
    from .additions import apply_additions

    topics = apply_additions(load_topics(directory / "topics"), directory / "examples")
    checklists = load_checklists(directory / "checklists", topics)
    for topic in topics.values():
        if topic.checklist and topic.checklist not in checklists:
            raise KnowledgeError(
                str(directory / "topics" / f"{topic.id}.yaml"),
                "checklist",
                f"unknown checklist {topic.checklist!r}",
            )
    return Knowledge(
        topics=topics,
        phrases=read_model(directory / "phrases.yaml", Phrases),
        policy=read_model(Path(policy_path or directory / "policy.yaml"), Policy),
        synonyms=load_synonyms(directory / "synonyms.yaml"),
        domain=read_model(directory / "domain.yaml", DomainTerms),
        checklists=checklists,
        conversation=_conversation(directory / "conversation.yaml", topics),
    )


def _conversation(path: Path, topics: dict[str, Topic]) -> ConversationCues | None:
    if not path.exists():
        return None
    cues = read_model(path, ConversationCues)
    for i, ref in enumerate(cues.ask_back_topics):
        if ref not in topics:
            raise KnowledgeError(str(path), f"ask_back_topics.{i}", f"unknown topic {ref!r}")
    if cues.acknowledgement_topic is not None and cues.acknowledgement_topic not in topics:
        raise KnowledgeError(
            str(path), "acknowledgement_topic", f"unknown topic {cues.acknowledgement_topic!r}"
        )
    return cues
