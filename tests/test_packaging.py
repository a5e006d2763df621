"""The installable distribution: the wheel carries everything the app needs, and works installed.

``pip install .`` must give a working app outside the checkout: the templates, static assets and
migrations ship inside the wheel (setup.py maps them to ``app.templates``, ``app.static`` and
``app.migrations``), as do the packages' data files (questionnaires, codebook, rules, default
pages). The test builds the wheel from a copy of the sources (so the checkout gets no build/
folder and no stale build output can leak into the wheel), installs it into a temporary folder
and, from another temporary folder, runs the migrations, seeds the demo and asks for /sign-in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

CHECKOUT = Path(__file__).resolve().parents[1]
SHIPPED_FOLDERS = ("templates", "static", "migrations")  # installed as app.<folder>
DATA_SUFFIXES = (".toml", ".txt", ".csv")
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", ".ci", "tests", "build", "dist", "instance", "tmp", "*.egg-info",
    "__pycache__", "*.pyc", ".*_cache", ".hypothesis", "test-results", "node_modules",
)  # fmt: skip
# Settings that would point the installed app at the suite's databases or folders.
SUITE_SETTINGS = {
    "BELONGING_ENV",
    "DATABASE_URL",
    "TEST_DATABASE_URL",
    "INSTANCE_PATH",
    "FLASK_APP",
}

SIGN_IN = """
import sys
import app as package
import wsgi
from app.core import files
for path in (package.__file__, files.TEMPLATES, files.STATIC, files.MIGRATIONS):
    assert str(path).startswith(sys.argv[1]), path
response = wsgi.app.test_client().get("/sign-in")
print(response.status_code, b"Sign in" in response.data)
"""


def _faketime(variable: str) -> bool:
    """Debian's faketime (``make test-at-night``) works through these; the installed app runs on
    the real clock like any install (under faketime its exit hangs on a threading timer)."""
    return variable == "LD_PRELOAD" or variable.startswith(("FAKETIME", "DONT_FAKE"))


def _pip(*args: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", *args], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    build = tmp_path_factory.mktemp("build")
    sources = build / "src"
    shutil.copytree(CHECKOUT, sources, ignore=NOT_SOURCES)
    _pip(
        "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(build / "dist"), str(sources)
    )
    (found,) = (build / "dist").glob("belonging-*.whl")
    return found


def test_wheel_ships_templates_static_assets_migrations_and_data_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in SHIPPED_FOLDERS:
        expected = {
            f"app/{folder}/{p.relative_to(CHECKOUT / folder).as_posix()}"
            for p in _files(CHECKOUT / folder)
        }
        assert expected, folder
        assert expected <= names, sorted(expected - names)
    for must in (
        "app/templates/base.html",
        "app/static/vendor/htmx/htmx.min.js",
        "app/migrations/env.py",
        "app/migrations/script.py.mako",
        "app/migrations/alembic.ini",
        "app/migrations/versions/0001_foundation.py",
        "app/staff/authority/default_pages/privacy.txt",
        "surveys/questionnaires/new-belongings-2015.toml",
    ):
        assert must in names
    assert any(n.startswith("app/static/vendor/fonts/") and n.endswith(".woff") for n in names)
    assert any(n.startswith("app/static/vendor/govuk-frontend/images/") for n in names)
    data = {
        p.relative_to(CHECKOUT).as_posix()
        for package in ("app", "surveys", "forum")
        for p in _files(CHECKOUT / package)
        if p.suffix in DATA_SUFFIXES
    }
    assert data <= names, sorted(data - names)
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]


def test_installed_wheel_migrates_seeds_and_signs_in_from_another_folder(wheel, tmp_path):
    site, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    elsewhere.mkdir()
    _pip("install", "--no-deps", "-q", "--target", str(site), str(wheel))
    env = {k: v for k, v in os.environ.items() if k not in SUITE_SETTINGS and not _faketime(k)}
    env["PYTHONPATH"] = str(site)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]

    def run(*args: str) -> str:
        done = subprocess.run(
            [*args], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    run(*flask, "db", "upgrade")
    run(*flask, "demo", "seed")
    assert run(sys.executable, "-c", SIGN_IN, str(site)).split() == ["200", "True"]
    # The installed copy keeps its data in ./instance of the folder it runs in.
    assert (elsewhere / "instance" / "belonging.db").is_file()
    assert not (site / "instance").exists()
