from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import Advisor, Knowledge
from bot.config import DEFAULT_KNOWLEDGE_DIR
from bot.testing import AdvisorTester, shipped_advisor

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def advisor() -> Advisor:
    return shipped_advisor()


@pytest.fixture(scope="session")
def knowledge(advisor: Advisor) -> Knowledge:
    return advisor.knowledge


@pytest.fixture(scope="session")
def tester(advisor: Advisor) -> AdvisorTester:
    return AdvisorTester(advisor)


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped knowledge base, for tests that break it on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_KNOWLEDGE_DIR, target)
    return target
