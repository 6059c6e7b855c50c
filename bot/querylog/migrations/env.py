"""Alembic environment: runs against the engine handed over by ``bot.querylog.migrations.upgrade``."""

from __future__ import annotations

from alembic import context

from bot.learned import schema as _learned  # noqa: F401 - its table joins the metadata
from bot.querylog.schema import metadata
from bot.tickets import schema as _tickets  # noqa: F401 - its table joins the metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
