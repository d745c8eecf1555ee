"""Alembic environment: migrations always run on a connection handed in by `bot.records.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from bot.records.schema import metadata

# Any fixed number: replicas that start together take turns migrating PostgreSQL under this lock.
_MIGRATION_LOCK = 7_420_110


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("briefbot runs its migrations online only")
run_migrations_online()
