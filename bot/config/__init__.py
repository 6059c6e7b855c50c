"""The advisor's settings (:mod:`.settings`), with the platforms' (:mod:`.platforms`) and the
answer thresholds (:mod:`.thresholds`) as models of their own."""

from .platforms import PLATFORM_NAMES, SlackSettings, TeamsSettings, secret
from .settings import DEFAULT_KNOWLEDGE_DIR, Settings, load_settings
from .thresholds import MATCHER_THRESHOLDS, Thresholds

__all__ = [
    "DEFAULT_KNOWLEDGE_DIR",
    "MATCHER_THRESHOLDS",
    "PLATFORM_NAMES",
    "Settings",
    "SlackSettings",
    "TeamsSettings",
    "Thresholds",
    "load_settings",
    "secret",
]
