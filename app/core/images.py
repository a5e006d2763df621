"""Images sized for phones: a raster image is scaled down to what a small screen shows.

The header shows the authority's logo at most 40 CSS px high (static/css/app.css); at twice that
(for sharp screens) a logo needs no more than 80 px. A council's upload may be a print-size file
of 200 KB that every care leaver would otherwise download with the first page. SVGs are left as
they are: they scale, and they are compressed on the way out.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

MAX_HEIGHT = 80
MAX_WIDTH = 480
FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


class ImageUnreadable(ValueError):
    """The bytes are not an image of the type they claim to be."""


def fit_for_phones(data: bytes, mimetype: str) -> bytes:
    """The image no larger than MAX_WIDTH x MAX_HEIGHT, in its own format (others unchanged)."""
    if mimetype not in FORMATS:
        return data
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width <= MAX_WIDTH and image.height <= MAX_HEIGHT:
                return data
            image.thumbnail((MAX_WIDTH, MAX_HEIGHT))
            out = io.BytesIO()
            image.save(out, format=FORMATS[mimetype], optimize=True)
    except (UnidentifiedImageError, OSError) as error:
        raise ImageUnreadable(str(error)) from error
    return out.getvalue()
