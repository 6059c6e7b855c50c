"""Advisor's core: answers questions about using social networks safely for business.

It knows nothing of Slack, Teams or HTTP. Adapters build a :class:`Query`, call
:meth:`Advisor.handle` and render the :class:`Answer` they get back.
"""

from .advisor import Advisor
from .answer import Answer, Candidate, Option, Outcome, Verdict
from .config import Settings, Thresholds, load_settings
from .errors import AdvisorError, ConfigError, KnowledgeError
from .knowledge.knowledge import Knowledge, load_knowledge
from .query import Query

__all__ = [
    "Advisor",
    "AdvisorError",
    "Answer",
    "Candidate",
    "ConfigError",
    "Knowledge",
    "KnowledgeError",
    "Option",
    "Outcome",
    "Query",
    "Settings",
    "Thresholds",
    "Verdict",
    "load_knowledge",
    "load_settings",
]
