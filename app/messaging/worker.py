"""The outbound SMS worker (`flask sms worker`): drains the queue table, once per message.

Claiming. PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` picks a batch no other worker holds,
and the same transaction marks it ``sending`` with this worker's name and a lease, so any number
of workers share the queue without waiting on each other. SQLite: the same statement without the
lock clause; SQLite lets one writer in at a time, so the UPDATE ... WHERE status = 'queued' is the
claim. Run one worker on SQLite.

Exactly once. Just before calling the provider the worker commits ``send_started_at``; after
the call it commits ``sent`` and the provider's message SID (unique). It does this for a small
group at a time (about 0.1 s of sending: one text at 10 a second, 50 at 500), so a fast worker
is not held up by two commits per text. A lease that runs out (the
worker died) puts a message back in the queue only if its send had not started; one whose send
had started is marked failed with error "interrupted" for a person to check, because it may
have been delivered. So a crash can never make the system text someone twice.

Rate limit. One row (sms_rate_limit) holds the next free send slot. A worker reserves a run of
slots for its batch with a single atomic UPDATE (greatest(next_slot, now) + n / rate), then
starts each send at its own slot. Slots never overlap, however many workers there are, so
together they keep to SMS_RATE_PER_SECOND.

Retries. Temporary errors (429, 5xx, 20429, network) go back to the queue with exponential
backoff (30 s, 1, 2, 4 ... minutes, at most an hour) until SMS_MAX_ATTEMPTS; permanent errors
fail at once, and an unreachable number is recorded so it is not texted again.

At send time, not only at queue time: opted-out, "do not contact" and unreachable numbers are
cancelled, and quiet hours hold back everything except replies inside a live conversation.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult

from app.core.extensions import db
from app.messaging import quiet_hours
from app.messaging.backends import PermanentSendError, SendError, SmsBackend, get_backend
from app.messaging.models import OutboundMessage, OutboundStatus, SmsRateLimit
from app.messaging.services import blocked_numbers, mark_unreachable

log = logging.getLogger(__name__)

LEASE_SECONDS = 60
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
HOUSEKEEPING_SECONDS = 60
GROUP_SECONDS = 0.1


@dataclass(frozen=True)
class Claimed:
    id: int
    to_number: str
    body: str
    is_conversation_reply: bool
    attempts: int


@dataclass
class WorkerStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    held: int = 0


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1)))


def status_callback_url(message_id: int) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/sms/twilio/status?ref={message_id}"


# --- The shared rate limit -----------------------------------------------------------------


def reserve_slots(count: int, rate: float, now: float) -> float:
    """Reserve ``count`` consecutive send slots; return when the first one starts (epoch s)."""
    interval = 1.0 / rate
    greatest = sa.func.greatest if db.engine.dialect.name == "postgresql" else sa.func.max
    statement = (
        sa.update(SmsRateLimit)
        .where(SmsRateLimit.id == 1)
        .values(next_slot=greatest(SmsRateLimit.next_slot, now) + count * interval)
        .returning(SmsRateLimit.next_slot)
    )
    end = db.session.execute(statement).scalar()
    if end is None:  # first use: create the row, then reserve
        db.session.rollback()
        db.session.add(SmsRateLimit(id=1, next_slot=0.0))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
        end = db.session.execute(statement).scalar_one()
    db.session.commit()
    return end - count * interval


# --- The worker ----------------------------------------------------------------------------


class Worker:
    def __init__(
        self,
        app: Flask,
        *,
        batch: int = 50,
        backend: SmsBackend | None = None,
        name: str | None = None,
        clock=time.time,
        sleep=time.sleep,
    ):
        self.app = app
        self.batch = max(1, batch)
        self.backend = backend
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.clock, self.sleep = clock, sleep
        self.stats = WorkerStats()
        self._housekeeping_at = 0.0
        self._left = 0  # texts still to send in this batch

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC).replace(tzinfo=None)  # naive UTC

    # Public entry points

    def run(
        self,
        *,
        once: bool = False,
        stop: threading.Event | None = None,
        idle_sleep: float = 1.0,
        stop_when_empty: bool = False,
    ) -> WorkerStats:
        with self.app.app_context():
            backend = self.backend or get_backend()
            while not (stop and stop.is_set()):
                handled = self.run_once(backend)
                if once or (stop_when_empty and handled == 0 and not self._pending()):
                    break
                if handled == 0:
                    (stop.wait if stop else self.sleep)(idle_sleep)
            db.session.remove()
        return self.stats

    def run_once(self, backend: SmsBackend) -> int:
        """Claim and process one batch; return how many messages were claimed."""
        if self.clock() - self._housekeeping_at > HOUSEKEEPING_SECONDS:
            self.housekeeping()
        window = quiet_hours.settings_window()
        db.session.commit()  # end the read transaction before claiming
        claimed = self.claim(replies_only=quiet_hours.is_quiet(self.now(), *window))
        if not claimed:
            return 0
        blocked = blocked_numbers({m.to_number for m in claimed})
        sendable = []
        for message in claimed:
            reason = blocked.get(message.to_number)
            if reason:
                self._update(message.id, status=OutboundStatus.CANCELLED.value, error_code=reason)
                self.stats.cancelled += 1
            else:
                sendable.append(message)
        db.session.commit()
        if not sendable:
            return len(claimed)
        rate = float(current_app.config["SMS_RATE_PER_SECOND"])
        slot = reserve_slots(len(sendable), rate, self.clock())
        # Results are written a group at a time: about 0.1 s of sending (one text at 10/s).
        group = max(1, min(self.batch, round(rate * GROUP_SECONDS)))
        self._left = len(sendable)
        for first in range(0, len(sendable), group):
            slot = self.send_group(backend, sendable[first : first + group], window, slot, rate)
        return len(claimed)

    def claim(self, *, replies_only: bool = False) -> list[Claimed]:
        """Mark a batch of due messages as ours (see the module docstring); return them."""
        now = self.now()
        query = (
            sa.select(OutboundMessage.id)
            .where(
                OutboundMessage.status == OutboundStatus.QUEUED.value,
                OutboundMessage.next_attempt_at <= now,
                OutboundMessage.to_number.is_not(None),
            )
            .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
            .limit(self.batch)
        )
        if replies_only:
            query = query.where(OutboundMessage.is_conversation_reply.is_(True))
        rate = float(current_app.config["SMS_RATE_PER_SECOND"])
        lease = now + timedelta(seconds=LEASE_SECONDS + self.batch / rate)
        if db.engine.dialect.name == "postgresql":
            ids = list(db.session.scalars(query.with_for_update(skip_locked=True)))
            if not ids:
                db.session.commit()
                return []
            which = OutboundMessage.id.in_(ids)  # locked by us until the commit below
        else:
            which = OutboundMessage.id.in_(query.scalar_subquery())
        rows = db.session.execute(
            sa.update(OutboundMessage)
            .where(which, OutboundMessage.status == OutboundStatus.QUEUED.value)
            .values(
                status=OutboundStatus.SENDING.value,
                claimed_by=self.name[-40:],
                lease_until=lease,
                send_started_at=None,
                attempts=OutboundMessage.attempts + 1,
            )
            .returning(
                OutboundMessage.id,
                OutboundMessage.to_number,
                OutboundMessage.body,
                OutboundMessage.is_conversation_reply,
                OutboundMessage.attempts,
            )
            .execution_options(synchronize_session=False)
        ).all()
        db.session.commit()
        return sorted((Claimed(*row) for row in rows), key=lambda m: m.id)

    def send_group(self, backend, messages: list[Claimed], window, slot: float, rate: float):
        """Send a few claimed messages at their rate slots; return the next free slot."""
        now = self.now()
        ready = []
        for message in messages:
            if not message.is_conversation_reply and quiet_hours.is_quiet(now, *window):
                self._update(
                    message.id,
                    status=OutboundStatus.QUEUED.value,
                    lease_until=None,
                    attempts=message.attempts - 1,
                    next_attempt_at=quiet_hours.quiet_until(now, *window),
                )
                self.stats.held += 1
                self._left -= 1
            else:
                ready.append(message)
        if ready:
            db.session.execute(
                sa.update(OutboundMessage)
                .where(OutboundMessage.id.in_([m.id for m in ready]))
                .values(send_started_at=now)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
        sent = []
        interval = 1.0 / rate
        for message in ready:
            if self.clock() > slot + interval:
                # Running late (a slow send, a busy machine): these slots have passed, and
                # sending now would crowd the other workers' slots. Take fresh ones.
                slot = reserve_slots(self._left, rate, self.clock())
            wait = slot - self.clock()
            if wait > 0:
                self.sleep(wait)
            slot += interval
            self._left -= 1
            sid = self.send_one(backend, message)
            if sid is not None:
                at = self.now()
                sent.append(
                    {
                        "id": message.id,
                        "status": OutboundStatus.SENT.value,
                        "provider_sid": sid,
                        "sent_at": at,
                        "status_at": at,
                        "lease_until": None,
                    }
                )
        if sent:
            db.session.execute(sa.update(OutboundMessage), sent)  # bulk, by primary key
            db.session.commit()
            self.stats.sent += len(sent)
        return slot

    def send_one(self, backend: SmsBackend, message: Claimed) -> str | None:
        """Send one text; the provider's SID, or None after recording why it failed."""
        callback = None if backend.name == "console" else status_callback_url(message.id)
        try:
            return backend.send(
                message.to_number,
                message.body,
                status_callback=callback,
                reference=str(message.id),  # Notify's receipts carry it back
            )
        except SendError as exc:
            self._failed(message, exc)
        except Exception:  # a bug, not Twilio: do not risk sending twice
            log.exception("SMS %s: unexpected error while sending", message.id)
            self._update(
                message.id, status=OutboundStatus.FAILED.value, error_code="error", lease_until=None
            )
            db.session.commit()
            self.stats.failed += 1
        return None

    def _update(self, message_id: int, **values) -> None:
        db.session.execute(
            sa.update(OutboundMessage)
            .where(OutboundMessage.id == message_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    def _failed(self, message: Claimed, exc: SendError) -> None:
        values: dict = {"error_code": exc.code or None, "lease_until": None}
        max_attempts = current_app.config["SMS_MAX_ATTEMPTS"]
        if isinstance(exc, PermanentSendError) or message.attempts >= max_attempts:
            values.update(status=OutboundStatus.FAILED.value, status_at=self.now())
            if exc.unreachable:
                mark_unreachable(message.to_number, exc.code)
            self.stats.failed += 1
        else:
            values.update(
                status=OutboundStatus.QUEUED.value,
                send_started_at=None,
                next_attempt_at=self.now() + backoff(message.attempts),
            )
            self.stats.retried += 1
        self._update(message.id, **values)
        db.session.commit()

    def housekeeping(self) -> None:
        """Recover expired leases (idle conversations are ended by a scheduled job)."""
        self._housekeeping_at = self.clock()
        recover_leases(self.now())

    def _pending(self) -> bool:
        return bool(
            db.session.scalar(
                sa.select(sa.func.count(OutboundMessage.id)).where(
                    OutboundMessage.status.in_(
                        [OutboundStatus.QUEUED.value, OutboundStatus.SENDING.value]
                    ),
                    OutboundMessage.next_attempt_at <= self.now(),
                )
            )
        )


def recover_leases(now: datetime) -> tuple[int, int]:
    """Messages whose worker died: back to the queue if unsent, else failed for a person."""
    expired = (
        OutboundMessage.status == OutboundStatus.SENDING.value,
        OutboundMessage.lease_until < now,
    )
    # An UPDATE gives a CursorResult, which has rowcount; Session.execute is typed as Result.
    requeued = cast(
        "CursorResult[Any]",
        db.session.execute(
            sa.update(OutboundMessage)
            .where(*expired, OutboundMessage.send_started_at.is_(None))
            .values(status=OutboundStatus.QUEUED.value, lease_until=None, claimed_by=None)
        ),
    ).rowcount
    interrupted = cast(
        "CursorResult[Any]",
        db.session.execute(
            sa.update(OutboundMessage)
            .where(*expired, OutboundMessage.send_started_at.is_not(None))
            .values(status=OutboundStatus.FAILED.value, error_code="interrupted", lease_until=None)
        ),
    ).rowcount
    db.session.commit()
    return requeued, interrupted


def oldest_due_text_since(now: datetime) -> datetime | None:
    """When the longest-waiting text that the worker should already have sent became due (naive
    UTC), or None: for /healthz (app/core/health.py). Quiet hours hold back all but conversation
    replies, so another text only becomes due when its quiet hours end; the first instant after
    quiet hours grows with the instant, so the oldest such text is the one queued first."""
    waiting = sa.select(sa.func.min(OutboundMessage.next_attempt_at)).where(
        OutboundMessage.status == OutboundStatus.QUEUED.value,
        OutboundMessage.next_attempt_at <= now,
        OutboundMessage.to_number.is_not(None),
    )
    reply = db.session.scalar(waiting.where(OutboundMessage.is_conversation_reply.is_(True)))
    other = db.session.scalar(waiting.where(OutboundMessage.is_conversation_reply.is_(False)))
    if other is not None:
        other = quiet_hours.quiet_until(other, *quiet_hours.settings_window())
        if other > now:
            other = None
    due = [when for when in (reply, other) if when is not None]
    return min(due) if due else None
