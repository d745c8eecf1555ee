"""The coordination interface both backends implement."""

from __future__ import annotations

from typing import Protocol


class CoordinationError(Exception):
    """The shared coordination store (Redis) cannot be reached; the message says so without any password."""


class Lease(Protocol):
    """A held lock. Redis leases renew themselves in the background until released."""

    async def release(self) -> None:
        """Give the lock up now."""

    async def finish(self, keep_seconds: float) -> None:
        """Release, leaving a "done" mark for `keep_seconds` (an update that must not be handled again)."""


class Coordination(Protocol):
    async def rate_wait(self, user_id: int, question_key: str) -> int:
        """0, counting the question, when the user may ask now; otherwise seconds until they may.

        The same `question_key` (one message) is counted once, also when a second replica handles it again."""

    async def start_question(self, user_id: int, question_key: str) -> Lease | None:
        """The user's one-question-at-a-time lock; None while another question of theirs is answered.

        A lock left for the same `question_key` by a replica that died is taken over: its update was sent
        again, and the claim on the update proves the first handler is gone."""

    async def start_reindex(self) -> Lease | None:
        """The /reindex lock; None while a reindex runs (on any replica)."""

    async def claim_update(self, update_id: int) -> Lease | None:
        """The right to handle one update; None when another replica has it or it was handled already."""

    async def update_done(self, update_id: int) -> bool:
        """Whether the update was handled to the end (by any replica)."""

    async def hold_poller(self) -> Lease | None:
        """The right to poll Telegram with this token; None when another process polls already."""

    async def flood_wait(self, chat_id: int) -> float:
        """Seconds left of a flood-control wait Telegram imposed on this chat (0 when none)."""

    async def flood_hit(self, chat_id: int, seconds: float) -> None:
        """Record that Telegram asked to wait `seconds` before the next message to this chat."""

    async def aclose(self) -> None:
        """Stop renewing leases and close connections."""
