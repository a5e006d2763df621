"""The printable "you said, we did" poster and leaflet (WeasyPrint, A4, app/core/pdf.py).

It prints the same plain values as the public page (services.public_page), so it can only show
what the public page shows: published items, quotes approved for public use, no personal data.
"""

from __future__ import annotations

from flask import current_app

from app.core.pdf import html_to_pdf, render_pdf_html
from app.staff.authority.services import get_settings


def poster_html(topics) -> str:
    settings = get_settings()
    return render_pdf_html(
        "forum/poster_pdf.html",
        settings,
        topics=topics,
        page_url=f"{current_app.config['PUBLIC_BASE_URL']}/you-said-we-did",
    )


def poster_pdf(topics) -> bytes:
    return html_to_pdf(poster_html(topics))
