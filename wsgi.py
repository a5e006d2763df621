"""Entry point for gunicorn (`gunicorn wsgi:app`) and `flask --app wsgi`."""

import gc

from app import create_app

app = create_app()

# What starting made lives as long as the process: moved out of the cyclic collector's way, so a
# later collection (after a PDF, see app/core/pdf.py) looks only at what was made since, and
# forked workers do not copy pages the collector would otherwise touch.
gc.freeze()
