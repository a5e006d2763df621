"""SQL statements per staff page at two data sizes (run with `make bench`).

The same round, pages and counting as tests/app/test_statement_counts.py (which fails when a
page needs more statements at the larger size); this prints the table, with each page's time
at the larger size, so a change in query shape shows up as figures.
"""

from __future__ import annotations

import time

import pytest

from tests.app.test_statement_counts import PAGES, fetch, sizes  # noqa: F401 - the fixture
from tests.data_sizes import LARGE, SMALL

pytestmark = pytest.mark.bench


def test_statements_per_page_at_two_sizes(sizes):  # noqa: F811 - the imported fixture
    lines = [f"{'page':48} {SMALL:>6} {LARGE:>6} {'ms at ' + str(LARGE):>10}"]
    for role, page in PAGES:
        small, _ = fetch(sizes[SMALL], role, page)
        start = time.perf_counter()
        large, _ = fetch(sizes[LARGE], role, page)
        took = (time.perf_counter() - start) * 1000
        lines.append(f"{page:48} {small:>6} {large:>6} {took:>10.0f}")
    print(
        f"\nSQL statements per staff page (responses, contacts, invitations, members: "
        f"{SMALL} and {LARGE})"
    )
    print("\n".join(lines))
