"""Benchmark harness: serve a WSGI app with gunicorn on loopback, then load it for a fixed time.

Reusable by any benchmark::

    with serve("tests.bench.apps:bare_app()") as server:
        result = load(server, Request("GET", "/hello"))
        print(result.summary())

``serve`` starts gunicorn as a subprocess on 127.0.0.1 and a free port (same workers and threads
for every app, so figures compare), waits until it answers, and always stops it. ``load`` runs a
bounded load generator: threads with keep-alive ``http.client`` connections, a warm-up, then a
fixed measuring window; it stops by itself and counts only the expected statuses (200 unless
told), reporting everything else as errors, and keeps each counted response's latency (for
the p95) and the server's CPU time over the load (its process group, from /proc), so a figure
can be given per request whatever the load generator costs. The request may be fixed or built
per request by a callable (a webhook benchmark that needs a fresh body or signature each time
passes one).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")

WORKERS = 2
THREADS = 4
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    app: str
    process_group: int = 0  # gunicorn's master and workers (serve starts it in its own group)

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's processes have used so far, from /proc: what
        serving costs, whatever the load generator beside it on the same cores costs."""
        total = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # the process ended meanwhile
                continue
            if int(fields[2]) == self.process_group:  # pgrp
                total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
        return total / CLOCK_TICKS

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass
class LoadResult:
    label: str
    ok: int  # responses with an expected status, inside the measuring window
    seconds: float
    errors: Counter = field(default_factory=Counter)  # status code or exception name -> count
    latencies: list[float] = field(default_factory=list, repr=False)  # s, each counted response
    server_cpu: float = 0.0  # s of the server's CPU while the load ran (all requests sent)
    sent: int = 0  # every request sent, counted or not (warm-up included)

    @property
    def cpu_ms_per_request(self) -> float:
        return self.server_cpu / self.sent * 1000 if self.sent else 0.0

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile latency in seconds (nearest rank), 0 with no responses."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    @property
    def p95(self) -> float:
        return self.percentile(95)

    def summary(self) -> str:
        errors = f", errors {dict(self.errors)}" if self.errors else ""
        cpu = f", server {self.cpu_ms_per_request:.2f} ms CPU a request" if self.sent else ""
        return (
            f"{self.label}: {self.rps:.0f} req/s, p95 {self.p95 * 1000:.1f} ms "
            f"({self.ok} in {self.seconds:.1f} s{errors}){cpu}"
        )


def combined(results: list[LoadResult]) -> LoadResult:
    """Several loads of the same request (rounds taken in turn with others) as one result."""
    errors: Counter = Counter()
    for result in results:
        errors.update(result.errors)
    return LoadResult(
        results[0].label,
        sum(r.ok for r in results),
        sum(r.seconds for r in results),
        errors,
        [latency for r in results for latency in r.latencies],
        server_cpu=sum(r.server_cpu for r in results),
        sent=sum(r.sent for r in results),
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(
    app: str,
    *,
    env: Mapping[str, str] | None = None,
    workers: int = WORKERS,
    threads: int = THREADS,
    ready_path: str = "/",
    timeout: float = 30.0,
    extra_args: tuple[str, ...] = (),
) -> Iterator[Server]:
    """Run ``gunicorn "<app>"`` (e.g. ``"tests.bench.apps:bare_app()"``) until the block ends.

    Ready means any HTTP answer to ``ready_path`` (a 404 is fine: the app is loaded). ``env`` adds
    to this process's environment. gunicorn's output goes to a temporary log, shown on failure.
    """
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    command = [
        str(GUNICORN),
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--log-level",
        "warning",
        "--graceful-timeout",
        "5",
        *extra_args,
        app,
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: we can stop master and workers together
    )
    server = Server("127.0.0.1", port, app, process_group=process.pid)
    try:
        _wait_ready(server, process, ready_path, timeout, Path(log.name))
        yield server
    finally:
        _stop(process)
        log.close()
        Path(log.name).unlink(missing_ok=True)


def _wait_ready(
    server: Server, process: subprocess.Popen, path: str, timeout: float, log: Path
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text()[-3000:]
            raise RuntimeError(f"gunicorn exited ({process.returncode}):\n{output}")
        conn = http.client.HTTPConnection(server.host, server.port, timeout=2)
        try:
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
        finally:
            conn.close()
    raise RuntimeError(f"gunicorn not ready after {timeout} s:\n{log.read_text()[-3000:]}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)


def load(
    server: Server,
    request: Request | Callable[[], Request],
    *,
    label: str | None = None,
    duration: float = 5.0,
    warmup: float = 1.0,
    concurrency: int = 16,
    ok_statuses: tuple[int, ...] = (200,),
) -> LoadResult:
    """Send requests from ``concurrency`` keep-alive connections for ``warmup + duration`` s.

    Only responses finishing inside the measuring window count, so requests/s is ok / duration.
    """
    build = request if callable(request) else (lambda: request)
    start = time.perf_counter()
    window_start = start + warmup
    window_end = window_start + duration
    lock = threading.Lock()
    totals = {"ok": 0, "sent": 0}
    errors: Counter = Counter()
    latencies: list[float] = []

    def worker() -> None:
        ok, sent_here, errs, mine = 0, 0, Counter(), []
        conn = http.client.HTTPConnection(server.host, server.port, timeout=10)
        while (now := time.perf_counter()) < window_end:
            req = build()
            sent = time.perf_counter()
            sent_here += 1
            try:
                conn.request(req.method, req.path, body=req.body, headers=dict(req.headers))
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status = type(exc).__name__
            now = time.perf_counter()
            if window_start <= now < window_end:
                if status in ok_statuses:
                    ok += 1
                    mine.append(now - sent)
                else:
                    errs[status] += 1
        conn.close()
        with lock:
            totals["ok"] += ok
            totals["sent"] += sent_here
            errors.update(errs)
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    cpu_before = server.cpu_seconds()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + duration + 30)
    server_cpu = server.cpu_seconds() - cpu_before
    if label is None:
        label = f"{request.method} {request.path}" if isinstance(request, Request) else "load"
    return LoadResult(
        label,
        totals["ok"],
        duration,
        errors,
        latencies,
        server_cpu=server_cpu,
        sent=totals["sent"],
    )
