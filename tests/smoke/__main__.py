"""The production smoke test (`make smoke`, run by .ci/run): the Procfile's processes, as a
council would run them, against a real PostgreSQL and a real Redis.

Run inside scripts/pg-test-server.sh (it exports TEST_DATABASE_URL for a throwaway server). This
script starts Debian's redis-server on a free port and a fake Twilio API on localhost
(tests/surveys/sms/twilio_fakes.py), loads the demo with the development config (production
refuses the demo), then starts each Procfile line with BELONGING_ENV=production and:
1. waits for /healthz to answer 200 (database, the worker's heartbeat, queues all fresh);
2. answers the demo's open survey over HTTP (CSRF on), skipping each question, and sends it;
3. as the participation worker, sends the demo's invited care leavers a reminder now; the
   worker sends each text to the fake Twilio (quiet hours are switched off first, so that the
   test passes at any hour);
4. as the participation worker, asks for a board pack and waits until it is made;
5. sends SIGTERM to every process: each must exit by itself, with status 0, within 10 s;
6. checks nothing was lost or doubled: one more complete response, each queued text sent
   exactly once (the fake received each once), the pack done.
It prints "SMOKE TEST PASSED" or "SMOKE TEST FAILED: why" and exits 0 or 1.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import requests
import sqlalchemy as sa

from tests.consumer import real_clock_environ
from tests.surveys.sms.twilio_fakes import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, FakeTwilio

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ROUND = "nb2026"  # the demo's open round (app/demo.py)
WORKER = ("worker@northbridge.example", "demo-worker-pass")
STOP_SECONDS = 10
SENT_SINCE = "SELECT count(*) FROM sms_outbound_message WHERE sent_at IS NOT NULL"


class SmokeFailed(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(check: Callable[[], object], what: str, timeout: float, processes=()) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in processes:
            if process.poll() is not None:
                raise SmokeFailed(f"{name} stopped (exit {process.returncode}) waiting for {what}")
        try:
            value = check()
        except (requests.RequestException, OSError):  # not listening yet
            value = None
        if value:
            return value
        time.sleep(0.25)
    raise SmokeFailed(f"timed out after {timeout:.0f} s waiting for {what}")


def csrf(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not match:
        raise SmokeFailed("no CSRF token on the page")
    return match.group(1)


def procfile() -> list[tuple[str, list[str]]]:
    lines = (ROOT / "deploy" / "Procfile").read_text().splitlines()
    return [
        (name.strip(), shlex.split(command))
        for name, command in (line.split(":", 1) for line in lines if line.strip())
    ]


def environment(database_url: str, redis_url: str, twilio_url: str, port: int, instance: Path):
    return {
        **real_clock_environ(),
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "FLASK_APP": "wsgi",
        "BELONGING_ENV": "production",
        "SECRET_KEY": "smoke-test-secret-key-not-for-use",
        "SMS_HMAC_KEY": "smoke-test-sms-hmac-key-not-for-use",
        "NOTICE_KEY": "c21va2UtdGVzdC1ub3RpY2Uta2V5LW5vdC1mb3ItdXM=",
        "DATABASE_URL": database_url,
        "HUEY_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "INSTANCE_PATH": str(instance),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "SESSION_COOKIE_SECURE": "false",  # plain HTTP on loopback here; HTTPS in a council
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": TEST_ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": TEST_AUTH_TOKEN,
        "TWILIO_FROM_NUMBER": "+447700900000",
        "TWILIO_API_BASE_URL": twilio_url,
        "MAIL_BACKEND": "console",
        "SMS_RATE_PER_SECOND": "200",  # the demo's waiting texts too go at once
        "REMINDER_MIN_GAP_DAYS": "0",  # the demo invited everyone today; remind them anyway
        "LOG_LEVEL": "INFO",
    }


def run(command: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        raise SmokeFailed(f"{' '.join(command)} failed (exit {done.returncode}): see {log}")


def counts(engine: sa.Engine, since: int = 0) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "last text": conn.scalar(
                sa.text("SELECT coalesce(max(id), 0) FROM sms_outbound_message")
            ),
            "reminders sent": conn.scalar(
                sa.text(f"{SENT_SINCE} AND id > :i"),
                {"i": since},
            ),
            "complete responses": conn.scalar(
                sa.text("SELECT count(*) FROM response WHERE status = 'complete'")
            ),
            "texts queued": conn.scalar(sa.text("SELECT count(*) FROM sms_outbound_message")),
        }


def sent_texts(engine: sa.Engine) -> Counter:
    """(number, body) of every text the worker sent through the API (conversation replies go
    in the webhook's answer, and have no number here)."""
    query = "SELECT to_number, body FROM sms_outbound_message WHERE sent_at IS NOT NULL"
    with engine.connect() as conn:
        rows = conn.execute(sa.text(query + " AND to_number IS NOT NULL")).all()
    return Counter((number, body) for number, body in rows)


def answer_survey(base: str) -> None:
    web = requests.Session()
    start = web.get(f"{base}/s/{ROUND}", timeout=10)
    start.raise_for_status()
    page = web.post(f"{base}/s/{ROUND}/start", data={"csrf_token": csrf(start.text)}, timeout=10)
    for _ in range(40):
        if page.url.endswith("/check"):
            break
        page.raise_for_status()
        page = web.post(
            page.url, data={"action": "skip", "csrf_token": csrf(page.text)}, timeout=10
        )
    else:
        raise SmokeFailed("the survey never reached 'Check your answers'")
    sent = web.post(page.url, data={"csrf_token": csrf(page.text)}, timeout=10)
    if not sent.url.endswith("/thanks"):
        raise SmokeFailed(f"sending the survey ended at {sent.url} ({sent.status_code})")


def sign_in(base: str) -> requests.Session:
    staff = requests.Session()
    form = staff.get(f"{base}/sign-in", timeout=10)
    signed = staff.post(
        f"{base}/sign-in",
        data={"email": WORKER[0], "password": WORKER[1], "csrf_token": csrf(form.text)},
        timeout=10,
    )
    if signed.url.endswith("/sign-in"):
        raise SmokeFailed("the participation worker could not sign in")
    return staff


def remind_by_text(base: str, staff: requests.Session, round_id: int) -> None:
    """ "Send a reminder now": the demo's invited care leavers who have not answered get one
    (by text where that is how they were invited)."""
    page = staff.get(f"{base}/staff/rounds/{round_id}/invitations", timeout=10)
    page.raise_for_status()
    url = f"{base}/staff/rounds/{round_id}/invitations/remind"
    check = staff.post(
        url, data={"csrf_token": csrf(page.text), "team": "", "age_band": ""}, timeout=30
    )
    # "Check the reminder" shows who gets it; sending is its form's hidden fields posted back.
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check.text))
    if "confirm_token" not in hidden:
        said = re.findall(r'notification-banner__heading">\s*([^<]+)', check.text)
        raise SmokeFailed(f"no 'Check the reminder' page ({check.status_code}: {said})")
    done = staff.post(url, data=hidden, timeout=30)
    if "reminders queued" not in done.text:
        raise SmokeFailed(f"sending reminders did not say they were queued ({done.status_code})")


