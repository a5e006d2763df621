"""Rendered markup kept between requests, keyed by everything it is made from.

Most of a public survey page is the same for everyone while a round runs: the skip link, the
header and footer (the authority's name, logo and help numbers), "Exit this page", and each
question's choices. Rendering them through the GOV.UK Jinja macros is most of the page's cost, so
a template wraps such a piece in a call block::

    {%+ call fragment("header", chrome_key()) %}...{% endcall +%}

and the markup is rendered once per process for each key, then reused. A question page, whose
every part but the CSRF token is made from such content, is kept whole (``page``). Decisions:
- The key holds the *content* the markup is made from (names, wording, choices, the chosen
  answer), never an id or a time alone: an edit in any worker makes a new key in every worker,
  so nothing is ever shown stale, and no cross-process invalidation is needed. A key of None
  means "do not cache" (a signed-in member of staff, an error message, a person's own words).
- Markup with words in it is keyed by ``languages.wording_version()``, not the language alone:
  the language, whether a translator has checked it, and the translations imported over it.
- Nothing personal goes in: callers key only on public wording and choices, never on free text.
- Bounded (an LRU of ``MAX_ITEMS``), shared by the threads of a worker under a lock.
- ``+`` on the tags keeps Jinja's whitespace control (trim_blocks, lstrip_blocks) off around
  the call, so the page's bytes are exactly what they were without the cache.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask
from markupsafe import Markup

MAX_ITEMS = 2048

_LOCK = threading.Lock()
_CACHE: OrderedDict[Hashable, str] = OrderedDict()
# Stands for the CSRF token in a kept page (``page``): random, so no page text can contain it.
_TOKEN_MARK = secrets.token_hex(16)


def fragment(name: str, key: Hashable | None, caller: Callable[[], str]) -> Markup:
    """The markup of the call block ``caller`` for ``(name, key)``, rendered once per key."""
    if key is None:
        return Markup(caller())  # noqa: S704 - the template's own (autoescaped) output
    return Markup(_kept((name, key), caller))  # noqa: S704 - the template's own output


def page(
    key: Hashable | None, render: Callable[[Callable[[], str]], str], token: Callable[[], str]
) -> str:
    """A whole page kept for ``key``, its CSRF token the only part made afresh.

    ``render(csrf_token)`` renders the page with the given ``csrf_token()`` (a template's own
    context hides the global); it is called with a stand-in once per key, and each answer puts
    this request's ``token()`` where the stand-in was. The key must hold everything else the
    page is made from (see the module's decisions); None renders afresh."""
    if key is None:
        return render(token)
    kept = _kept(("page", key), lambda: render(lambda: _TOKEN_MARK))
    return kept.replace(_TOKEN_MARK, token())


def _kept(full: Hashable, make: Callable[[], str]) -> str:
    with _LOCK:
        hit = _CACHE.get(full)
        if hit is not None:
            _CACHE.move_to_end(full)
            return hit
    made = make()
    with _LOCK:
        _CACHE[full] = made
        while len(_CACHE) > MAX_ITEMS:
            _CACHE.popitem(last=False)
    return made


def forget() -> None:
    """Empty the cache (tests that compare cached and uncached pages)."""
    with _LOCK:
        _CACHE.clear()


def init_app(app: Flask) -> None:
    app.add_template_global(fragment, "fragment")
