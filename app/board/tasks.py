"""The board's background jobs: making a board pack, and picking up packs a crash left behind."""

from __future__ import annotations

from app.board import pack
from app.core import jobs


@jobs.task(retries=2, retry_delay=15, retry_backoff=2, context=True)
def make_pack(pack_id: int, task=None) -> None:
    """Make one board pack (safe to run twice: the pack's row says who is making it)."""
    pack.build_pack(pack_id, retries_left=task.retries if task else 0)


# When a consumer starts, and every minute for packs whose consumer died on another machine
# (their lease ran out).
resume_packs = jobs.take_up_lost(make_pack, pack.packs_to_resume, jobs.crontab(minute="*"))
