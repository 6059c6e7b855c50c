"""Reads one YAML file into a pydantic model, naming the file and field of any problem.

The files are data typed by people, so reading is strict: a key given twice in one mapping is
an error (YAML would keep the last silently), nesting deeper than any knowledge file needs is
an error (not a RecursionError), and only a regular file of at most ``MAX_BYTES`` is read (a
path such as ``/dev/zero`` or a FIFO would never end).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Hashable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node

from ..errors import KnowledgeError

__all__ = ["read_model", "read_yaml"]

M = TypeVar("M", bound=BaseModel)

MAX_BYTES = 1024 * 1024
MAX_DEPTH = 50
_MERGE = "tag:yaml.org,2002:merge"


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader that refuses duplicate keys and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the base class says what is wrong with it
                continue
            if duplicate:
                raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        return super().construct_mapping(node, deep)


def _read_text(path: Path) -> str:
    """The file's text: a regular file of at most ``MAX_BYTES``, opened without blocking."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("not a regular file")
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise OSError(f"larger than {MAX_BYTES // 1024} KiB")
    return data.decode("utf-8")


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(file)"


def read_yaml(path: Path) -> object:
    try:
        text = _read_text(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise KnowledgeError(str(path), "", f"cannot be read: {reason}") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a safe loader, made stricter
    except yaml.YAMLError as exc:
        raise KnowledgeError(str(path), "", f"is not valid YAML: {exc}") from exc
    except RecursionError as exc:  # aliases can nest deeper than the composer counts
        raise KnowledgeError(str(path), "", "is nested too deeply") from exc


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
