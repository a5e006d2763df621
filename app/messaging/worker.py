"""The outbound SMS worker (`flask sms worker`): drains the queue table, once per message.

Claiming and leases. PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` picks a batch no other
worker holds, and the same transaction marks it ``sending`` with this worker's name and a lease
of SMS_LEASE_SECONDS. SQLite: the same statement without the lock clause; SQLite lets one writer
in at a time, so the UPDATE ... WHERE status = 'queued' is the claim. The worker renews the lease
on everything it holds each time it writes results (about ten times a second while sending), so
a lease runs out only when its worker died or hung. A message whose lease ran out is claimable
again, by any worker: a kill -9 leaves nothing "sending" for good. The lease must stay well above
the provider's timeout (10 s), or a slow live worker could lose a text it is still sending.

Exactly once. Just before a text goes to the provider the worker commits ``send_started_at``;
when the provider answers it commits ``sent`` and the provider's message id (unique), a group at
a time (about 0.1 s of sending). A text whose ``send_started_at`` is set but has no provider id
(its worker died mid-send, or the answer was lost: ``UncertainSendError``) is never resent
blindly: the next worker asks the provider first (``backend.find_sent``: see backends.py for why
a lookup and not an idempotency key) and records the id it finds; only a text the provider does
not hold is sent again. If the provider cannot answer the lookup, the text waits and is asked
about again later.

Rate limit: a token schedule shared in the database. One row (sms_rate_limit) holds the next
free send slot. Each slot is taken with one atomic UPDATE (greatest(next_slot, now) + n / rate),
only when a send thread is free to use it, and a sender starts its text at its own slot. Slots
never overlap however many workers there are, so together they keep to SMS_RATE_PER_SECOND; and
because slots are taken just in time, a slow or late send never reserves slots it cannot use
(before, a late send re-reserved every remaining slot of its batch, and throughput fell to 0.58
a second when Twilio took 0.08 s). Sends run in SMS_SEND_THREADS threads per worker, so a
provider that takes 0.3 s to answer still gets the full rate (10/s x 0.3 s = 3 in flight). The
threads only call the provider; every database write is the worker's main thread's.

Retries. Temporary errors (429, 5xx, 20429, no connection) go back to the queue with exponential
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
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError

from app.core.extensions import db, rows_changed
from app.messaging import quiet_hours
from app.messaging.backends import (
    PermanentSendError,
    SendError,
    SmsBackend,
    UncertainSendError,
    get_backend,
)
from app.messaging.models import OutboundMessage, OutboundStatus, SmsRateLimit
from app.messaging.services import blocked_numbers, mark_unreachable

log = logging.getLogger(__name__)

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
    # Set when an earlier attempt may have reached the provider: look it up before resending.
    started_before: datetime | None = None


@dataclass
class WorkerStats:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    held: int = 0


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1)))


# --- The shared rate limit -----------------------------------------------------------------


def take_slots(count: int, rate: float, now: float) -> float:
    """Take ``count`` consecutive send slots from the shared schedule; return when the first
    starts (epoch s). Missed slots are not banked: the schedule restarts from ``now``. The
    caller commits (the row stays locked on PostgreSQL until then)."""
    interval = 1.0 / rate
    greatest = sa.func.greatest if db.engine.dialect.name == "postgresql" else sa.func.max
    statement = (
        sa.update(SmsRateLimit)
        .where(SmsRateLimit.id == 1)
        .values(next_slot=greatest(SmsRateLimit.next_slot, now) + count * interval)
        .returning(SmsRateLimit.next_slot)
    )
    end = db.session.execute(statement).scalar()
    if end is None:  # first use: create the row, then take
        db.session.rollback()
        db.session.add(SmsRateLimit(id=1, next_slot=0.0))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
        end = db.session.execute(statement).scalar_one()
    return end - count * interval


# --- The worker ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    message: Claimed
    sid: str | None = None
    error: Exception | None = None


class Worker:
    def __init__(
        self,
        app: Flask,
        *,
        batch: int = 50,
        backend: SmsBackend | None = None,
        name: str | None = None,
        threads: int | None = None,
        clock=time.time,
        sleep=time.sleep,
    ):
        self.app = app
        self.batch = max(1, batch)
        self.backend = backend
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.threads = max(1, threads or int(app.config["SMS_SEND_THREADS"]))
        self.clock, self.sleep = clock, sleep
        self.stats = WorkerStats()
        self._housekeeping_at = 0.0
        self._pool: ThreadPoolExecutor | None = None

    @property
    def claimant(self) -> str:
        return self.name[-40:]

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), UTC).replace(tzinfo=None)  # naive UTC

    def lease(self) -> datetime:
        return self.now() + timedelta(seconds=int(current_app.config["SMS_LEASE_SECONDS"]))

    # Public entry points

    def run(
        self,
        *,
        once: bool = False,
        stop: threading.Event | None = None,
        idle_sleep: float = 1.0,
        stop_when_empty: bool = False,
    ) -> WorkerStats:
        with self.app.app_context(), ThreadPoolExecutor(self.threads, "sms-send") as pool:
            self._pool = pool
            backend = self.backend or get_backend()
            while not (stop and stop.is_set()):
                handled = self.run_once(backend)
                if once or (stop_when_empty and handled == 0 and not self._pending()):
                    break
                if handled == 0:
                    (stop.wait if stop else self.sleep)(idle_sleep)
            db.session.remove()
        self._pool = None
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
                self._update(
                    message.id,
                    status=OutboundStatus.CANCELLED.value,
                    error_code=reason,
                    lease_until=None,
                )
                self.stats.cancelled += 1
            else:
                sendable.append(message)
        db.session.commit()
        sendable = [m for m in sendable if not self._already_sent(backend, m)]
        if sendable:
            self.send_all(backend, sendable, window)
        return len(claimed)

    def claim(self, *, replies_only: bool = False) -> list[Claimed]:
        """Mark a batch of due messages (or ones whose lease ran out) as ours; return them."""
        now = self.now()
        due = sa.or_(
            sa.and_(
                OutboundMessage.status == OutboundStatus.QUEUED.value,
                OutboundMessage.next_attempt_at <= now,
            ),
            sa.and_(
                OutboundMessage.status == OutboundStatus.SENDING.value,
                OutboundMessage.lease_until < now,  # its worker died
            ),
        )
        query = (
            sa.select(OutboundMessage.id)
            .where(due, OutboundMessage.to_number.is_not(None))
            .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
            .limit(self.batch)
        )
        if replies_only:
            query = query.where(OutboundMessage.is_conversation_reply.is_(True))
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
            .where(which, due)
            .values(
                status=OutboundStatus.SENDING.value,
                claimed_by=self.claimant,
                lease_until=self.lease(),
                attempts=OutboundMessage.attempts + 1,
            )
            .returning(
                OutboundMessage.id,
                OutboundMessage.to_number,
                OutboundMessage.body,
                OutboundMessage.is_conversation_reply,
                OutboundMessage.attempts,
                OutboundMessage.send_started_at,
            )
            .execution_options(synchronize_session=False)
        ).all()
        db.session.commit()
        return sorted((Claimed(*row) for row in rows), key=lambda m: m.id)

    def _already_sent(self, backend: SmsBackend, message: Claimed) -> bool:
        """For a text an earlier attempt may have sent: ask the provider before resending."""
        if message.started_before is None:
            return False
        try:
            sid = backend.find_sent(
                message.to_number,
                message.body,
                reference=str(message.id),
                since=message.started_before,
            )
        except SendError as exc:
            log.warning("SMS %s: cannot tell whether it was sent (%s)", message.id, exc)
            self._update(
                message.id,
                status=OutboundStatus.QUEUED.value,
                lease_until=None,
                error_code=exc.code or "lookup",
                next_attempt_at=self.now() + backoff(message.attempts),
            )
            db.session.commit()
            self.stats.retried += 1
            return True
        if sid is None:
            return False
        self._record_sent([Outcome(message, sid=sid)])
        return True

    def send_all(self, backend: SmsBackend, messages: list[Claimed], window) -> None:
        """Send claimed messages, each at a slot of the shared schedule, several at a time."""
        assert self._pool is not None, "send_all runs inside run()"
        rate = float(current_app.config["SMS_RATE_PER_SECOND"])
        # Slots are taken and results written a group at a time: about 0.1 s of sending.
        group = max(1, min(self.batch, round(rate * GROUP_SECONDS)))
        pending = deque(messages)
        in_flight: dict[Future[Outcome], Claimed] = {}
        done: list[Outcome] = []
        flushed_at = self.clock()
        while pending or in_flight:
            free = self.threads - len(in_flight)
            if pending and free > 0:
                take = [pending.popleft() for _ in range(min(free, group, len(pending)))]
                for message, slot in self._start(take, window, rate):
                    future = self._pool.submit(self._send_at, backend, message, slot)
                    in_flight[future] = message
            if in_flight:
                finished, _ = wait(in_flight, timeout=GROUP_SECONDS, return_when=FIRST_COMPLETED)
                for future in finished:
                    in_flight.pop(future)
                    done.append(future.result())
            if done and (not in_flight or self.clock() - flushed_at >= GROUP_SECONDS):
                self._record(done)
                done, flushed_at = [], self.clock()
        if done:
            self._record(done)

    def _start(self, messages: list[Claimed], window, rate: float):
        """Hold back what quiet hours forbid; take slots and mark the rest as started."""
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
            else:
                ready.append(message)
        if not ready:
            db.session.commit()
            return []
        # Slots first: on first use take_slots creates the schedule row in its own transaction.
        first = take_slots(len(ready), rate, self.clock())
        # Only texts still ours (a worker that stalled past its lease has lost them).
        ours = set(
            db.session.scalars(
                sa.update(OutboundMessage)
                .where(
                    OutboundMessage.id.in_([m.id for m in ready]),
                    OutboundMessage.status == OutboundStatus.SENDING.value,
                    OutboundMessage.claimed_by == self.claimant,
                )
                .values(send_started_at=now)
                .returning(OutboundMessage.id)
                .execution_options(synchronize_session=False)
            )
        )
        db.session.commit()
        ready = [m for m in ready if m.id in ours]
        return [(message, first + n / rate) for n, message in enumerate(ready)]

    def _send_at(self, backend: SmsBackend, message: Claimed, slot: float) -> Outcome:
        """In a send thread: wait for the slot, call the provider. No database here."""
        wait_for = slot - self.clock()
        if wait_for > 0:
            self.sleep(wait_for)
        callback = (
            None if backend.name == "console" else status_callback_url_for(self.app, message.id)
        )
        try:
            sid = backend.send(
                message.to_number,
                message.body,
                status_callback=callback,
                reference=str(message.id),  # Notify's receipts carry it back
            )
        except Exception as exc:  # recorded by the main thread
            return Outcome(message, error=exc)
        return Outcome(message, sid=sid)

    def _record(self, outcomes: list[Outcome]) -> None:
        """Write a group of results, and renew the lease on everything still ours."""
        self._record_sent([o for o in outcomes if o.sid is not None])
        for outcome in outcomes:
            if isinstance(outcome.error, SendError):
                self._failed(outcome.message, outcome.error)
            elif outcome.error is not None:  # a bug, not the provider: do not risk sending twice
                log.error(
                    "SMS %s: unexpected error while sending",
                    outcome.message.id,
                    exc_info=outcome.error,
                )
                self._update(
                    outcome.message.id,
                    status=OutboundStatus.FAILED.value,
                    error_code="error",
                    lease_until=None,
                )
                self.stats.failed += 1
        db.session.execute(
            sa.update(OutboundMessage)
            .where(
                OutboundMessage.status == OutboundStatus.SENDING.value,
                OutboundMessage.claimed_by == self.claimant,
            )
            .values(lease_until=self.lease())
            .execution_options(synchronize_session=False)
        )
        db.session.commit()

    def _record_sent(self, outcomes: list[Outcome]) -> None:
        if not outcomes:
            return
        at = self.now()
        rows = [
            {
                "id": o.message.id,
                "status": OutboundStatus.SENT.value,
                "provider_sid": o.sid,
                "sent_at": at,
                "status_at": at,
                "lease_until": None,
            }
            for o in outcomes
        ]
        db.session.execute(sa.update(OutboundMessage), rows)  # bulk, by primary key
        db.session.commit()
        self.stats.sent += len(rows)

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
                next_attempt_at=self.now() + backoff(message.attempts),
            )
            if not isinstance(exc, UncertainSendError):
                values["send_started_at"] = None  # it never reached the provider
            self.stats.retried += 1
        self._update(message.id, **values)

    def housekeeping(self) -> None:
        """Requeue expired leases whose send never started (idle conversations: a job ends them)."""
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


def status_callback_url_for(app: Flask, message_id: int) -> str:
    """The status callback for a message (usable in a send thread, outside the app context)."""
    return f"{app.config['PUBLIC_BASE_URL']}/sms/twilio/status?ref={message_id}"


def recover_leases(now: datetime) -> int:
    """Messages whose worker died before their send started go back to the queue, so the
    quiet-hours filter and the send order apply to them as to any queued text. Ones whose send
    had started stay "sending" until a worker claims them and asks the provider (``claim``)."""
    expired = (
        OutboundMessage.status == OutboundStatus.SENDING.value,
        OutboundMessage.lease_until < now,
    )
    requeued = rows_changed(
        sa.update(OutboundMessage)
        .where(*expired, OutboundMessage.send_started_at.is_(None))
        .values(status=OutboundStatus.QUEUED.value, lease_until=None, claimed_by=None)
    )
    db.session.commit()
    return requeued


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
