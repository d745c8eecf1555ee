"""The /reindex child process: progress lines are followed, the summary returned, failures explained.

The child here is a small script speaking the documented JSON-lines protocol (docs/architecture.md), so the
protocol handling is tested on its own; the Telegram end-to-end tests run the real `python -m ingest`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.ingest_runner import IngestError, IngestRunner
from tests.support.ingest_job import FAKE_INGEST


def fake_job(tmp_path: Path, source: str) -> IngestRunner:
    """A runner whose job is the Python script `source`."""
    script = tmp_path / "job.py"
    script.write_text(source)
    return IngestRunner(command=[sys.executable, str(script)])


async def test_progress_and_summary_are_reported(tmp_path: Path) -> None:
    script = tmp_path / "fake_ingest.py"
    script.write_text(FAKE_INGEST)
    seen: list[tuple[int, int, str]] = []

    async def progress(done: int, total: int, stage: str) -> None:
        seen.append((done, total, stage))

    runner = IngestRunner(command=[sys.executable, str(script)])
    summary = await runner.run(rebuild=True, progress=progress)
    assert seen == [(0, 3, "embedding"), (1, 3, "embedding"), (2, 3, "embedding")]
    assert summary.added == ["a"] and summary.removed == ["c", "d"]
    assert summary.failed == [("x.md", "empty file")] and summary.seconds == 1.5
    assert not runner.busy


async def test_a_job_that_cannot_run_raises_with_its_last_error_line(tmp_path: Path) -> None:
    job = fake_job(
        tmp_path, "import sys\nprint('noise', file=sys.stderr)\nsys.exit('The library is unavailable.')\n"
    )
    with pytest.raises(IngestError, match=r"The library is unavailable\."):
        await job.run()


async def test_a_summary_line_listing_thousands_of_briefs_is_read(tmp_path: Path) -> None:
    # An incremental run over a big library lists every unchanged brief on one summary line (~170 KB here).
    job = fake_job(
        tmp_path,
        "import json\n"
        'ids = ["briefs/industry-brief-%05d.md" % i for i in range(5000)]\n'
        'print(json.dumps({"event": "summary", "unchanged": ids, "seconds": 2.0}), flush=True)\n',
    )
    summary = await job.run()
    assert len(summary.unchanged) == 5000 and summary.unchanged[-1] == "briefs/industry-brief-04999.md"


async def test_a_run_without_one_whole_source_is_still_a_report(tmp_path: Path) -> None:
    # Exit code 3: the job ran, but a feed did not answer; /reindex shows what it did and why, not "failed".
    job = fake_job(
        tmp_path,
        "import json, sys\n"
        'print(json.dumps({"event": "summary", "added": ["a"], "unreadable": ["https://feed.example/rss"],'
        ' "failed": [["https://feed.example/rss", "feed did not answer"]]}), flush=True)\n'
        "sys.exit(3)\n",
    )
    summary = await job.run()
    assert summary.added == ["a"] and summary.unreadable == ["https://feed.example/rss"]
    assert summary.failed == [("https://feed.example/rss", "feed did not answer")]
