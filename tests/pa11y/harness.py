"""pa11y beside axe: HTML_CodeSniffer's WCAG2AA rules on a page the browser test is showing.

pa11y (npm, tests/pa11y, installed by `make install-test` with PUPPETEER_SKIP_DOWNLOAD) runs
in one long-lived Node process (check.mjs) with Debian's Chromium. ``Pa11y.check(page)`` sends
it the page's address and the browser's cookies at that moment (the person's session), so
pa11y sees exactly what the person sees, in a fresh browser context of its own. Tests skip
only when Node or the package is absent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@dataclass
class Pa11y:
    process: subprocess.Popen
    checked: list[str] = field(default_factory=list)

    def issues(self, page, *, posted: bool = False) -> list[dict]:
        """pa11y's errors for the page ``page`` (a Playwright page) shows now. ``posted``: the
        page answered a POST (a form shown again with its error), so a GET would not show it:
        pa11y is given the document itself, served at the same address."""
        cookies = [{"name": c["name"], "value": c["value"]} for c in page.context.cookies()]
        request = {"url": page.url, "cookies": cookies, "viewport": page.viewport_size}
        if posted:
            request["html"] = page.content()
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline() or '{"error": "pa11y stopped"}')
        assert "error" not in answer, f"pa11y could not check {page.url}: {answer['error']}"
        # The same page as the person's: with their session, not a redirect to the start.
        assert answer["title"] == page.title(), (answer["title"], page.title())
        self.checked.append(page.url)
        return answer["issues"]

    def assert_clean(self, page, *, posted: bool = False) -> None:
        issues = self.issues(page, posted=posted)
        detail = "\n".join(f"{i['code']}: {i['message']} ({i['selector']})" for i in issues[:10])
        assert not issues, f"pa11y (WCAG2AA) found {len(issues)} problems on {page.url}:\n{detail}"


@contextmanager
def running_pa11y() -> Iterator[Pa11y]:
    node = shutil.which("node")
    if node is None or not (HERE / "node_modules" / "pa11y").is_dir():
        pytest.skip("pa11y is not installed (make install-test needs npm)")
    process = subprocess.Popen(
        [node, str(HERE / "check.mjs")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        ready = process.stdout.readline()
        assert ready and json.loads(ready).get("ready"), "pa11y did not start"
        yield Pa11y(process)
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
