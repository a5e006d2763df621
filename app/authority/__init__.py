"""Authority settings (name, branding, help numbers) and the public pages every service needs."""

from flask import Blueprint

bp = Blueprint("authority", __name__)

from app.authority import routes  # noqa: E402,F401
