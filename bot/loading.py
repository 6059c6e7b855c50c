"""Reads one YAML file into a pydantic model, naming the file and field of any problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .errors import KnowledgeError

__all__ = ["read_model", "read_yaml"]

M = TypeVar("M", bound=BaseModel)


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(file)"


def read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise KnowledgeError(str(path), "", f"cannot be read: {exc}") from exc
    except yaml.YAMLError as exc:
        raise KnowledgeError(str(path), "", f"is not valid YAML: {exc}") from exc


def read_model(path: Path, model: type[M]) -> M:
    """Parse one YAML file into ``model``, turning any problem into a KnowledgeError."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise KnowledgeError(str(path), "", "must hold a mapping of fields")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise KnowledgeError(str(path), _field_name(first["loc"]), first["msg"]) from exc
