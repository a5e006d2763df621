"""Every PDF shares one base: the vendored font, A4, and no network."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from pypdf import PdfReader

from app.core.pdf import html_to_pdf


def _fonts(reader: PdfReader) -> set[str]:
    return {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in reader.pages
        for font in (page.get("/Resources") or {}).get("/Font", {}).values()
    }


def test_a_bare_page_is_a4_in_the_vendored_font():
    reader = PdfReader(io.BytesIO(html_to_pdf("<p>Hello <b>there</b></p>")))
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4
    assert _fonts(reader) == {"Atkinson-Hyperlegible", "Atkinson-Hyperlegible-Bold"}


def test_a_pdf_fetches_nothing_from_the_network():
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        html = f'<link rel="stylesheet" href="{url}/x.css"><img src="{url}/logo.png"><p>Hi</p>'
        assert html_to_pdf(html).startswith(b"%PDF")
    finally:
        server.shutdown()
    assert asked == []
