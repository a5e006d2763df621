"""Contacts: the service's care leavers, kept by staff, imported from case-management files."""

from flask import Blueprint

bp = Blueprint("contacts", __name__)

from surveys.contacts import routes  # noqa: E402,F401
