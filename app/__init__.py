"""Belonging: a participation and survey platform for care leavers (New Belongings).

``app`` is the composition root (``app.factory``: create_app, blueprints, hooks, CLI) over the
layered packages below it; see docs/architecture.md for the layers and what may import what.
"""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from config import Config


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the app (see app.factory). Without a config class, BELONGING_ENV picks one."""
    # Imported here, not at the top: the factory imports every area, and a module-level import
    # would make importing any lower layer (app.core.clock, say) import the whole app.
    #
    # The cyclic garbage collector is paused while the app is built: importing every area makes
    # hundreds of thousands of long-lived objects (classes, functions, mappers, routes), and
    # collecting them again and again as they are made cost about 0.3 s of every start (a
    # `flask board pack`, each gunicorn worker). Nothing built here is garbage; the collector
    # runs as usual afterwards.
    paused = gc.isenabled()
    gc.disable()
    try:
        from app.factory import create_app as build

        return build(config_class)
    finally:
        if paused:
            gc.enable()
