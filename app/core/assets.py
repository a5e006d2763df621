"""Light pages: static files under content-hashed URLs cached for a year, and compressed answers.

- ``url_for('static', filename=...)`` (and ``static_url(filename)``, which templates use: the
  same address, built once per process) adds ``?v=<hash>``, the start of the file's SHA-256. A
  request whose ``v`` is the file's current hash is answered with ``Cache-Control: public,
  max-age=31536000, immutable``: the URL changes whenever the file does, so a phone never asks
  again. Outside debug mode each file's hash is worked out once per process (static files change
  only with a deploy, which restarts the workers): a page names several, and finding, checking
  and statting each on every page was a tenth of a survey question page's cost. In debug mode an
  edited file gets its new URL at once. Any other static request (no ``v``, an old one, or a
  file a stylesheet names with a relative ``url()``) keeps Flask's ``no-cache``, so it
  revalidates with its ETag.
- Static files are compressed once per process (brotli at its best level, or gzip), as WhiteNoise
  would do ahead of time, and kept in memory: the set is small and fixed.
- Everything else (HTML) is compressed on the fly by flask-compress (brotli, else gzip). HTML's
  caching is left alone: survey pages stay ``no-store`` where they are (security.no_store).

Compressing pages that hold a secret beside text an attacker can choose invites BREACH-style
guessing. The survey pages' CSRF token changes every second and the resume code is shown only
once, on a page that echoes nothing a third party can set, so this is accepted; say so if that
changes.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from pathlib import Path
from typing import Any

import brotli
from flask import Flask, Response, make_response, request, url_for

from app.core.extensions import compress

YEAR = 31_536_000
HASH_LENGTH = 12
COMPRESSIBLE = frozenset(
    {"text/css", "text/javascript", "application/javascript", "image/svg+xml", "image/x-icon"}
)
ENCODINGS = ("br", "gzip")

# (path, mtime_ns, size) -> hash, and (path, hash, encoding) -> bytes: a few dozen files at most.
_hashes: dict[tuple[str, int, int], str] = {}
_compressed: dict[tuple[str, str, str], bytes] = {}


def file_hash(path: Path) -> str | None:
    """The start of the file's SHA-256, or None when there is no such file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _hashes:
        _hashes[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:HASH_LENGTH]
    return _hashes[key]


def _static_path(app: Flask, filename: str) -> Path | None:
    folder = Path(app.static_folder or "").resolve()
    path = (folder / filename).resolve()
    return path if path.is_relative_to(folder) and path.is_file() else None


def _version(app: Flask, filename: str) -> str | None:
    path = _static_path(app, filename)
    return file_hash(path) if path else None


def _compress(data: bytes, encoding: str) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=11)
    return gzip.compress(data, compresslevel=9, mtime=0)


def init_app(app: Flask) -> None:
    compress.init_app(app)
    versions: dict[str, str | None] = {}  # filename -> hash, kept for the process (see above)

    @app.url_defaults
    def hash_static_urls(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            filename = values["filename"]
            if app.debug or filename not in versions:
                versions[filename] = _version(app, filename)
            version = versions[filename]
            if version:
                values["v"] = version

    urls: dict[tuple[str, str], str] = {}  # (script root, filename) -> its address, likewise

    def static_url(filename: str) -> str:
        """``url_for('static', filename=...)`` with its hash, built once per process for each
        file (a page links half a dozen; building each address every time was a tenth of a
        question page's cost). The script root is part of the key: it comes from the request."""
        key = (request.script_root, filename)
        url = urls.get(key)
        if url is None or app.debug:
            url = urls[key] = url_for("static", filename=filename)
        return url

    app.add_template_global(static_url)

    serve = app.view_functions["static"]

    @functools.wraps(serve)
    def static(filename: str) -> Response:
        response = make_response(serve(filename=filename))
        path = _static_path(app, filename)
        version = file_hash(path) if path else None
        if path is None or version is None or response.status_code != 200:
            return response
        if request.args.get("v") == version:
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.no_cache = None
            response.cache_control.immutable = True
        encoding = request.accept_encodings.best_match(ENCODINGS)
        if encoding and response.mimetype in COMPRESSIBLE:
            key = (str(path), version, encoding)
            if key not in _compressed:
                _compressed[key] = _compress(path.read_bytes(), encoding)
            response.direct_passthrough = False
            response.set_data(_compressed[key])
            response.headers["Content-Encoding"] = encoding
            response.vary.add("Accept-Encoding")
            response.set_etag(f"{version}-{encoding}")
            response.make_conditional(request)
        return response

    app.view_functions["static"] = static
