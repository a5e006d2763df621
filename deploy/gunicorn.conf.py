"""gunicorn settings for Belonging (`gunicorn --config deploy/gunicorn.conf.py wsgi:app`).

The access log never holds a client's address, user agent or a full path: a personal link
(/i/<code>) or a resume code in a URL would tie a named person to their answers. It keeps the
time, the method, the route's first segment, the status and the duration.
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# The reverse proxy in front (set PROXY_COUNT too, for ProxyFix).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# %(m)s method, %(s)s status, %(D)s microseconds; no %(h)s (address), %(a)s (agent) or %(U)s.
access_log_format = '{"time":"%(t)s","method":"%(m)s","status":%(s)s,"microseconds":%(D)s}'


def worker_exit(server, worker):
    """A stopping worker skips the interpreter's last garbage collection over the app's large
    heap (the spelling dictionaries): it takes seconds and would hold up a SIGTERM stop."""
    gc.freeze()
