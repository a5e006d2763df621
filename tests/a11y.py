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
