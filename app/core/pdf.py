"""PDFs with WeasyPrint, shared by the paper forms and the invitation letters.

Moved here from surveys/paper/pdf.py so every PDF loads fonts the same way and nothing else:
- The font is Atkinson Hyperlegible (SIL OFL), vendored in static/vendor/fonts by
  scripts/vendor-fonts.sh (``make vendor``), so a PDF looks the same on every machine.
- WeasyPrint fetches nothing from the network: only our own font files and data: URIs
  (the uploaded logo, QR codes) are allowed.
"""

from __future__ import annotations

import base64

from weasyprint import HTML, URLFetcher

from app.core.files import FONTS


class LocalOnlyFetcher(URLFetcher):
    """Our own font files and data: URIs, nothing else (no network, no other local files)."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"})

    def fetch(self, url, headers=None):
        if not (url.startswith("data:") or url.startswith(FONTS.as_uri() + "/")):
            raise ValueError(f"PDFs may not load {url[:80]}")
        return super().fetch(url, headers)


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, url_fetcher=LocalOnlyFetcher()).write_pdf()


def logo_data_uri(settings) -> str | None:
    """The authority's uploaded logo as a data: URI, or None."""
    if settings.logo and settings.logo_mimetype:
        encoded = base64.b64encode(settings.logo).decode("ascii")
        return f"data:{settings.logo_mimetype};base64,{encoded}"
    return None