def make_pack(base: str, staff: requests.Session, round_id: int, processes) -> None:
    form = staff.get(f"{base}/board/packs", timeout=10)
    asked = staff.post(
        f"{base}/board/packs",
        data={"csrf_token": csrf(form.text), "round_id": str(round_id), "band": ""},
        timeout=30,
    )
    asked.raise_for_status()
    status_url = asked.url

    def made() -> bool:
        page = staff.get(status_url, timeout=10).text
        if "could not be made" in page.lower():
            raise SmokeFailed("the board pack failed")
        return "The pack is ready." in page

    wait_for(made, "the board pack", 90, processes)


def stop_all(processes) -> list[str]:
    """SIGTERM to each; return what went wrong (slow, killed or failing exits). A slow process
    is given up to a minute more, so that the report says how slow."""
    for _, process in processes:
        process.send_signal(signal.SIGTERM)
    began = time.monotonic()
    problems, took = [], []
    for name, process in processes:
        try:
            code = process.wait(timeout=max(0.1, STOP_SECONDS + 60 - (time.monotonic() - began)))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            problems.append(f"{name} did not stop within {STOP_SECONDS + 60} s of SIGTERM")
            continue
        seconds = time.monotonic() - began
        took.append(f"{name} {seconds:.1f} s")
        if seconds > STOP_SECONDS:
            problems.append(f"{name} took {seconds:.1f} s to stop (more than {STOP_SECONDS} s)")
        if code != 0:
            problems.append(f"{name} exited with {code} after SIGTERM")
    print(f"smoke: stopped after SIGTERM: {', '.join(took) or 'none'}")
    return problems


