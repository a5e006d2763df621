"""The send worker's lease, its shared rate schedule and its guard against sending twice, on the
test database (SQLite by default) with a clock the test moves: no wall clock, no threads racing.

The PostgreSQL runs with real worker processes, one killed with kill -9, are in
tests/surveys/sms/test_sms_workers_postgres.py; the rate over 2,000 texts is in tests/bench.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.core.extensions import db
from app.messaging.backends import TemporarySendError, UncertainSendError
from app.messaging.models import OutboundMessage, SmsRateLimit
from app.messaging.services import queue_text
from app.messaging.worker import Worker, take_slots

DAYTIME = datetime(2026, 6, 1, 11, 0)  # 12:00 in London, outside quiet hours
LEASE = 30  # TestConfig's SMS_LEASE_SECONDS (the default)


class Clock:
    """A clock the worker reads and sleeps on: sleeping moves it on, nothing else does."""

    def __init__(self, start: datetime):
        self.now = start.replace(tzinfo=UTC).timestamp()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)

    def at(self) -> datetime:
        return datetime.fromtimestamp(self.now, UTC).replace(tzinfo=None)


class Provider:
    """A provider that records what it sends, when (by the test clock), and what it holds."""

    name = "provider"

    def __init__(self, clock: Clock, *, takes: float = 0.0, errors=None):
        self.clock, self.takes = clock, takes
        self.errors = list(errors or [])
        self.sent: list[tuple[float, str, str]] = []  # (time, to, body)
        self.held: dict[str, str] = {}  # body -> sid: what the provider accepted
        self.lookups = 0

    def send(self, to, body, *, status_callback=None, reference=None):
        start = self.clock()
        self.clock.sleep(self.takes)
        if self.errors:
            error = self.errors.pop(0)
            if isinstance(error, UncertainSendError):  # it got there; the answer was lost
                self.held[body] = f"SM{len(self.held) + 1:032d}"
                self.sent.append((start, to, body))
            raise error
        self.sent.append((start, to, body))
        sid = self.held[body] = f"SM{len(self.held) + 1:032d}"
        return sid

    def find_sent(self, to, body, *, reference, since):
        self.lookups += 1
        return self.held.get(body)


def worker(app, provider, clock, name="w1", **kwargs) -> Worker:
    kwargs.setdefault("batch", 10)
    return Worker(
        app, backend=provider, clock=clock, sleep=clock.sleep, name=name, threads=1, **kwargs
    )


def queue(app, count: int, first: int = 0) -> list[int]:
    with app.app_context():
        return [
            queue_text(f"+4477009{n:05d}", f"Reminder {n}", not_before=datetime(2026, 1, 1)).id
            for n in range(first, first + count)
        ]


def message(app, message_id: int) -> OutboundMessage:
    with app.app_context():
        found = db.session.get(OutboundMessage, message_id)
        assert found is not None
        db.session.expunge(found)
        return found


def statuses(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(OutboundMessage.status, sa.func.count()).group_by(OutboundMessage.status)
        )
        return {status: count for status, count in rows}


# --- The lease ------------------------------------------------------------------------------


def test_a_claim_holds_a_text_for_the_lease_and_then_another_worker_may_take_it(app):
    [text] = queue(app, 1)
    clock = Clock(DAYTIME)
    first = worker(app, Provider(clock), clock, "first")
    with app.app_context():
        assert len(first.claim()) == 1
    held = message(app, text)
    assert (held.status, held.claimed_by) == ("sending", "first")
    assert held.lease_until == DAYTIME + timedelta(seconds=LEASE)

    # "first" dies here. Before its lease runs out nobody else may take the text...
    second_provider = Provider(clock)
    second = worker(app, second_provider, clock, "second")
    clock.sleep(LEASE - 1)
    with app.app_context():
        assert second.claim() == []
    # ...after it, the other worker does, and sends it (its send had not started).
    clock.sleep(2)
    second.run(once=True)
    assert [body for _, _, body in second_provider.sent] == ["Reminder 0"]
    assert (message(app, text).status, message(app, text).claimed_by) == ("sent", "second")


def test_a_working_worker_renews_its_lease_so_a_long_batch_is_not_taken_from_it(app):
    queue(app, 10)
    clock = Clock(DAYTIME)
    slow = Provider(clock, takes=LEASE / 4)  # the batch takes 2.5 leases to send
    renewed: list[tuple[datetime, datetime | None]] = []

    class Watching(Provider):
        def send(self, to, body, **kwargs):
            with app.app_context():  # what another worker would see now
                last = db.session.scalar(
                    sa.select(sa.func.min(OutboundMessage.lease_until)).where(
                        OutboundMessage.status == "sending"
                    )
                )
                renewed.append((clock.at(), last))
                db.session.remove()
            return slow.send(to, body, **kwargs)

    worker(app, Watching(clock), clock).run(once=True)
    assert statuses(app) == {"sent": 10}
    # Whenever another worker looked, every text still held had a lease in the future.
    assert all(lease is not None and lease > at for at, lease in renewed)
    assert renewed[-1][0] > DAYTIME + timedelta(seconds=2 * LEASE)


def test_a_text_a_dead_worker_may_have_sent_is_looked_up_not_sent_again(app):
    sent_before, not_sent = queue(app, 2)
    clock = Clock(DAYTIME)
    provider = Provider(clock)
    provider.held["Reminder 0"] = "SM-accepted-before-the-crash"
    with app.app_context():  # a worker claimed both, started both, and died mid-send
        for text in (sent_before, not_sent):
            row = db.session.get(OutboundMessage, text)
            row.status, row.claimed_by = "sending", "dead"
            row.lease_until = DAYTIME - timedelta(seconds=1)
            row.send_started_at = DAYTIME - timedelta(seconds=LEASE)
        db.session.commit()

    worker(app, provider, clock).run(once=True)
    assert provider.lookups == 2
    assert [body for _, _, body in provider.sent] == ["Reminder 1"]  # only the one it lacked
    assert message(app, sent_before).provider_sid == "SM-accepted-before-the-crash"
    assert statuses(app) == {"sent": 2}


def test_an_answer_lost_on_the_way_back_is_looked_up_before_any_retry(app):
    [text] = queue(app, 1)
    clock = Clock(DAYTIME)
    provider = Provider(clock, errors=[UncertainSendError("read timeout", "uncertain")])
    runner = worker(app, provider, clock)
    runner.run(once=True)
    waiting = message(app, text)
    assert waiting.status == "queued" and waiting.send_started_at is not None
    clock.sleep(60)
    runner.run(once=True)
    assert len(provider.sent) == 1 and provider.lookups == 1
    assert (message(app, text).status, message(app, text).provider_sid) == (
        "sent",
        provider.held["Reminder 0"],
    )


def test_a_text_that_never_reached_the_provider_is_simply_sent_again(app):
    [text] = queue(app, 1)
    clock = Clock(DAYTIME)
    provider = Provider(clock, errors=[TemporarySendError("no connection", "network")])
    runner = worker(app, provider, clock)
    runner.run(once=True)
    assert message(app, text).send_started_at is None
    clock.sleep(60)
    runner.run(once=True)
    assert provider.lookups == 0 and len(provider.sent) == 1
    assert message(app, text).status == "sent"


def test_when_the_provider_cannot_say_the_text_waits_rather_than_risk_a_second(app):
    [text] = queue(app, 1)
    clock = Clock(DAYTIME)

    class Unsure(Provider):
        def find_sent(self, *args, **kwargs):
            raise TemporarySendError("lookup failed", "lookup")

    provider = Unsure(clock)
    with app.app_context():
        row = db.session.get(OutboundMessage, text)
        row.status, row.lease_until = "sending", DAYTIME - timedelta(seconds=1)
        row.send_started_at = DAYTIME - timedelta(minutes=1)
        db.session.commit()
    worker(app, provider, clock).run(once=True)
    assert provider.sent == []
    waiting = message(app, text)
    assert waiting.status == "queued" and waiting.send_started_at is not None


# --- The shared rate ------------------------------------------------------------------------


def test_slots_from_one_schedule_never_overlap_whoever_takes_them(app):
    now = DAYTIME.replace(tzinfo=UTC).timestamp()
    with app.app_context():
        a = take_slots(3, 10, now)  # one worker takes three
        b = take_slots(2, 10, now)  # another, at the same moment, gets the next two
        db.session.commit()
        assert (a, round(b - now, 6)) == (now, 0.3)
        # Idle for a while: missed slots are not banked, the schedule restarts from now.
        later = take_slots(1, 10, now + 60)
        db.session.commit()
        assert later == now + 60


def test_two_workers_on_one_schedule_keep_to_the_rate_together(app):
    queue(app, 40)
    clock = Clock(DAYTIME)
    provider = Provider(clock)
    workers = [worker(app, provider, clock, name, batch=5) for name in ("w1", "w2")]
    while statuses(app).get("queued"):
        for each in workers:
            each.run(once=True)
    times = sorted(at for at, _, _ in provider.sent)
    assert len(times) == 40 and all(each.stats.sent > 0 for each in workers)
    gaps = [round(b - a, 6) for a, b in itertools.pairwise(times)]
    assert min(gaps) >= 0.1  # SMS_RATE_PER_SECOND is 10 in TestConfig


def test_a_slow_provider_does_not_push_the_schedule_ahead(app):
    """The old worker re-reserved every remaining slot when a send ran late: at 0.3 s a send
    the schedule ran away and throughput fell to a fraction of the rate."""
    queue(app, 20)
    clock = Clock(DAYTIME)
    provider = Provider(clock, takes=0.3)
    worker(app, provider, clock, batch=20).run(once=True)
    with app.app_context():
        next_slot = db.session.get(SmsRateLimit, 1).next_slot
    # One send in flight (threads=1) can only use one slot at a time: the schedule stays at
    # most one interval ahead of the clock, and the sends follow the provider's own pace.
    assert next_slot <= clock() + 0.1 + 1e-6
    starts = [at for at, _, _ in provider.sent]
    assert abs((starts[-1] - starts[0]) - 19 * 0.3) < 1e-3
