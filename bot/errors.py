"""The advisor's small error tree.

Expected situations (a question the advisor cannot answer, an unknown checklist) are answers,
not exceptions. These errors are for a broken installation: bad configuration or knowledge.
"""

from __future__ import annotations

__all__ = ["AdvisorError", "ConfigError", "KnowledgeError"]


class AdvisorError(Exception):
    """Base of every error the advisor raises on purpose."""


class ConfigError(AdvisorError):
    """The settings are missing or invalid; raised at start-up."""


class KnowledgeError(AdvisorError):
    """A knowledge or policy file is invalid; names the file and the field."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file = file
        self.field = field
        self.problem = problem
        where = f"{file}: {field}" if field else file
        super().__init__(f"{where}: {problem}")
