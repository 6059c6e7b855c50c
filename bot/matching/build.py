"""The one place a matcher is built: the kind the settings name, over a knowledge base's topics
or over any labelled texts (the public intent benchmarks build theirs here too)."""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..config import Settings
from ..errors import ConfigError
from ..knowledge.knowledge import Knowledge
from .embedcache import FusionCache
from .features import concept_table
from .fusion import FusedMatcher
from .lexical import LexicalMatcher, Matcher, MatcherWeights
from .scorers import Encoder, LexicalScorer, SemanticScorer

__all__ = [
    "MATCHER_KINDS",
    "TopicTexts",
    "build_matcher",
    "default_encoder",
    "extend_matcher",
    "growing",
    "return_freed_memory",
    "lexical_matcher",
    "settings_cache",
    "settings_encoder",
]

MATCHER_KINDS = ("hybrid", "lexical", "centroid")


@dataclass(frozen=True)
class TopicTexts:
    """What a matcher learns each topic from. ``examples`` are how people ask; ``documents``
    (examples, keywords and titles) teach the lexical matcher; ``keywords`` train the fused
    scorers without being held out; ``concepts`` and ``vocabulary`` are the synonym table and
    the words a typo may be corrected to; ``declines`` name the topics that turn questions down."""

    examples: Mapping[str, Sequence[str]]
    documents: Mapping[str, Sequence[str]]
    keywords: Mapping[str, Sequence[str]] | None = None
    concepts: Mapping[str, str] = field(default_factory=dict)
    vocabulary: Sequence[str] = ()
    declines: Sequence[str] = ()

    @classmethod
    def labelled(cls, topics: Mapping[str, Sequence[str]]) -> TopicTexts:
        """Topics known by their example texts alone (a public benchmark's intents)."""
        return cls(examples=topics, documents=topics)

    @classmethod
    def of(cls, knowledge: Knowledge) -> TopicTexts:
        """A knowledge base's topics, its synonyms and the names its policy knows."""
        return cls(
            examples=topic_examples(knowledge),
            documents=topic_documents(knowledge),
            keywords=topic_keywords(knowledge),
            concepts=concept_table(_concept_groups(knowledge)),
            vocabulary=_domain_words(knowledge),
            declines=[t.id for t in knowledge.topics.values() if t.kind == "decline"],
        )


def topic_examples(knowledge: Knowledge) -> dict[str, list[str]]:
    """Each topic's example questions."""
    return {topic.id: list(topic.examples.all()) for topic in knowledge.topics.values()}


def topic_keywords(knowledge: Knowledge) -> dict[str, list[str]]:
    """Each topic's keywords and titles: what it is about, not how people ask."""
    return {
        topic.id: [*topic.keywords.all(), topic.title.en, topic.title.he]
        for topic in knowledge.topics.values()
    }


def topic_documents(knowledge: Knowledge) -> dict[str, list[str]]:
    """What the matcher learns each topic from: its examples, keywords and titles."""
    return {
        topic.id: [*topic.examples.all(), *topic.keywords.all(), topic.title.en, topic.title.he]
        for topic in knowledge.topics.values()
    }


def _concept_groups(knowledge: Knowledge) -> dict[str, list[str]]:
    """The synonym groups, plus one group for every network the policy names: asking about
    Instagram is as close to an example about Facebook as to one about Instagram."""
    policy = knowledge.policy
    networks = [n for net in policy.networks for n in (net.name, net.id, *net.aliases.all())]
    single_words = [n for n in networks if len(n.split()) == 1]
    return {**knowledge.synonyms, "social-network": single_words}


def _domain_words(knowledge: Knowledge) -> list[str]:
    """Synonyms and the names of networks and apps: words a typo may be corrected to."""
    policy = knowledge.policy
    names = [n for net in policy.networks for n in (net.name, *net.aliases.all())]
    names += [n for app in policy.approved_apps for n in (app.name, *app.aliases.all())]
    return [*names, *(w for group in knowledge.synonyms.values() for w in group)]


def lexical_matcher(topics: TopicTexts, weights: MatcherWeights | None = None) -> LexicalMatcher:
    """The plain lexical matcher over the topics, their synonyms and names: it also fixes
    typos and explains matches for the fused matcher."""
    return LexicalMatcher(
        topics.documents,
        weights or MatcherWeights(),
        concepts=topics.concepts,
        vocabulary=topics.vocabulary,
    )


def settings_encoder(settings: Settings) -> Encoder | None:
    """The sentence encoder the settings ask for (none in the light, lexical mode), its
    examples' vectors cached on disk."""
    if settings.matcher != "hybrid":
        return None
    from .embedcache import CachedExamples, EmbeddingCache
    from .encoder import load_encoder

    return CachedExamples(
        load_encoder(settings.model_dir, settings.encoder_threads),
        EmbeddingCache(settings.embedding_cache_dir),
    )


def default_encoder() -> Encoder:
    """The shipped model, without a cache."""
    from .encoder import load_encoder

    return load_encoder(None)


def build_matcher(
    topics: TopicTexts,
    kind: str = "hybrid",
    encoder: Encoder | None = None,
    cache: FusionCache | None = None,
) -> Matcher:
    """The matcher of that kind: ``hybrid`` fuses the lexical and semantic scorers (``encoder``
    embeds sentences; the shipped model when none is given), ``lexical`` runs without an
    encoder, ``centroid`` is the plain lexical matcher alone. ``cache`` keeps the learned
    fusion between starts."""
    kind = "hybrid" if kind == "semantic" else kind
    if kind not in MATCHER_KINDS:
        raise ConfigError(f"unknown matcher {kind!r}: {', '.join(MATCHER_KINDS)}")
    explainer = lexical_matcher(topics)
    if kind == "centroid":
        return explainer
    lexical = LexicalScorer(explainer.analyze_example, explainer.analyze)
    others = []
    if kind == "hybrid":
        encoder = encoder or default_encoder()
        others.append(SemanticScorer(encoder, getattr(encoder, "encode_examples", None)))
    return FusedMatcher(
        topics.examples,
        lexical,
        explainer,
        others,
        declines=topics.declines,
        keywords=topics.keywords,
        cache=cache,
    )


def settings_cache(settings: Settings) -> FusionCache:
    """Where the settings keep the learned fusion between starts."""
    return FusionCache(settings.embedding_cache_dir)


def extend_matcher(matcher: Matcher, topics: TopicTexts) -> Matcher:
    """A matcher like ``matcher`` for topics that grew (what the policy owner taught): a fused
    one keeps its scorers' settings, its encoder and its learned fusion, and only fits the
    scorers again, once, on every text; a plain lexical matcher is built anew."""
    explainer = lexical_matcher(topics)
    if not isinstance(matcher, FusedMatcher):
        return explainer
    return FusedMatcher(
        topics.examples,
        matcher.lexical.reading(explainer.analyze_example, explainer.analyze),
        explainer,
        matcher.others,
        matcher.stacking,
        declines=topics.declines,
        keywords=topics.keywords,
        fusion=matcher,
    )


def growing(matcher: Matcher) -> Callable[[Knowledge], Matcher]:
    """Builds matchers like ``matcher`` for knowledge bases grown from the one it was built for."""
    return lambda knowledge: extend_matcher(matcher, TopicTexts.of(knowledge))


def return_freed_memory() -> bool:
    """Give the memory a build freed back to the operating system: glibc keeps a freed heap for
    the process otherwise, and training the fused matcher frees some tens of megabytes of it.
    False where the C library has no ``malloc_trim``."""
    gc.collect()
    try:
        trim = ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return False
    return bool(trim(0))
