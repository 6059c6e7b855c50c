"""Alembic migrations of the query log; run with :func:`upgrade` or ``advisor db upgrade``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

__all__ = ["upgrade"]

HERE = Path(__file__).resolve().parent


def config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(config(engine), revision)
