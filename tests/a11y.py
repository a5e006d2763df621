"""axe-core in the page: fail on any serious or critical accessibility violation."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()


def assert_accessible(page) -> None:
    results = _axe.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    detail = "\n".join(
        f"{v['impact']}: {v['id']} - {v['help']} ({len(v['nodes'])} nodes: "
        f"{[n['target'] for n in v['nodes'][:3]]})"
        for v in bad
    )
    assert not bad, f"axe found problems on {page.url}:\n{detail}"


def assert_accessible_without_js(page, checker_page) -> None:
    """axe for a page shown with JavaScript off (axe itself needs script to run).

    The exact no-JavaScript DOM is copied, minus its scripts, into ``checker_page`` (a page with
    JavaScript on) under the same base URL so styles load, and checked there.
    """
    import re

    html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S | re.I)
    html = html.replace("<head>", f'<head><base href="{page.url}">', 1)
    checker_page.set_content(html, wait_until="load")
    results = _axe.run(checker_page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    detail = "\n".join(f"{v['impact']}: {v['id']} - {v['help']}" for v in bad)
    assert not bad, f"axe found problems on {page.url} (JavaScript off):\n{detail}"
