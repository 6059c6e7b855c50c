"""The web API's request bodies (validated) and its answer shape (documented in openapi.yaml)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot import Answer, Option

__all__ = ["AskBody", "DoneBody", "FeedbackBody", "TopicBody", "answer_view"]

Lang = Literal["en", "he"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AskBody(_Body):
    question: str = Field(max_length=5000)
    lang: Lang | None = None
    conversation: str | None = Field(None, max_length=100)
    """A conversation within the visitor's (the page makes one per tab); follow-ups keep its
    context. Only letters, digits, "-" and "_" name one (see ``WebAdapter._conversation``)."""


class TopicBody(_Body):
    topic: str = Field(min_length=1, max_length=100)
    reply_to: str | None = Field(None, max_length=64)
    lang: Lang | None = None
    conversation: str | None = Field(None, max_length=100)


class FeedbackBody(_Body):
    question_id: str = Field(min_length=1, max_length=64)
    helpful: bool | None = None
    comment: str | None = Field(None, max_length=2000)
    picked: str | None = Field(None, max_length=100)


class DoneBody(_Body):
    ticked: list[str] = Field(max_length=100)
    lang: Lang | None = None


def _option(option: Option) -> dict[str, str]:
    return {"id": option.id, "title": option.title, "kind": option.kind}


def answer_view(answer: Answer, labels: dict[str, str]) -> dict[str, Any]:
    """Everything the page renders, in the answer's language; no markup anywhere."""
    return {
        "id": answer.id,
        "question": answer.question,
        "lang": answer.lang,
        "outcome": answer.outcome.value,
        "topic": answer.topic,
        "title": answer.title,
        "text": answer.text,
        "verdict": answer.verdict.value if answer.verdict else None,
        "verdict_label": answer.verdict_label,
        "source": answer.source,
        "source_label": answer.source_label,
        "confidence": round(answer.confidence, 4),
        "options": [_option(o) for o in answer.options],
        "suggestions": [_option(o) for o in answer.suggestions],
        "checklist": _option(answer.checklist) if answer.checklist else None,
        "steps": answer.steps.to_dict() if answer.steps else None,
        "missed": [{"id": i.id, "text": i.text, "why": i.why} for i in answer.missed],
        "context": answer.context,
        "labels": labels,
    }
