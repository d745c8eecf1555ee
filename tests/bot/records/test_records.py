"""The records on both backends through the same code: a SQLite file and a real PostgreSQL server shared by
two "replicas" (two `UsageLog`s with their own connection pools); Alembic migrations; the copy command."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from bot.records import migrate
from bot.usage import RecordsError, UsageLog
from harness.servers import PostgresServer, free_port
from tests.support.citations import cited

pytestmark = pytest.mark.replicas

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'usage.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


@pytest.fixture
def replicas(url: str) -> Iterator[tuple[UsageLog, UsageLog]]:
    a, b = UsageLog.from_url(url), UsageLog.from_url(url)
    yield a, b
    a.close()
    b.close()


def test_a_fresh_database_is_migrated_to_the_newest_revision(replicas: tuple[UsageLog, UsageLog]) -> None:
    a, _ = replicas
    assert a.revision == migrate.head()
    assert {"answers", "votes", "citations", "alembic_version"} <= set(inspect(a.engine).get_table_names())


def test_votes_and_passages_work_on_the_replica_that_did_not_answer(
    replicas: tuple[UsageLog, UsageLog],
) -> None:
    a, b = replicas
    cites = [cited(1, "Telkomsel meluncurkan 5G."), cited(2, "Harga naik “tajam”.")]
    answer_id = a.record_answer(
        question="Apa kata Telkomsel?",
        answer="Telkomsel meluncurkan 5G [1]. Harga naik [2].",
        lang="id",
        abstained=False,
        seconds=0.3,
        user_id=7,
        chat_id=-1001234567890,  # supergroup ids need 64 bits
        citations=cites,
    )
    saved = b.saved_answer(answer_id)
    assert saved is not None and saved.citations == cites
    assert b.record_vote(answer_id, 7, "down") == "id"
    assert a.record_vote(answer_id, 7, "up") == "id"  # a changed mind, on the other replica
    assert a.votes_for(answer_id) == {"up": 1}
    a.record_answer(question="Siapa?", answer="not in the briefs", lang="id", abstained=True, seconds=1.0)
    summary = b.summary()
    assert (summary.questions, summary.abstentions, summary.up_votes, summary.down_votes) == (2, 1, 1, 0)
    assert [u.question for u in b.unanswered()] == ["Siapa?"]


def test_the_same_update_answered_twice_is_recorded_once(replicas: tuple[UsageLog, UsageLog]) -> None:
    a, b = replicas
    first = a.record_answer(question="q", answer="a", lang="en", abstained=False, seconds=1, answer_id="k1")
    again = b.record_answer(question="q", answer="a2", lang="en", abstained=False, seconds=2, answer_id="k1")
    assert first == again == "k1" and a.summary().questions == 1 and a.answer_of("k1") == ("q", "a")


def test_concurrent_writers_lose_nothing(replicas: tuple[UsageLog, UsageLog]) -> None:
    a, b = replicas
    anchor = a.record_answer(question="q", answer="a", lang="en", abstained=False, seconds=1)

    def write(log: UsageLog, offset: int) -> None:
        for i in range(25):
            answer_id = log.record_answer(
                question=f"q{offset + i}",
                answer="a [1]",
                lang="en",
                abstained=False,
                seconds=0.1,
                citations=[cited(1, "Q.")],
            )
            log.record_vote(anchor, offset + i, "up")
            assert log.saved_answer(answer_id) is not None

    threads = [threading.Thread(target=write, args=(log, n * 100)) for n, log in enumerate((a, b, a, b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    summary = b.summary()
    assert summary.questions == 101 and summary.up_votes == 100


def test_unreachable_server_is_a_records_error_without_the_password() -> None:
    url = f"postgresql+psycopg://briefbot:pw-hunter2@127.0.0.1:{free_port()}/x"
    with pytest.raises(RecordsError) as caught:
        UsageLog.from_url(url)
    assert "pw-hunter2" not in str(caught.value) and "***" in str(caught.value)


def _old_usage_file(path: Path) -> None:
    """A usage file as the bot wrote it before migrations existed (and before saved citations)."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE answers (id TEXT PRIMARY KEY, asked_at REAL NOT NULL, user_id INTEGER,"
            " chat_id INTEGER, question TEXT NOT NULL, answer TEXT NOT NULL, lang TEXT NOT NULL,"
            " abstained INTEGER NOT NULL, seconds REAL NOT NULL)"
        )
        db.execute(
            "CREATE TABLE votes (answer_id TEXT NOT NULL REFERENCES answers(id), user_id INTEGER NOT NULL,"
            " vote TEXT NOT NULL CHECK (vote IN ('up', 'down')), voted_at REAL NOT NULL,"
            " PRIMARY KEY (answer_id, user_id))"
        )
        db.executemany(
            "INSERT INTO answers VALUES (?, 1.0, 1, -1001234567890, ?, 'a', 'en', ?, 0.5)",
            [(f"old{i}", f"q{i}", i % 2) for i in range(1500)],
        )
        db.execute("INSERT INTO votes VALUES ('old3', 9, 'up', 2.0)")


def _copy(path: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRIEFBOT_RECORDS__URL": url}
    return subprocess.run(
        [sys.executable, "-m", "bot.records", "copy-sqlite", str(path)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_copy_command_moves_an_existing_usage_file_into_postgres(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    source = tmp_path / "usage.sqlite3"
    _old_usage_file(source)
    with_citations = UsageLog(source)  # the bot of the previous version opened it: citations table added
    kept = with_citations.record_answer(
        question="new",
        answer="a [1]",
        lang="id",
        abstained=False,
        seconds=0.2,
        citations=[cited(1, "Q.")],
    )
    with_citations.close()
    before = source.read_bytes()
    url = postgres_server.create_database()

    done = _copy(source, url)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["copied"] == {"answers": 1501, "votes": 1, "citations": 1}
    assert postgres_server.password not in done.stdout + done.stderr
    again = json.loads(_copy(source, url).stdout.strip().splitlines()[-1])  # repeatable: nothing doubled
    assert again["copied"] == {"answers": 0, "votes": 0, "citations": 0}
    assert again["already_there"] == {"answers": 1501, "votes": 1, "citations": 1}
    assert source.read_bytes() == before  # the source was only read

    records = UsageLog.from_url(url)
    try:
        assert records.summary().questions == 1501 and records.summary().up_votes == 1
        saved = records.saved_answer(kept)
        assert saved is not None and saved.citations == [cited(1, "Q.")]
        assert records.record_vote("old3", 10, "down") == "en"  # buttons of old answers keep working
        newer = records.record_answer(
            question="after",
            answer="a [1]",
            lang="en",
            abstained=False,
            seconds=1,
            citations=[cited(1, "Q.")],
        )
        assert records.saved_answer(newer) is not None  # numbered after the copied citations
    finally:
        records.close()


def test_copy_command_needs_a_target(tmp_path: Path) -> None:
    source = tmp_path / "usage.sqlite3"
    _old_usage_file(source)
    env = {k: v for k, v in os.environ.items() if k != "BRIEFBOT_RECORDS__URL"}
    done = subprocess.run(
        [sys.executable, "-m", "bot.records", "copy-sqlite", str(source)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and "BRIEFBOT_RECORDS__URL" in done.stderr