def smoke(database_url: str, work: Path) -> None:
    began = time.monotonic()
    redis_port, web_port = free_port(), free_port()
    base = f"http://127.0.0.1:{web_port}"
    log = work / "smoke.log"
    redis = subprocess.Popen(
        ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(work)],
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    processes: list[tuple[str, subprocess.Popen]] = []
    try:
        with FakeTwilio() as twilio:
            env = environment(
                database_url,
                f"redis://127.0.0.1:{redis_port}/0",
                f"http://127.0.0.1:{twilio.port}",
                web_port,
                work / "instance",
            )
            wait_for(lambda: socket.create_connection(("127.0.0.1", redis_port)), "Redis", 10)
            flask = [str(VENV_BIN / "flask"), "--app", "wsgi"]
            run([*flask, "db", "upgrade", "heads"], env, log)
            run([*flask, "demo", "seed"], {**env, "BELONGING_ENV": "development"}, log)
            print(f"smoke: database migrated and demo loaded in {time.monotonic() - began:.1f} s")
            engine = sa.create_engine(database_url)
            with engine.begin() as conn:  # texts wait out quiet hours: none here, at any hour
                conn.execute(
                    sa.text("UPDATE authority_settings SET sms_quiet_end = sms_quiet_start")
                )
            before = counts(engine)
            with engine.connect() as conn:
                round_id = conn.scalar(
                    sa.text("SELECT id FROM survey_round WHERE slug = :s"), {"s": ROUND}
                )

            for name, command in procfile():
                out = (work / f"{name}.log").open("w")
                processes.append(
                    (name, subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out))
                )
            began = time.monotonic()
            wait_for(
                lambda: requests.get(f"{base}/healthz", timeout=5).status_code == 200,
                "/healthz to answer 200",
                60,
                processes,
            )
            print(f"smoke: {', '.join(n for n, _ in processes)} up and healthy", end="")
            print(f" in {time.monotonic() - began:.1f} s")

            answer_survey(base)
            staff = sign_in(base)
            remind_by_text(base, staff, round_id)
            queued = counts(engine)["texts queued"] - before["texts queued"]
            if queued < 1:
                raise SmokeFailed("sending reminders queued no text")
            wait_for(
                lambda: counts(engine, since=before["last text"])["reminders sent"] >= queued,
                f"{queued} reminders at Twilio",
                90,
                processes,
            )
            make_pack(base, staff, round_id, processes)
            time.sleep(1)  # a duplicate send, if there were one, would arrive now
            problems = stop_all(processes)
            processes = []

            after = counts(engine, since=before["last text"])
            texts = Counter((form["To"], form["Body"]) for _, form in twilio.sent)
            if after["complete responses"] != before["complete responses"] + 1:
                problems.append(f"complete responses {before} -> {after}: not exactly one more")
            if texts != sent_texts(engine):  # each text marked sent reached Twilio exactly once
                problems.append(
                    f"{sum(sent_texts(engine).values())} texts marked sent, {len(twilio.sent)} "
                    f"reached Twilio ({sum(n - 1 for n in texts.values())} twice)"
                )
            if after["reminders sent"] != queued:
                problems.append(f"{queued} reminders queued, {after['reminders sent']} sent")
            engine.dispose()
            if problems:
                raise SmokeFailed("; ".join(problems))
            print(f"smoke: 1 survey stored once, {queued} reminders sent once each, 1 board pack")
    finally:
        for _, process in processes:
            process.kill()
            process.wait()
        redis.terminate()
        redis.wait(timeout=10)


def main() -> int:
    database_url = os.environ.get("TEST_DATABASE_URL", "")
    if not database_url.startswith("postgresql"):
        print("SMOKE TEST FAILED: run it inside scripts/pg-test-server.sh (see `make smoke`)")
        return 1
    began = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="belonging-smoke-"))
    try:
        smoke(database_url, work)
    except (SmokeFailed, requests.RequestException) as exc:
        print(f"SMOKE TEST FAILED: {exc}")
        for log in sorted(work.glob("*.log")):
            print(f"--- {log.name} (last lines)")
            print("\n".join(log.read_text(errors="replace").splitlines()[-25:]))
        return 1
    print(f"SMOKE TEST PASSED in {time.monotonic() - began:.0f} s (production processes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
