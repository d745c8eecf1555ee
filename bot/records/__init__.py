"""The records database (questions, answers, votes, saved citations) on SQLite or PostgreSQL.

`bot.usage.UsageLog` is the one interface the bot uses; this package holds what sits under it: the table
definitions (`schema`), the Alembic migrations that create and change them (`migrate`, `migrations/`) and the
command that copies an existing `usage.sqlite3` into PostgreSQL (`python -m bot.records`).
"""
