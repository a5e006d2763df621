"""Telling a board member that a pack they asked for is ready (issue 23): a banner on their
next page, like a flashed message, with the links to the PDF and the spreadsheet. No email.

Decisions a newcomer might undo:
- A GET never writes (docs/architecture.md), so which packs a person has been told about is kept
  in their signed session cookie (TOLD_KEY, the newest TOLD_KEPT pack ids), not in the
  database. A new sign-in may therefore tell them once more about a pack finished in the last
  RECENT; older packs are on the packs page ("Packs you asked for").
- Only packs made for the request, or still being made when it came, are announced: a request
  shown an existing, finished pack saw it there and then.
- One banner per pack, however many requests it answered.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import session
from flask_login import current_user

from app.board.models import BoardPack, PackStatus
from app.board.pack_requests import PackRequest
from app.core.clock import utcnow
from app.core.extensions import db

TOLD_KEY = "packs_ready_told"
TOLD_KEPT = 20
RECENT = timedelta(days=2)


def ready_since_asked(user_id: int) -> list[PackRequest]:
    """This person's requests whose pack has finished since they asked, newest first."""
    earlier = so.aliased(PackRequest)
    first_requests = sa.select(sa.func.min(earlier.id)).group_by(earlier.pack_id)
    found = db.session.scalars(
        sa.select(PackRequest)
        .join(BoardPack, BoardPack.id == PackRequest.pack_id)
        .where(
            PackRequest.requested_by_id == user_id,
            BoardPack.status == PackStatus.DONE.value,
            BoardPack.finished_at >= utcnow() - RECENT,
            sa.or_(
                PackRequest.id.in_(first_requests),  # this request made the pack
                BoardPack.finished_at >= PackRequest.requested_at,  # or waited for it
            ),
        )
        .order_by(PackRequest.id.desc())
        .limit(TOLD_KEPT)
    )
    unique: dict[int, PackRequest] = {}
    for request in found:
        unique.setdefault(request.pack_id, request)
    return list(unique.values())


def take_notices() -> list[PackRequest]:
    """The packs to announce on this page (each once), remembered as told in the session."""
    if not current_user.is_authenticated:
        return []
    told = [int(i) for i in session.get(TOLD_KEY, [])]
    fresh = [r for r in ready_since_asked(current_user.id) if r.pack_id not in told]
    if fresh:
        session[TOLD_KEY] = sorted({*told, *(r.pack_id for r in fresh)})[-TOLD_KEPT:]
    return fresh


def template_context() -> dict[str, Any]:
    """For the base layout, which calls it once per full page (templates/base.html)."""
    return {"pack_ready_notices": take_notices}
