"""The deployment files stay true to the code: every setting config.py reads is in env.example,
and the access log format holds no address, agent or path."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_the_app_reads_is_in_env_example():
    config = (ROOT / "config.py").read_text()
    read = set(re.findall(r'(?:environ\.get|_int|_bool|_float)\(\s*"([A-Z][A-Z0-9_]+)"', config))
    listed = set(
        re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / "deploy/env.example").read_text(), re.M)
    )
    assert read and read <= listed, sorted(read - listed)


def test_the_access_log_never_holds_an_address_an_agent_or_a_path():
    namespace: dict = {}
    exec((ROOT / "deploy/gunicorn.conf.py").read_text(), namespace)  # noqa: S102 - our own file
    log_format = namespace["access_log_format"]
    for atom in ("%(h)s", "%(a)s", "%(U)s", "%(q)s", "%(r)s", "%({x-forwarded-for}i)s"):
        assert atom not in log_format, atom
