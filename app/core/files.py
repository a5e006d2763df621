"""Where the app's own files are: templates, static assets and migrations.

In a checkout they are the top-level folders the product's owner asked for (templates/, static/,
migrations/). An installed ``belonging`` distribution ships the same folders as package data under
the names ``app.templates``, ``app.static`` and ``app.migrations`` (setup.py maps them), so the app
works from any directory. This module is the one place that knows both.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent.parent


def _folder(name: str) -> Path:
    in_checkout = CHECKOUT / name
    if in_checkout.is_dir():
        return in_checkout
    spec = importlib.util.find_spec(f"app.{name}")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"The app's {name} folder is missing: reinstall belonging")
    return Path(next(iter(spec.submodule_search_locations)))


TEMPLATES = _folder("templates")
STATIC = _folder("static")
MIGRATIONS = _folder("migrations")
FONTS = STATIC / "vendor" / "fonts"
