"""URL converters that refuse what the database cannot hold.

Flask's ``int`` converter accepts any number of digits, so ``/admin/users/99999999999999999999``
reached the database and broke it (SQLite cannot bind it; PostgreSQL's integer overflows). Here
``int`` means a whole number a database key can hold (64 bits: the anonymous side's random keys
use 53 of them): anything larger is simply a page that does not exist (404), for every route at
once. A number too large for a smaller column is refused by the database and answered 400.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

LARGEST_KEY = 2**63 - 1  # SQLite's INTEGER and PostgreSQL's bigint


class DatabaseInteger(IntegerConverter):
    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_KEY)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    """Call before any blueprint is registered: rules pick their converter when added."""
    app.url_map.converters["int"] = DatabaseInteger
