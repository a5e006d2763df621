"""Rendered markup kept between requests, keyed by everything it is made from.

Most of a public survey page is the same for everyone while a round runs: the skip link, the
header and footer (the authority's name, logo and help numbers), "Exit this page", and each
question's choices. Rendering them through the GOV.UK Jinja macros is most of the page's cost, so
a template wraps such a piece in a call block::

    {%+ call fragment("header", chrome_key()) %}...{% endcall +%}

and the markup is rendered once per process for each key, then reused. Decisions:
- The key holds the *content* the markup is made from (names, wording, choices, the chosen
  answer), never an id or a time alone: an edit in any worker makes a new key in every worker,
  so nothing is ever shown stale, and no cross-process invalidation is needed. A key of None
  means "do not cache" (a signed-in member of staff, an error message, a person's own words).
- Nothing personal goes in: callers key only on public wording and choices, never on free text.
- Bounded (an LRU of ``MAX_ITEMS``), shared by the threads of a worker under a lock.
- ``+`` on the tags keeps Jinja's whitespace control (trim_blocks, lstrip_blocks) off around
  the call, so the page's bytes are exactly what they were without the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask
from markupsafe import Markup

MAX_ITEMS = 2048

_LOCK = threading.Lock()
_CACHE: OrderedDict[Hashable, Markup] = OrderedDict()


def fragment(name: str, key: Hashable | None, caller: Callable[[], str]) -> Markup:
    """The markup of the call block ``caller`` for ``(name, key)``, rendered once per key."""
    if key is None:
        return Markup(caller())  # noqa: S704 - the template's own (autoescaped) output
    full = (name, key)
    with _LOCK:
        hit = _CACHE.get(full)
        if hit is not None:
            _CACHE.move_to_end(full)
            return hit
    markup = Markup(caller())  # noqa: S704 - the template's own (autoescaped) output
    with _LOCK:
        _CACHE[full] = markup
        while len(_CACHE) > MAX_ITEMS:
            _CACHE.popitem(last=False)
    return markup


def forget() -> None:
    """Empty the cache (tests that compare cached and uncached pages)."""
    with _LOCK:
        _CACHE.clear()


def init_app(app: Flask) -> None:
    app.add_template_global(fragment, "fragment")
